// Slow readers (issue #4, #11.11): every client that stops reading is cut off with a reason once its
// socket has taken nothing for noProgressMs, however many there are; until then the server holds at
// most the behind mark plus a page for each (its chat waits in the store, not in memory). Meanwhile
// the clients that do read get everything, in order.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { assertPrivateFlows, withTimeout } from '../../helpers/expect.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { DEFAULT_LIMITS } from '../../../src/server/limits.js';

let server: TestServer;
before(async () => (server = await startServer({ limits: { noProgressMs: 2000 } })));
after(() => server.stop());

const SLOW = 20;
const TEXT = 'y'.repeat(15_000);

test('slow readers: twenty clients that stop reading hold at most the bound each and are all cut off; the others get every message', async () => {
  const bound = DEFAULT_LIMITS.behindBytes + DEFAULT_LIMITS.catchUpPageBytes;
  assert.ok(bound < DEFAULT_LIMITS.maxOutputBytes);
  const slow: TestClient[] = [];
  for (let i = 0; i < SLOW; i++) {
    const client = await TestClient.as(server.port, `Slow${i}`);
    client.socket.pause(); // reads nothing more: the kernel buffers fill, then the server's
    slow.push(client);
  }
  const reader = await TestClient.as(server.port, 'Reader');
  const talker = await TestClient.as(server.port, 'Talker');
  const sender = await TestClient.as(server.port, 'Loud');
  const slowOnline = async () =>
    ((await reader.ok({ status: 'who' })).users as string[]).filter((u) => u.startsWith('Slow')).length;
  const slowConnections = () => [...server.server.connections].filter((c) => c.session?.name.startsWith('Slow'));
  let most = 0;
  const measure = () => {
    for (const conn of slowConnections()) most = Math.max(most, conn.unsentBytes);
  };
  // Broadcast until every slow reader has fallen behind (bounded: at most 60 MB of text)...
  let sent = 0;
  while (sent < 4000 && !slowConnections().every((c) => c.session?.catchUp != null)) {
    await sender.ok({ status: 'broadcast', text: `${sent}:${TEXT}` }, 10_000);
    sent++;
    measure();
  }
  // ...then wait for the server to let go of them once they have made no progress for noProgressMs
  // (bounded: 20 s). How fast the broadcasts go depends on the machine: wait for the event, not a count.
  const deadline = performance.now() + 20_000;
  while ((await slowOnline()) > 0 && performance.now() < deadline) measure();
  assert.ok(most <= bound, `at most ${bound} bytes held for a slow reader, saw ${most}`);
  assert.equal(await slowOnline(), 0, `every slow reader was cut off (after ${sent} broadcasts)`);
  // A paused socket does not notice its end: once it reads again it finds the connection closed.
  for (const c of slow) c.socket.resume();
  await withTimeout(Promise.all(slow.map((c) => c.closed)), 10_000, 'every slow reader to see its connection closed');
  // The ones that read got every broadcast, in order, and still chat.
  await reader.event('broadcast', { text: `${sent - 1}:${TEXT}` }, 10_000);
  const got = reader.received.filter((m) => m.status === 'broadcast').map((m) => Number(m.text.split(':')[0]));
  assert.deepEqual(
    got,
    Array.from({ length: sent }, (_, i) => i),
  );
  await assertPrivateFlows(talker, reader);
  for (const c of [reader, talker, sender]) await c.close();
});
