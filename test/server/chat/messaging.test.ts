// Sending: broadcast (everyone online but the sender), private (live, or queued while the receiver is
// offline and delivered at their next login), and group (the room's online members but the sender).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient, type Obj } from '../../helpers/client.js';
import { assertNotReceived, expectClosed, expectError, receivedBetween } from '../../helpers/expect.js';
import { startServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test('broadcast reaches every online user but the sender, and not unregistered connections', async () => {
  const fresh = await startServer();
  try {
    const ann = await TestClient.as(fresh.port, 'Ann');
    const bo = await TestClient.as(fresh.port, 'Bo');
    const cy = await TestClient.as(fresh.port, 'Cy');
    const anon = await TestClient.connect(fresh.port, 'anon');
    await anon.ok({ status: 'help' });

    const sent = await ann.ok({ status: 'broadcast', text: 'hello all' });
    assert.equal(sent.delivered, 2);
    assert.equal(sent.receiver, 'everyone');
    assert.equal(typeof sent.msgid, 'number');
    for (const client of [bo, cy]) {
      const got = await client.event('broadcast', { msgid: sent.msgid });
      assert.deepEqual(got, {
        status: 'broadcast',
        sender: 'Ann',
        receiver: 'everyone',
        text: 'hello all',
        msgid: sent.msgid,
        seq: sent.seq,
        ts: sent.ts,
      });
    }
    await assertNotReceived(ann, (m) => m.status === 'broadcast', 'her own broadcast');
    await assertNotReceived(anon, (m) => m.status === 'broadcast', 'a broadcast before registering');
    await Promise.all([ann.close(), bo.close(), cy.close(), anon.close()]);
  } finally {
    await fresh.stop();
  }
});

test('a private message is delivered live with the ids from the reply, to the receiver only', async () => {
  const ann = await TestClient.as(server.port, 'PvAnn');
  const bo = await TestClient.as(server.port, 'PvBo');
  const cy = await TestClient.as(server.port, 'PvCy');
  const sent = await ann.ok({ status: 'private', receiver: 'pvbo', text: 'just for you' });
  assert.equal(sent.queued, undefined);
  assert.equal(sent.receiver, 'PvBo');
  const got = await bo.event('private', { msgid: sent.msgid });
  assert.deepEqual(got, {
    status: 'private',
    sender: 'PvAnn',
    receiver: 'PvBo',
    text: 'just for you',
    msgid: sent.msgid,
    seq: sent.seq,
    ts: sent.ts,
  });
  assert.ok(!Number.isNaN(Date.parse(got.ts)));
  await assertNotReceived(cy, (m) => m.text === 'just for you', "someone else's private message");
  await assertNotReceived(ann, (m) => m.status === 'private', 'her own private message echoed');
  await expectError(ann, { status: 'private', receiver: 'PvAnn', text: 'note to self' }, 'bad_request');
  await Promise.all([ann.close(), bo.close(), cy.close()]);
});

test('a private message to an offline known user replies queued:true and is delivered once at login, in order', async () => {
  let bo = await TestClient.as(server.port, 'QuBo');
  const ann = await TestClient.as(server.port, 'QuAnn');
  const cy = await TestClient.as(server.port, 'QuCy');
  await bo.ok({ status: 'exit' });
  await expectClosed(bo);

  const first = await ann.ok({ status: 'private', receiver: 'QuBo', text: 'first while away' });
  assert.equal(first.queued, true);
  assert.match(first.text, /offline/);
  const second = await cy.ok({ status: 'private', receiver: 'QuBo', text: 'second while away' });
  assert.equal(second.queued, true);
  const third = await ann.ok({ status: 'private', receiver: 'QuBo', text: 'third while away' });

  bo = await TestClient.back(server.port, bo);
  const login = bo.welcome!;
  assert.equal(login.waiting, 3);
  assert.match(login.text, /3 messages/);
  const barrier = await bo.ok({ status: 'who' });
  const delivered = receivedBetween(bo, login, barrier).filter((m) => m.status === 'private');
  assert.deepEqual(
    delivered.map((m: Obj) => [m.msgid, m.ts, m.sender, m.text]),
    [
      [first.msgid, first.ts, 'QuAnn', 'first while away'],
      [second.msgid, second.ts, 'QuCy', 'second while away'],
      [third.msgid, third.ts, 'QuAnn', 'third while away'],
    ],
  );
  // Now online: the next message is live, not queued.
  const live = await ann.ok({ status: 'private', receiver: 'QuBo', text: 'welcome back' });
  assert.equal(live.queued, undefined);
  await bo.event('private', { msgid: live.msgid });

  // Logging in again delivers none of them again.
  await bo.ok({ status: 'exit' });
  await expectClosed(bo);
  bo = await TestClient.back(server.port, bo);
  const again = bo.welcome!;
  assert.equal(again.waiting, 0);
  await assertNotReceived(bo, (m) => m.status === 'private', 'a message already delivered');
  await Promise.all([ann.close(), bo.close(), cy.close()]);
});

test('a group message reaches the online members but the sender, and offline members at login', async () => {
  const ann = await TestClient.as(server.port, 'GpAnn');
  const bo = await TestClient.as(server.port, 'GpBo');
  let cy = await TestClient.as(server.port, 'GpCy');
  const out = await TestClient.as(server.port, 'GpOut');
  await ann.ok({ status: 'create', receiver: 'Trio', members: ['GpBo', 'GpCy'] });
  await cy.ok({ status: 'exit' });
  await expectClosed(cy);

  const sent = await bo.ok({ status: 'group', receiver: 'trio', text: 'to the trio' });
  assert.equal(sent.receiver, 'Trio');
  const got = await ann.event('group', { msgid: sent.msgid });
  assert.deepEqual(got, {
    status: 'group',
    sender: 'GpBo',
    receiver: 'Trio',
    text: 'to the trio',
    msgid: sent.msgid,
    seq: sent.seq,
    ts: sent.ts,
  });
  await assertNotReceived(bo, (m) => m.status === 'group', 'his own group message');
  await assertNotReceived(out, (m) => m.text === 'to the trio', 'a message of a room he is not in');

  cy = await TestClient.back(server.port, cy);
  const login = cy.welcome!;
  assert.equal(login.waiting, 1);
  assert.equal((await cy.event('group', { msgid: sent.msgid })).text, 'to the trio');
  await Promise.all([ann.close(), bo.close(), cy.close(), out.close()]);
});

test('a text with newlines (a pasted block, issue #12.2) is one message: delivered and in history as sent, one escaped JSON line on the wire', async () => {
  const ann = await TestClient.as(server.port, 'NlAnn');
  const bo = await TestClient.as(server.port, 'NlBo');
  const text = 'first line\n  indented second\n\nafter a blank';
  let wire = '';
  bo.socket.on('data', (chunk: string) => (wire += chunk));
  const sent = await ann.ok({ status: 'private', receiver: 'NlBo', text });
  const got = await bo.event('private', { msgid: sent.msgid });
  assert.equal(got.text, text);
  const history = await bo.ok({ status: 'history', receiver: 'NlAnn' });
  assert.equal(history.messages.at(-1).text, text);
  // What nc shows: the newlines inside the text are JSON escapes; the line ends only after the object.
  assert.ok(wire.includes('"text":"first line\\n  indented second\\n\\nafter a blank"'), wire);
  await Promise.all([ann.close(), bo.close()]);
});
