// Issue #15: Redis restarting is survivable. This test runs its own redis-server (no persistence, so a
// restart forgets every key and subscription), kills it with SIGKILL and starts it again on the same port:
// the buses report the gap, resubscribe and deliver again, and the name registries claim their names
// again, so a third node's claim of a held name still fails. Skipped with the reason when redis-server is
// not installed, unless CLASSCHAT_TEST_REQUIRE_SERVICES=1.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { after, test } from 'node:test';
import { RedisBus } from '../../../src/server/bus/redis-bus.js';
import { RedisNameRegistry } from '../../../src/server/bus/redis-name-registry.js';
import { withTimeout } from '../../helpers/expect.js';
import { LogCapture } from '../../helpers/log.js';
import { GapLog, Inbox } from './inbox.js';

const REQUIRED = process.env.CLASSCHAT_TEST_REQUIRE_SERVICES === '1';
const installed = spawnSync('redis-server', ['--version']).error === undefined;
if (!installed && REQUIRED) throw new Error('CLASSCHAT_TEST_REQUIRE_SERVICES=1 but redis-server is not installed');
const SKIP = installed ? false : 'redis-server is not installed (Debian: apt-get install redis-server)';

const servers: ChildProcess[] = [];
after(async () => {
  await Promise.all(servers.map(kill));
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** A redis-server on `port` with nothing persisted; resolves once it accepts connections. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  servers.push(child);
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready: ${output}`)));
  });
  await withTimeout(ready, 10_000, 'redis-server to start');
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

test(
  '#15 Redis killed and restarted empty: buses report the gap, resubscribe and deliver; registries re-assert their names',
  { skip: SKIP, timeout: 60_000 },
  async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    let redis = await startRedis(port);
    const logs = new LogCapture();
    const log = logs.logger;
    const timing = { ttlMs: 5000, heartbeatMs: 500 };
    const a = new RedisBus({ url, nodeId: 'a', log });
    const b = new RedisBus({ url, nodeId: 'b', log });
    const registryA = new RedisNameRegistry({ url, nodeId: 'a', log, timing });
    const registryB = new RedisNameRegistry({ url, nodeId: 'b', log, timing });
    const closing = [a, b, registryA, registryB];
    try {
      const atA = new Inbox();
      const atB = new Inbox();
      const gapsA = new GapLog();
      const gapsB = new GapLog();
      a.onGap(gapsA.listener);
      b.onGap(gapsB.listener);
      await a.subscribe('room', atA.handler);
      await b.subscribe('room', atB.handler);
      a.publish('room', Buffer.from('before'));
      await atB.untilText('before');
      assert.equal(await registryA.claim('alice'), true);
      assert.equal(await registryB.claim('bob'), true);

      await kill(redis);
      redis = await startRedis(port);

      // Each bus notices, reconnects, subscribes again and only then reports the gap.
      await gapsA.until(1, "a's gap", 15_000);
      await gapsB.until(1, "b's gap", 15_000);
      assert.deepEqual(gapsA.gaps, [{ reason: 'reconnected' }]);
      assert.deepEqual(gapsB.gaps, [{ reason: 'reconnected' }]);
      a.publish('room', Buffer.from('after from a'));
      b.publish('room', Buffer.from('after from b'));
      await atB.untilText('after from a');
      await atA.untilText('after from b');
      // Two publishers have no order between them; each one's messages arrive once, in its order.
      for (const inbox of [atA, atB]) {
        assert.deepEqual(inbox.from('a'), ['before', 'after from a']);
        assert.deepEqual(inbox.from('b'), ['after from b']);
      }

      // The restart wiped the names; each registry finds its mark gone and claims its names again.
      for (const node of ['a', 'b']) {
        await logs.waitFor(
          (e) => e.msg === 'name registry: names re-asserted' && e.node === node,
          `${node} re-asserted`,
          15_000,
        );
      }
      const third = new RedisNameRegistry({ url, nodeId: 'c', log, timing });
      closing.push(third);
      assert.equal(await third.claim('alice'), 'a');
      assert.equal(await third.claim('bob'), 'b');
      assert.equal(await third.claim('carol'), true);
    } finally {
      await Promise.all(closing.map((c) => c.close()));
      await kill(redis);
    }
  },
);
