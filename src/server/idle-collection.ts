/**
 * One full garbage collection when the server goes quiet after a burst (issue #16). A burst of sign-ups
 * (scrypt, SQLite, promises) leaves garbage that V8 promoted while it waited, and a young generation
 * grown to its largest; V8's own memory reducer gives that back only 15 to 20 s after the process goes
 * idle, so for that long an idle class costs up to twice what it does settled. Collecting once,
 * as soon as the server has been quiet for a second, gives it back at once.
 *
 * "Quiet" is process-wide, as a collection is: nothing read from any connection and no connection
 * opened for `quietMs` (noteActivity, called from the connection's read and the server's accept).
 * "After a burst": the resident set grew by at least `minGrowthBytes` since the last collection (or the
 * start), so an idle server with nothing to give back, or one doing a little now and then, is left
 * alone. Under steady traffic the quiet window never elapses, so the pause (150 to 250 ms for a full
 * collection with 10,000 connections open, on this project's machine) lands where no request waits.
 */
import { EventEmitter } from 'node:events';
import type * as Inspector from 'node:inspector';
import v8 from 'node:v8';
import type { Logger } from 'pino';

export interface IdleCollectionSettings {
  /** How long nothing must happen before the collection. */
  quietMs: number;
  /** Growth of the resident set since the last collection that makes one worth its pause (0: any). */
  minGrowthBytes: number;
  /** How often the timer looks. */
  pollMs: number;
}

export const DEFAULT_IDLE_COLLECTION: IdleCollectionSettings = {
  quietMs: 1000,
  minGrowthBytes: 8 * 1024 * 1024,
  pollMs: 250,
};

/**
 * Reads and accepts so far, in the whole process. A counter rather than a timestamp: the hot path
 * pays one increment, and the timer compares it with what it saw last time.
 */
let activity = 0;

/** Something happened that a collection must not delay: a read from a client, a new connection. */
export function noteActivity(): void {
  activity++;
}

/** What one collection did, as logged. */
export interface IdleCollectionReport {
  pauseMs: number;
  rssBefore: number;
  heapUsedBefore: number;
  heapTotalBefore: number;
  heapUsedAfter: number;
  heapTotalAfter: number;
}

/** Emits 'collected' (an IdleCollectionReport) after each collection; tests wait for it. */
export class IdleCollection extends EventEmitter<{ collected: [IdleCollectionReport] }> {
  private readonly timer: NodeJS.Timeout;
  private seen = activity;
  /** When `seen` last changed (performance.now()). */
  private lastActive = performance.now();
  /** The resident set to grow from; measured one poll after a collection, once V8 has unmapped pages. */
  private baseline = process.memoryUsage.rss();
  private baselinePending = false;
  private collecting = false;
  private workSinceCollection = false;
  /** Collections done (tests read it). */
  collections = 0;

  constructor(
    private readonly log: Logger,
    private readonly settings: IdleCollectionSettings = DEFAULT_IDLE_COLLECTION,
  ) {
    super();
    this.timer = setInterval(() => this.poll(), settings.pollMs).unref();
    // Said at start rather than after the first burst, where an operator reading the log looks.
    void loadInspector().then((inspector) => {
      if (inspector === null) this.unavailable();
    });
  }

  /** No inspector in this Node: the server runs on without the collection, as before #16. */
  private unavailable(): void {
    this.stop();
    if (warnedUnavailable) return;
    warnedUnavailable = true;
    this.log.warn('idle: this Node has no node:inspector; no garbage collection when the server goes quiet');
  }

  private poll(): void {
    if (this.collecting) return;
    const now = performance.now();
    if (activity !== this.seen) {
      this.seen = activity;
      this.lastActive = now;
      this.workSinceCollection = true;
      return;
    }
    if (this.baselinePending) {
      this.baselinePending = false;
      this.baseline = process.memoryUsage.rss();
      return;
    }
    // Nothing new since the last collection: nothing new to give back either.
    if (!this.workSinceCollection || now - this.lastActive < this.settings.quietMs) return;
    const rss = process.memoryUsage.rss();
    const { minGrowthBytes } = this.settings;
    if (minGrowthBytes > 0 && rss - this.baseline < minGrowthBytes) return;
    this.workSinceCollection = false;
    this.collect(rss);
  }

  private collect(rssBefore: number): void {
    this.collecting = true;
    const before = v8.getHeapStatistics();
    const start = performance.now();
    memoryReducingGc((err) => {
      const pauseMs = performance.now() - start;
      this.collecting = false;
      if (err instanceof InspectorUnavailable) return this.unavailable();
      if (err) {
        this.log.warn({ err: err.message }, 'idle: garbage collection failed');
        return;
      }
      const after = v8.getHeapStatistics();
      this.collections++;
      this.baselinePending = true;
      const report: IdleCollectionReport = {
        pauseMs: Math.round(pauseMs * 10) / 10,
        rssBefore,
        heapUsedBefore: before.used_heap_size,
        heapTotalBefore: before.total_heap_size,
        heapUsedAfter: after.used_heap_size,
        heapTotalAfter: after.total_heap_size,
      };
      this.log.debug(report, 'idle: full garbage collection');
      this.emit('collected', report);
    });
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * V8's collection for low memory (Isolate::LowMemoryNotification: full collections that compact, shrink
 * the young generation and give freed pages back), through an in-process inspector session: no port,
 * no command-line flag. A plain gc() (--expose-gc) is not enough right after a burst: V8 shrinks the
 * young generation only once it sees the allocation rate low over several seconds, and keeps the old
 * generation's emptied pages: after 10,000 sign-ups (the bench's idle workload) the resident set fell
 * from 137 to 127 MB with gc(), from 141 to 108 MB this way. `done` runs once it is over.
 */
export function memoryReducingGc(done: (err: Error | null) => void): void {
  void loadInspector().then((inspector) => {
    if (inspector === null) return done(new InspectorUnavailable('node:inspector is not available'));
    let session: InstanceType<typeof inspector.Session>;
    try {
      session = new inspector.Session();
      session.connect();
    } catch (err) {
      return done(err as Error);
    }
    session.post('HeapProfiler.collectGarbage', (err) => {
      // Disconnecting within the session's own callback leaves Node's timers stuck (Node 20): later.
      setImmediate(() => session.disconnect());
      done(err);
    });
  });
}

/** memoryReducingGc's error when this Node has no inspector. */
export class InspectorUnavailable extends Error {}

/**
 * node:inspector, imported on first use rather than statically: a Node built without the inspector
 * (`configure --without-inspector`) throws on importing it, and the server must still start there, only
 * without the collections above. Resolves to null then.
 */
let inspectorModule: Promise<typeof Inspector | null> | undefined;
/** The warning is one line per process, however many servers it runs (the warm-up's throwaway too). */
let warnedUnavailable = false;

function loadInspector(): Promise<typeof Inspector | null> {
  return (inspectorModule ??= import('node:inspector').then(
    (inspector) => inspector,
    () => null,
  ));
}
