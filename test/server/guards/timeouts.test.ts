// Registration deadline and idle connections (issue #4): a connection must register within the
// deadline; a silent one is pinged and then closed; one that answers the ping stays.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { assertPrivateFlows, expectClosed } from '../../helpers/expect.js';
import { startServer, type TestServer } from '../../helpers/server.js';

// The defaults are 30 s, 60 s and 120 s; the same rules with short times so the test runs quickly.
const REGISTER_MS = 300;
const PING_MS = 300;
const IDLE_MS = 600;

let server: TestServer;
before(
  async () =>
    (server = await startServer({
      limits: { registerTimeoutMs: REGISTER_MS, pingAfterMs: PING_MS, idleTimeoutMs: IDLE_MS },
    })),
);
after(() => server.stop());

test('timeouts: a connection that does not register within the deadline gets timeout and is closed', async () => {
  const started = performance.now();
  const lurker = await TestClient.connect(server.port, 'lurker');
  await lurker.ok({ status: 'help' }); // talking without registering does not extend the deadline
  const notice = await lurker.waitFor((m) => m.code === 'timeout', 3000, 'the timeout notice');
  assert.equal(notice.status, 'error');
  assert.match(notice.text, /register/);
  await expectClosed(lurker);
  assert.ok(performance.now() - started >= REGISTER_MS, 'not before the deadline');
});

test('timeouts: a silent registered connection is pinged, then closed and announced as gone', async () => {
  const friend = await TestClient.as(server.port, 'IdleFriend');
  friend.answerPings = true;
  const silent = await TestClient.as(server.port, 'Silent');
  await friend.ok({ status: 'private', receiver: 'Silent', text: 'hi' }); // makes them contacts
  const ping = await silent.event('system', { event: 'ping' }, 3000);
  assert.equal(ping.sender, 'server');
  const notice = await silent.waitFor((m) => m.code === 'timeout', 3000, 'the timeout notice');
  assert.match(notice.text, /nothing heard/);
  await expectClosed(silent);
  await friend.event('system', { event: 'disconnect', sender: 'Silent' });
  assert.equal(friend.isClosed, false, 'a client that answers pings stays');
  await friend.close();
});

test('timeouts: a client that answers pings stays connected past the idle deadline', async () => {
  const a = await TestClient.as(server.port, 'PongA');
  const b = await TestClient.as(server.port, 'PongB');
  a.answerPings = b.answerPings = true;
  // Three ping rounds: well past IDLE_MS of total time, with every ping answered.
  for (let round = 0; round < 3; round++) {
    await a.event('system', { event: 'ping' }, 3000);
    await b.event('system', { event: 'ping' }, 3000);
  }
  assert.equal(a.isClosed || b.isClosed, false);
  await assertPrivateFlows(a, b);
  assert.equal(
    a.received.some((m) => m.code === 'timeout'),
    false,
  );
  await a.close();
  await b.close();
});
