/**
 * The name registry contract (issue #15): one suite for every backend (local-bus.test.ts, redis.test.ts).
 * `makeRegistry(cluster, nodeId, timing)` makes one node's registry; registries of one `cluster` share
 * their names. Timing tests use short TTLs and wait for the outcome with a timeout.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { NameRegistry, RegistryTiming } from '../../../src/server/bus/name-registry.js';
import { uniqueName } from '../../helpers/services.js';

export type MakeRegistry = (cluster: string, nodeId: string, timing?: Partial<RegistryTiming>) => NameRegistry;

/** Retries `claim` until it succeeds; resolves with the time it did. Each try is a round trip, no sleep. */
async function claimWhenFree(registry: NameRegistry, name: string, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if ((await registry.claim(name)) === true) return performance.now();
    if (performance.now() > deadline) throw new Error(`${name} was not freed within ${timeoutMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export function registrySuite(name: string, makeRegistry: MakeRegistry, skip: string | false = false): void {
  describe(`#15 name registry contract: ${name}`, { skip }, () => {
    const open: NameRegistry[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((registry) => registry.close()));
    });

    function cluster(nodes: string[], timing?: Partial<RegistryTiming>): NameRegistry[] {
      const id = uniqueName('names');
      const registries = nodes.map((node) => makeRegistry(id, node, timing));
      open.push(...registries);
      return registries;
    }

    test('claim, owner and release: a name is held by one node, and free again once released', async () => {
      const [a, b] = cluster(['a', 'b']);
      assert.equal(await a!.owner('alice'), null);
      assert.equal(await a!.claim('alice'), true);
      assert.equal(await a!.claim('alice'), true, 'claiming a name it holds again succeeds');
      assert.equal(await b!.owner('alice'), 'a');
      assert.equal(await b!.claim('alice'), 'a', 'a second node gets the owner');
      assert.equal(await b!.claim('bob'), true, 'other names are unaffected');
      await a!.release('alice');
      assert.equal(await b!.owner('alice'), null);
      assert.equal(await b!.claim('alice'), true);
      assert.equal(await a!.owner('alice'), 'b');
    });

    test('a release sent while the claim is still on its way frees the name once the claim lands', async () => {
      // A client that logs in and drops at once: its disconnect releases the name its login is claiming.
      const [a, b] = cluster(['a', 'b']);
      const claimed = a!.claim('alice');
      const released = a!.release('alice');
      assert.equal(await claimed, true);
      await released;
      assert.equal(await b!.owner('alice'), null, 'not left held by a live node');
      assert.equal(await b!.claim('alice'), true);
    });

    test('a release by a node that does not hold the name does nothing', async () => {
      const [a, b] = cluster(['a', 'b']);
      assert.equal(await a!.claim('alice'), true);
      await b!.release('alice');
      await b!.release('never-claimed');
      assert.equal(await b!.owner('alice'), 'a');
      assert.equal(await b!.claim('alice'), 'a');
    });

    test('nodes racing for one name: exactly one wins, every round', async () => {
      const registries = cluster(['a', 'b', 'c']);
      for (let round = 0; round < 100; round++) {
        const name = `user${round}`;
        const results = await Promise.all(registries.map((r) => r.claim(name)));
        const winners = registries.filter((_, i) => results[i] === true).map((r) => r.nodeId);
        assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(results)}`);
        for (const result of results)
          assert.ok(result === true || result === winners[0], `round ${round}: losers see the winner`);
        assert.equal(await registries[0]!.owner(name), winners[0]);
      }
    });

    test('a closed node frees its names at once; one that stops heartbeating, after the TTL and not before', async () => {
      const timing = { ttlMs: 800, heartbeatMs: 100 };
      const [a, b, c] = cluster(['a', 'b', 'c'], timing);
      assert.equal(await a!.claim('leaves'), true);
      await a!.close();
      assert.equal(await b!.claim('leaves'), true, 'released on a clean close');

      assert.equal(await c!.claim('dies'), true);
      // c's mark was refreshed by that claim at the latest: from here it lasts ttlMs without a heartbeat.
      const lastRefresh = performance.now();
      await c!.close({ keepNames: true }); // what kill -9 leaves behind
      assert.equal(await b!.claim('dies'), 'c', 'held right after the heartbeat stopped');
      assert.equal(await b!.owner('dies'), 'c');
      const freedAt = await claimWhenFree(b!, 'dies', timing.ttlMs + 3000);
      const after = freedAt - lastRefresh;
      assert.ok(after >= timing.ttlMs - 50, `freed ${Math.round(after)} ms after the last heartbeat, before the TTL`);
      assert.ok(after <= timing.ttlMs + 1000, `freed ${Math.round(after)} ms after the last heartbeat, too late`);
      assert.equal(await b!.owner('dies'), 'b');
    });

    test('a node that keeps heartbeating keeps its names past several TTLs', async () => {
      const timing = { ttlMs: 300, heartbeatMs: 60 };
      const [a, b] = cluster(['a', 'b'], timing);
      assert.equal(await a!.claim('alice'), true);
      // What is tested is time passing: three TTLs, over which a's heartbeat must keep its mark alive.
      await new Promise((resolve) => setTimeout(resolve, 3 * timing.ttlMs));
      assert.equal(await b!.claim('alice'), 'a');
    });

    test('close leaves no socket or timer behind, and twice is fine', async () => {
      const handles = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout');
      const before = handles().length;
      const [a] = cluster(['a']);
      assert.equal(await a!.claim('alice'), true);
      await a!.close();
      await a!.close();
      assert.equal(handles().length, before, `handles left: ${process.getActiveResourcesInfo().join(', ')}`);
      await assert.rejects(a!.claim('bob'), /closed/);
    });

    test('the timing is checked: a heartbeat slower than the TTL is refused', () => {
      assert.throws(() => makeRegistry(uniqueName('names'), 'a', { ttlMs: 100, heartbeatMs: 100 }), /heartbeat/);
    });
  });
}
