// Issue #11.6: catch-up at login reads each conversation newest first, a page at a time, merges them
// by message id, and stops at the count and byte budgets: it reads about what it sends.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestClient, type Obj } from '../../helpers/client.js';
import { startServer } from '../../helpers/server.js';
import type { Store } from '../../../src/server/store/store.js';

/** Counts the message rows the store hands to catch-up (whichever query it uses). */
function countRowsRead(store: Store): { rows: number } {
  const counter = { rows: 0 };
  const spied = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown[]>>;
  for (const method of ['pendingIn', 'pendingFor']) {
    const original = spied[method];
    if (typeof original !== 'function') continue;
    spied[method] = async (...args: unknown[]) => {
      const rows = await original.apply(store, args);
      counter.rows += rows.length;
      return rows;
    };
  }
  return counter;
}

test('#11.6 waiting messages from several rooms and private conversations arrive merged, newest kept, oldest first', async () => {
  const server = await startServer({ limits: { offlineDeliveryLimit: 10 } });
  const away = await TestClient.as(server.port, 'Away');
  const bob = await TestClient.as(server.port, 'Bob');
  const carol = await TestClient.as(server.port, 'Carol');
  for (const room of ['r1', 'r2']) await bob.ok({ status: 'create', receiver: room, members: ['Away', 'Carol'] });
  await away.ok({ status: 'exit' });
  const sent: Obj[] = [];
  const sends = [
    (i: number) => bob.ok({ status: 'group', receiver: 'r1', text: `m${i}` }),
    (i: number) => carol.ok({ status: 'private', receiver: 'Away', text: `m${i}` }),
    (i: number) => carol.ok({ status: 'group', receiver: 'r2', text: `m${i}` }),
    (i: number) => bob.ok({ status: 'private', receiver: 'Away', text: `m${i}` }),
  ];
  for (let i = 0; i < 30; i++) sent.push(await sends[(i * 7) % 4]!(i));
  const back = await TestClient.connect(server.port, 'Away');
  const reply = await back.comeBackAs(away);
  assert.equal(reply.waiting, 10);
  assert.equal(reply.truncated, true);
  await back.waitFor((m) => m.msgid === sent[29]!.msgid, 3000, 'the newest waiting message');
  const delivered = back.received.filter((m) => m.ref === undefined && typeof m.msgid === 'number');
  assert.deepEqual(
    delivered.map((m) => m.text),
    sent.slice(20).map((_, i) => `m${i + 20}`),
  );
  for (const c of [back, bob, carol]) await c.close();
  await server.stop();
});

test('#11.6 a login reads about as many waiting messages as it sends, not the newest 10,000', async () => {
  const server = await startServer({ limits: { offlineDeliveryBytes: 16 * 1024 } });
  const away = await TestClient.as(server.port, 'Reader');
  const talker = await TestClient.as(server.port, 'Talker');
  await talker.ok({ status: 'create', receiver: 'busy', members: ['Reader'] });
  await away.ok({ status: 'exit' });
  const text = 'z'.repeat(1024);
  const last = await Promise.all(
    Array.from({ length: 3000 }, () => talker.request({ status: 'group', receiver: 'busy', text })),
  );
  assert.ok(last.every((r) => r.status === 'ok'));
  talker.received.length = 0;
  const reads = countRowsRead(server.server.chat.store);
  const back = await TestClient.connect(server.port, 'Reader');
  const reply = await back.comeBackAs(away);
  assert.equal(reply.truncated, true);
  assert.ok(reply.waiting >= 10 && reply.waiting <= 16, `16 KiB holds 10-16 messages of 1 KiB, not ${reply.waiting}`);
  // Pages of 8, 16, 32...: at most twice what was sent plus one page.
  assert.ok(reads.rows > 0 && reads.rows <= 2 * reply.waiting + 8, `read ${reads.rows} rows to send ${reply.waiting}`);
  for (const c of [back, talker]) await c.close();
  await server.stop();
});
