// Review of #15 (h-review3): presence after a Redis outage longer than the registry's TTL (10 s). While
// Redis is down no beat is heard, so every other node is "silent"; the sweep keeps them while the
// registry cannot be asked. When Redis is back (empty, or with the marks expired) the sweep runs every
// second, but a node re-marks itself and re-asserts its names only at its next heartbeat (every 3 s): a
// sweep in between finds the silent node's first user unowned, declares the node dead and tells its
// contacts here `disconnect` for users who never left. The roster that follows puts them back in `who`
// without a `connect`. Expected: no `disconnect` for a user who stayed online. Fails on 9bb8ec0 when
// the sweep comes first (most runs: a 1 s sweep against a 3 s heartbeat).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, test } from 'node:test';
import { TestClient, type Obj } from '../../../helpers/client.js';
import { killProcess, REDIS_SERVER_SKIP, startRedis } from '../../../helpers/redis-server.js';
import { freePort, startServer, type TestServer } from '../../../helpers/server.js';
import { freshPostgresSchema, POSTGRES_SKIP } from '../../../helpers/services.js';

const servers: ChildProcess[] = [];
after(async () => {
  await Promise.all(servers.map(killProcess));
});

test(
  'review3: a Redis outage past the TTL does not tell anyone that users of another node left',
  { skip: POSTGRES_SKIP || REDIS_SERVER_SKIP, timeout: 90_000 },
  async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    let redis = await startRedis(port);
    servers.push(redis);
    const schema = await freshPostgresSchema();
    const nodes: TestServer[] = [];
    try {
      nodes.push(await startServer({ store: schema.url, bus: url, busPrefix: 'r3:' }));
      nodes.push(await startServer({ store: schema.url, bus: url, busPrefix: 'r3:' }));
      const [a, b] = nodes as [TestServer, TestServer];
      const alice = await TestClient.as(a.port, 'Alice');
      const bob = await TestClient.as(b.port, 'Bob');
      const hi = await bob.ok({ status: 'private', receiver: 'Alice', text: 'hi' });
      await alice.event('private', { msgid: hi.msgid });
      for (;;) {
        if (((await alice.ok({ status: 'who' })).users as string[]).includes('Bob')) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await killProcess(redis);
      await new Promise((resolve) => setTimeout(resolve, 13_000));
      redis = await startRedis(port);
      servers.push(redis);
      // Back to normal: node a lists Bob, and a message from Bob still arrives.
      const deadline = performance.now() + 20_000;
      let settled = 0;
      while (performance.now() < deadline) {
        const listed = ((await alice.ok({ status: 'who' })).users as string[]).includes('Bob');
        settled = listed ? settled + 1 : 0;
        if (settled >= 20) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const told = alice.received.filter((m: Obj) => m.event === 'disconnect' || m.event === 'connect');
      console.log(`# review3: presence events Alice got for Bob: ${JSON.stringify(told.map((m: Obj) => m.event))}`);
      assert.deepEqual(
        told.map((m: Obj) => `${String(m.event)} ${String(m.sender)}`),
        [],
        'Bob never left: Alice is told nothing',
      );
      await alice.close();
      await bob.close();
    } finally {
      for (const node of nodes) await node.stop().catch(() => {});
      await schema.drop();
    }
  },
);
