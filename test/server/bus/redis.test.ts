// Issue #15: the Redis bus and name registry pass the contracts the local ones pass, on the Redis of
// CLASSCHAT_TEST_REDIS_URL (skipped with the reason when it is not set). Each test's cluster is a fresh
// key and channel prefix, so test files running side by side never meet.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { encodeFrame } from '../../../src/server/bus/frame.js';
import { RedisBus } from '../../../src/server/bus/redis-bus.js';
import { RedisNameRegistry } from '../../../src/server/bus/redis-name-registry.js';
import { withTimeout } from '../../helpers/expect.js';
import { REDIS_SKIP, REDIS_URL, uniqueName } from '../../helpers/services.js';
import { busSuite } from './bus-suite.js';
import { GapLog, Inbox } from './inbox.js';
import { registrySuite } from './registry-suite.js';

const log = pino({ level: 'silent' });
const url = REDIS_URL ?? '';

busSuite('redis', (cluster, nodeId) => new RedisBus({ url, nodeId, log, prefix: `${cluster}:` }), REDIS_SKIP);
registrySuite(
  'redis',
  (cluster, nodeId, timing) => new RedisNameRegistry({ url, nodeId, log, prefix: `${cluster}:`, timing }),
  REDIS_SKIP,
);

test(
  "#15 a jump in a publisher's numbering is reported as a gap and still delivered; a repeat is dropped",
  { skip: REDIS_SKIP },
  async () => {
    const prefix = `${uniqueName('bus')}:`;
    const bus = new RedisBus({ url, nodeId: 'b', log, prefix });
    const raw = new Redis(url);
    try {
      const inbox = new Inbox();
      const gaps = new GapLog();
      bus.onGap(gaps.listener);
      await bus.subscribe('t', inbox.handler);
      // Node x's messages 1, 3 (2 was lost on the way), 3 again (a resend) and 4, as Redis would forward them.
      for (const [seq, text] of [
        [1, 'one'],
        [3, 'three'],
        [3, 'three again'],
        [4, 'four'],
      ] as const) {
        await raw.publish(`${prefix}t`, encodeFrame({ fromNode: 'x', epoch: 9, seq, payload: Buffer.from(text) }));
      }
      await inbox.untilText('four');
      assert.deepEqual(inbox.texts(), ['one', 'three', 'four']);
      assert.deepEqual(gaps.gaps, [{ reason: 'skipped', topic: 't', fromNode: 'x' }]);
    } finally {
      await bus.close();
      raw.disconnect();
    }
  },
);

test(
  '#15 a name another node took while Redis had forgotten it is reported lost; the others are claimed again',
  { skip: REDIS_SKIP },
  async () => {
    const prefix = `${uniqueName('names')}:`;
    const timing = { ttlMs: 2000, heartbeatMs: 100 };
    const a = new RedisNameRegistry({ url, nodeId: 'a', log, prefix, timing });
    const c = new RedisNameRegistry({ url, nodeId: 'c', log, prefix, timing });
    const raw = new Redis(url);
    try {
      assert.equal(await a.claim('alice'), true);
      assert.equal(await a.claim('bob'), true);
      const lost = new Promise<[string, string]>((resolve) => a.onLost((name, owner) => resolve([name, owner])));
      // What a Redis restart does to this cluster's keys, without the restart (redis-restart.test.ts has that).
      const keys = await raw.keys(`${prefix}*`);
      assert.ok(keys.length >= 2, `the names hash and a's mark exist: ${keys.join(', ')}`);
      await raw.del(...keys);
      assert.equal(await c.claim('alice'), true, 'free while forgotten');
      assert.deepEqual(await withTimeout(lost, 3000, "a's next heartbeat to report alice lost"), ['alice', 'c']);
      assert.equal(await c.claim('bob'), 'a', 'claimed again by a');
      assert.equal(await a.owner('alice'), 'c');
      await a.release('alice'); // no longer a's: must not free c's claim
      assert.equal(await a.owner('alice'), 'c');
    } finally {
      await Promise.all([a.close(), c.close()]);
      raw.disconnect();
    }
  },
);
