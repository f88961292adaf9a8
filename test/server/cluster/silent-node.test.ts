// #15 (found in review): a batch of several statements (any tick with a write that is not a message: a
// join, a login's cursors...) holds the commit-order counter row from its BEGIN to its COMMIT across
// client round trips. A node that goes silent in between (a network partition, a paused VM: no FIN, no
// RST reaches PostgreSQL) left its backend "idle in transaction" holding the row for hours, and every
// other node's commits failed at statement_timeout as "unreachable": the whole cluster answered
// `unavailable`. The write connection's idle_in_transaction_session_timeout now ends such a session within
// a few seconds (postgres-driver.ts, WRITE_SETTINGS).
// The proxy below models the partition: once node b has sent a BEGIN, nothing more passes either way, and
// closing node b's side does not close PostgreSQL's (as across a real partition).
// Expected: node a keeps serving (a message answered ok within 5 s), right after the partition and once
// node b's own client gave up (query_timeout 15 s).
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { freshPostgresSchema, POSTGRES_URL, queryRows, REDIS_URL, uniqueName } from '../../helpers/services.js';
import { CLUSTER_SKIP as SKIP } from './with-nodes.js';

/** Forwards to PostgreSQL until the first BEGIN after arm(); then every connection falls silent. */
class PartitionProxy {
  private armed = false;
  silent = false;
  private readonly upstreams = new Set<net.Socket>();
  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(target: URL): Promise<PartitionProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new PartitionProxy(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (client) => proxy.forward(client, target));
    return proxy;
  }

  arm(): void {
    this.armed = true;
  }

  async close(): Promise<void> {
    for (const s of this.upstreams) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(client: net.Socket, target: URL): void {
    client.on('error', () => {});
    const upstream = net.connect({ port: Number(target.port || 5432), host: target.hostname });
    upstream.on('error', () => {});
    this.upstreams.add(upstream);
    // Across a partition PostgreSQL hears nothing of the client going away: upstream stays open.
    client.on('close', () => {
      if (!this.silent) upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk: Buffer) => {
      if (this.silent) return;
      upstream.write(chunk);
      if (this.armed && chunk[0] === 0x51 && chunk.subarray(5, 10).toString('latin1') === 'BEGIN') this.silent = true;
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!this.silent) client.write(chunk);
    });
  }
}

/** Whether `client`'s post to `room` is answered ok within `ms`. */
async function postsWithin(client: TestClient, room: string, text: string, ms: number): Promise<string> {
  const started = performance.now();
  const reply = await client.request({ status: 'group', receiver: room, text }, 30_000);
  return `${String(reply.status)}${reply.code ? `/${String(reply.code)}` : ''} after ${Math.round(performance.now() - started)} ms (bound ${ms})`;
}

test(
  'a node partitioned mid-transaction does not stop the other nodes from committing',
  { skip: SKIP, timeout: 120_000 },
  async () => {
    const schema = await freshPostgresSchema();
    const proxy = await PartitionProxy.start(new URL(POSTGRES_URL!));
    const viaProxy = new URL(schema.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const busPrefix = `${uniqueName('silent')}:`;
    const nodes: TestServer[] = [];
    try {
      nodes.push(await startServer({ store: schema.url, bus: REDIS_URL, busPrefix }));
      nodes.push(await startServer({ store: viaProxy.toString(), bus: REDIS_URL, busPrefix }));
      const [a, b] = nodes as [TestServer, TestServer];
      const ann = await TestClient.as(a.port, 'Ann');
      const ben = await TestClient.as(b.port, 'Ben');
      await ann.ok({ status: 'create', receiver: 'Class' });
      await ann.ok({ status: 'create', receiver: 'Open' });
      assert.match(await postsWithin(ann, 'Class', 'before', 5000), /^ok/);
      // Ben joins a room on node b: a batch of several statements (the membership row, then the event).
      proxy.arm();
      ben.send({ status: 'join', receiver: 'Open' });
      await new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + 10_000;
        const poll = () =>
          proxy.silent ? resolve() : Date.now() > deadline ? reject(new Error('no BEGIN')) : setImmediate(poll);
        poll();
      });
      const first = await postsWithin(ann, 'Class', 'during', 5000);
      // 30 s after the partition node b's own client gave up on its batch long ago (query_timeout 15 s);
      // PostgreSQL has not: node a is given 10 s more to serve a post (each `unavailable` is tried again).
      await new Promise((resolve) => setTimeout(resolve, 20_000));
      let later = '';
      const until = performance.now() + 10_000;
      while (performance.now() < until) {
        later = await postsWithin(ann, 'Class', 'later', 5000);
        if (later.startsWith('ok')) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const held = await queryRows<{ state: string; secs: number }>(
        POSTGRES_URL!,
        `SELECT state, extract(epoch FROM now() - state_change)::int AS secs FROM pg_stat_activity
         WHERE state = 'idle in transaction' AND query LIKE 'BEGIN; SELECT value FROM counters%'`,
      );
      const results = { first, later, heldBy: held };
      console.log(`# silent node: node a while node b is partitioned mid-transaction: ${JSON.stringify(results)}`);
      const inTime = (r: string) => r.startsWith('ok') && Number(/after (\d+)/.exec(r)![1]) <= 5000;
      assert.ok(inTime(first) && inTime(later), JSON.stringify(results));
      await ann.close();
      await ben.close();
    } finally {
      await proxy.close(); // ends the held session: PostgreSQL frees the row
      for (const node of nodes) await node.stop().catch(() => {});
      await schema.drop();
    }
  },
);
