// Connection caps (issue #4): a per-address cap with an exempt list, and a total cap. A refused
// connection is told why (too_many_connections) and closed; the ones already open are unaffected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { assertPrivateFlows, expectClosed } from '../../helpers/expect.js';
import { startServer } from '../../helpers/server.js';

async function openMany(port: number, count: number): Promise<TestClient[]> {
  const clients = [];
  for (let i = 0; i < count; i++) clients.push(await TestClient.connect(port, `c${i}`));
  // A round trip on each proves it was admitted.
  await Promise.all(clients.map((c) => c.ok({ status: 'ping' })));
  return clients;
}

test('connection caps: past the per-address cap a connection gets too_many_connections; closing one makes room', async () => {
  const server = await startServer({ limits: { maxPerAddress: 4 } });
  const open = await openMany(server.port, 4);
  const refused = await TestClient.connect(server.port, 'fifth');
  const notice = await refused.waitFor((m) => m.code === 'too_many_connections', 3000, 'the refusal');
  assert.match(notice.text, /127\.0\.0\.1/);
  await expectClosed(refused);
  await open[0]!.close();
  // The slot is free once the server has seen the close; retry until then (bounded).
  let admitted: TestClient | null = null;
  for (let attempt = 0; attempt < 50 && admitted === null; attempt++) {
    const next = await TestClient.connect(server.port, 'retry');
    const reply = await Promise.race([
      next.request({ status: 'ping' }).catch(() => null),
      next.closed.then(() => null),
    ]);
    if (reply?.status === 'ok') admitted = next;
    else await next.close();
  }
  assert.ok(admitted, 'a connection is admitted again after one closed');
  for (const c of [...open.slice(1), admitted]) await c.close();
  await server.stop();
});

test('connection caps: an exempt address (a classroom behind NAT) is not held to the per-address cap', async () => {
  const server = await startServer({ limits: { maxPerAddress: 2 }, exempt: ['127.0.0.0/8'] });
  const open = await openMany(server.port, 6);
  const a = await TestClient.as(server.port, 'NatA');
  const b = await TestClient.as(server.port, 'NatB');
  await assertPrivateFlows(a, b);
  for (const c of [...open, a, b]) await c.close();
  await server.stop();
});

test('connection caps: past the total cap a connection is refused and the others keep working', async () => {
  const server = await startServer({ limits: { maxConnections: 3 }, exempt: ['127.0.0.1'] });
  const a = await TestClient.as(server.port, 'CapA');
  const b = await TestClient.as(server.port, 'CapB');
  const c = await TestClient.connect(server.port, 'CapC');
  const refused = await TestClient.connect(server.port, 'CapD');
  const notice = await refused.waitFor((m) => m.code === 'too_many_connections', 3000, 'the refusal');
  assert.match(notice.text, /full/);
  await expectClosed(refused);
  await assertPrivateFlows(a, b);
  for (const client of [a, b, c]) await client.close();
  await server.stop();
});
