// Issue #15: Redis restarting is survivable. This test runs its own redis-server (no persistence, so a
// restart forgets every key and subscription), kills it with SIGKILL and starts it again on the same port:
// the buses report the gap, resubscribe and deliver again, and the name registries claim their names
// again, so a third node's claim of a held name still fails. Skipped with the reason when redis-server is
// not installed, unless CLASSCHAT_TEST_REQUIRE_SERVICES=1.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, test } from 'node:test';
import { RedisBus } from '../../../src/server/bus/redis-bus.js';
import { RedisNameRegistry } from '../../../src/server/bus/redis-name-registry.js';
import { freePort } from '../../helpers/server.js';
import { killProcess, REDIS_SERVER_SKIP, startRedis } from '../../helpers/redis-server.js';
import { LogCapture } from '../../helpers/log.js';
import { GapLog, Inbox } from './inbox.js';

const servers: ChildProcess[] = [];
after(async () => {
  await Promise.all(servers.map(killProcess));
});

/** This file's redis-server on `port`, killed after the tests whatever happens. */
async function startOwnRedis(port: number): Promise<ChildProcess> {
  const child = await startRedis(port);
  servers.push(child);
  return child;
}

test(
  '#15 Redis killed and restarted empty: buses report the gap, resubscribe and deliver; registries re-assert their names',
  { skip: REDIS_SERVER_SKIP, timeout: 60_000 },
  async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    let redis = await startOwnRedis(port);
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

      await killProcess(redis);
      redis = await startOwnRedis(port);

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
      await killProcess(redis);
    }
  },
);
