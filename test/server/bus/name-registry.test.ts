// Issue #15: what the registry base does over any backend: a release the backend refused is not forgotten
// (the name would stay this live node's for good), it is retried at the next heartbeat.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LocalNameRegistry, LocalNameTable } from '../../../src/server/bus/local-name-registry.js';
import { withTimeout } from '../../helpers/expect.js';
import { LogCapture } from '../../helpers/log.js';

/** A local registry whose backend refuses the next `refusals` releases, as an unreachable Redis would. */
class RefusingRegistry extends LocalNameRegistry {
  refusals = 0;
  private beats = 0;
  private beatWaiters: { count: number; resolve: () => void }[] = [];

  /** Resolves after `count` more heartbeats have run. */
  heartbeats(count: number): Promise<void> {
    return new Promise((resolve) => this.beatWaiters.push({ count: this.beats + count, resolve }));
  }

  protected override async beat(): Promise<boolean> {
    const wasAlive = await super.beat();
    this.beats++;
    for (const waiter of this.beatWaiters.filter((w) => w.count <= this.beats)) {
      this.beatWaiters.splice(this.beatWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    return wasAlive;
  }

  protected override tryRelease(names: string[], options?: { leaving: boolean }): Promise<void> {
    if (this.refusals > 0) {
      this.refusals--;
      return Promise.reject(new Error('backend unreachable'));
    }
    return super.tryRelease(names, options);
  }
}

test('#15 a release the backend refused is carried out at a later heartbeat', async () => {
  const logs = new LogCapture();
  const table = new LocalNameTable();
  const timing = { ttlMs: 60_000, heartbeatMs: 50 };
  const a = new RefusingRegistry('a', logs.logger, timing, table);
  const b = new LocalNameRegistry('b', logs.logger, timing, table);
  try {
    assert.equal(await a.claim('alice'), true);
    a.refusals = 1;
    await a.release('alice');
    await logs.waitFor(
      (e) => e.msg === 'name registry: release failed; retrying at the next heartbeat',
      'the refused release',
    );
    assert.equal(a.refusals, 0);
    // Within a heartbeat or so, long before the TTL could free it.
    const deadline = performance.now() + 2000;
    while ((await b.owner('alice')) !== null) {
      assert.ok(performance.now() < deadline, 'alice was never released');
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(await b.claim('alice'), true);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('#15 a name claimed again before the retried release went out stays claimed', async () => {
  const logs = new LogCapture();
  const table = new LocalNameTable();
  const timing = { ttlMs: 60_000, heartbeatMs: 20 };
  const a = new RefusingRegistry('a', logs.logger, timing, table);
  const b = new LocalNameRegistry('b', logs.logger, timing, table);
  try {
    assert.equal(await a.claim('alice'), true);
    a.refusals = 1;
    await a.release('alice');
    assert.equal(await a.claim('alice'), true, 'the same user back on this node');
    // Several heartbeats later the leftover release must not have freed the held name.
    await withTimeout(a.heartbeats(3), 2000, 'three heartbeats');
    assert.equal(await b.claim('alice'), 'a');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
