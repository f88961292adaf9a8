// The idle collection (issue #16): once the process has been quiet for quietMs after a burst, one
// memory-reducing collection runs and is logged at debug level with its pause; while requests keep
// coming it never runs, however long the traffic lasts. Over real sockets, with a short quiet window.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import type { IdleCollectionReport } from '../../src/server/idle-collection.js';
import { TestClient } from '../helpers/client.js';
import { LogCapture } from '../helpers/log.js';
import { startServer, type TestServer } from '../helpers/server.js';

const QUIET_MS = 300;
/** Steady traffic lasts this many quiet windows: each would have been enough for a collection. */
const TRAFFIC_WINDOWS = 5;

const log = new LogCapture();
let server: TestServer;
before(
  async () =>
    // No growth floor: any quiet window is worth a collection here, so only the traffic holds it off.
    (server = await startServer({
      log: log.logger,
      idleCollection: { quietMs: QUIET_MS, minGrowthBytes: 0, pollMs: 50 },
    })),
);
after(() => server.stop());

function nextCollection(timeoutMs = 5000): Promise<IdleCollectionReport> {
  const collection = server.server.idleCollection!;
  return once(collection, 'collected', { signal: AbortSignal.timeout(timeoutMs) }).then(
    ([report]) => report as IdleCollectionReport,
  );
}

test('idle collection: never during steady traffic, once the traffic stops', async () => {
  const collection = server.server.idleCollection!;
  const client = await TestClient.as(server.port, 'Steady');
  // Whatever the start-up left to collect is collected first, so that the count below starts settled.
  await nextCollection();
  const before = collection.collections;

  const started = performance.now();
  let requests = 0;
  while (performance.now() - started < TRAFFIC_WINDOWS * QUIET_MS) {
    await client.ok({ status: 'rooms' });
    requests++;
  }
  const lastAnswer = performance.now();
  assert.equal(
    collection.collections,
    before,
    `no collection during ${requests} requests over ${TRAFFIC_WINDOWS} quiet windows`,
  );

  const report = await nextCollection();
  assert.ok(performance.now() - lastAnswer >= QUIET_MS, 'the collection waited for a quiet window');
  assert.equal(collection.collections, before + 1);
  assert.ok(report.pauseMs >= 0 && report.heapUsedAfter > 0);
  const logged = await log.waitFor((e) => e.msg === 'idle: full garbage collection', 'the debug line');
  assert.equal(logged.level, 20, 'logged at debug level');
  assert.equal(typeof logged.pauseMs, 'number', 'with its pause');
  await client.close();
});

test('idle collection: after a burst of sign-ups, one collection gives their garbage back', async () => {
  const collection = server.server.idleCollection!;
  const before = collection.collections;
  const clients = await Promise.all(Array.from({ length: 50 }, (_, i) => TestClient.as(server.port, `Burst${i}`)));
  const report = await nextCollection();
  assert.equal(collection.collections, before + 1, 'one collection for the whole burst');
  assert.ok(report.heapUsedAfter < report.heapUsedBefore, 'the sign-ups left garbage, and it was collected');
  await Promise.all(clients.map((c) => c.close()));
});
