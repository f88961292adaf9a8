// The flood limit (issue #4): with the default values, a user may send a burst of 10 messages, then 5
// a second; excess gets rate_limited with retry_after_ms, and a client that keeps flooding is closed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient, type Obj } from '../../helpers/client.js';
import { assertPrivateFlows, expectClosed, withTimeout } from '../../helpers/expect.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { DEFAULT_LIMITS } from '../../../src/server/limits.js';

let server: TestServer;
before(async () => {
  const { floodBurst, floodRate, floodStrikes } = DEFAULT_LIMITS;
  server = await startServer({ limits: { floodBurst, floodRate, floodStrikes } });
});
after(() => server.stop());

function burst(client: TestClient, to: string, count: number): Promise<Obj[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => client.request({ status: 'private', receiver: to, text: `flood ${i}` })),
  );
}

test('flood: a burst of 10 passes, the 11th gets rate_limited with retry_after_ms, and after that wait it passes', async () => {
  const a = await TestClient.as(server.port, 'FloodA');
  const b = await TestClient.as(server.port, 'FloodB');
  const replies = await burst(a, 'FloodB', DEFAULT_LIMITS.floodBurst + 1);
  assert.deepEqual(
    replies.slice(0, DEFAULT_LIMITS.floodBurst).map((r) => r.status),
    Array(DEFAULT_LIMITS.floodBurst).fill('ok'),
  );
  const refused = replies.at(-1)!;
  assert.equal(refused.code, 'rate_limited', JSON.stringify(refused));
  assert.ok(
    Number.isInteger(refused.retry_after_ms) &&
      refused.retry_after_ms > 0 &&
      refused.retry_after_ms <= 1000 / DEFAULT_LIMITS.floodRate,
    JSON.stringify(refused),
  );
  // The refused message was not delivered: B got exactly the burst.
  await b.event('private', { text: `flood ${DEFAULT_LIMITS.floodBurst - 1}` });
  await withTimeout(new Promise((resolve) => setTimeout(resolve, refused.retry_after_ms)), 2000, 'retry_after_ms');
  await a.ok({ status: 'private', receiver: 'FloodB', text: 'after waiting' });
  await b.event('private', { text: 'after waiting' });
  assert.equal(
    b.received.filter((m) => m.text === `flood ${DEFAULT_LIMITS.floodBurst}`).length,
    0,
    'the refused message was not delivered',
  );
  // Requests that send nothing and read little are not limited (listings are: issue #11.6).
  await a.ok({ status: 'ping' });
  await a.close();
  await b.close();
});

test('flood: the limit is per user, so one flooder does not slow anyone else', async () => {
  const flooder = await TestClient.as(server.port, 'Flooder1');
  const c = await TestClient.as(server.port, 'CalmC');
  const d = await TestClient.as(server.port, 'CalmD');
  const replies = await burst(flooder, 'CalmC', 15);
  assert.ok(replies.some((r) => r.code === 'rate_limited'));
  for (let i = 0; i < 5; i++) await assertPrivateFlows(c, d);
  await flooder.close();
  await c.close();
  await d.close();
});

test('flood: a client that keeps sending while rate limited is disconnected with code flooding', async () => {
  const flooder = await TestClient.as(server.port, 'Flooder2');
  const e = await TestClient.as(server.port, 'CalmE');
  const count = DEFAULT_LIMITS.floodBurst + DEFAULT_LIMITS.floodStrikes + 5;
  for (let i = 0; i < count; i++) flooder.send({ status: 'broadcast', text: `spam ${i}` });
  const closing = await flooder.waitFor((m) => m.code === 'flooding', 3000, 'the flooding notice');
  assert.equal(closing.status, 'error');
  await expectClosed(flooder);
  const limited = flooder.received.filter((m) => m.code === 'rate_limited').length;
  assert.equal(limited, DEFAULT_LIMITS.floodStrikes - 1, 'strikes before the disconnect');
  // The name is free again for its owner (back with the token it got) and others are unaffected.
  const again = await TestClient.back(server.port, flooder);
  await assertPrivateFlows(e, again);
  await again.close();
  await e.close();
});
