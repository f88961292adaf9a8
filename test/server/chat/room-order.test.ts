// One order per room (issue #4): with several members sending at once, every member and `history`
// see the room's messages in the same order, with seq increasing by one.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { fullHistory, withTimeout } from '../../helpers/expect.js';
import { startServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

const MEMBERS = 5;
const EACH = 100;

test('room order: concurrent senders, one order for every member and for history', async () => {
  const clients: TestClient[] = [];
  for (let i = 0; i < MEMBERS; i++) clients.push(await TestClient.as(server.port, `Order${i}`));
  await clients[0]!.ok({ status: 'create', receiver: 'Ordered', members: clients.slice(1).map((c) => c.label) });
  // Everyone pipelines at once.
  for (const [i, c] of clients.entries())
    for (let n = 0; n < EACH; n++) c.send({ status: 'group', receiver: 'Ordered', text: `${i}:${n}` });
  const total = MEMBERS * EACH;
  const seen = (c: TestClient) => c.received.filter((m) => m.status === 'group');
  await withTimeout(
    Promise.all(
      clients.map(
        (c) =>
          new Promise<void>((resolve) => {
            const check = () => seen(c).length >= total - EACH && resolve();
            c.socket.on('data', check);
            check();
          }),
      ),
    ),
    10_000,
    "every member to get the others' messages",
  );
  const history = (await fullHistory(clients[0]!, 'Ordered')).filter((m) => m.status === 'group');
  assert.equal(history.length, total);
  const order = history.map((m) => m.text);
  for (let i = 1; i < history.length; i++)
    assert.equal(history[i]!.seq, history[i - 1]!.seq + 1, 'seq increases by one');
  for (const [i, c] of clients.entries()) {
    // Each member sees everyone else's messages in history's order (its own come back as replies).
    const expected = order.filter((text) => !text.startsWith(`${i}:`));
    assert.deepEqual(
      seen(c).map((m) => m.text),
      expected,
      `${c.label} sees the room's order`,
    );
  }
  // And each sender's own messages keep the order they were sent in.
  for (let i = 0; i < MEMBERS; i++) {
    const own = order.filter((text) => text.startsWith(`${i}:`));
    assert.deepEqual(
      own,
      Array.from({ length: EACH }, (_, n) => `${i}:${n}`),
    );
  }
  for (const c of clients) await c.close();
});
