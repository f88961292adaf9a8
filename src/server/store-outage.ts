/**
 * A database shared over the network that cannot be reached (#15). A commit or a read that fails with
 * StoreUnreachable starts an outage: from then on the dispatcher answers every request that needs the
 * store `unavailable` at once (nothing queues up while it lasts), and a probe asks the database every
 * PROBE_INTERVAL_MS whether it answers again. When it does, the domain reads its rooms back from the
 * store (memory may hold changes a lost commit did not store) and requests are served again; the
 * connections stay open throughout.
 */
import type { Logger } from 'pino';
import type { Store } from './store/store.js';
import { StoreUnreachable } from './store/unreachable.js';

/** How often the database is asked whether it answers again during an outage. */
export const PROBE_INTERVAL_MS = 500;
/** How often an outage that goes on is logged again (each probe's failure is logged at debug). */
const STILL_DOWN_LOG_MS = 30_000;

export class StoreOutage {
  /** When the outage began (ms since the epoch); null while the database answers. */
  private downSince: number | null = null;
  private lastLogged = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    /** Runs once the probe succeeds, before requests are served again (the domain reads its state back). */
    private readonly recover: () => Promise<void>,
    readonly probeIntervalMs = PROBE_INTERVAL_MS,
  ) {}

  /** True while the database cannot be reached: requests that need it are refused. */
  get down(): boolean {
    return this.downSince !== null;
  }

  /** A commit or a read found the database unreachable: start refusing and probing (once per outage). */
  noticed(err: StoreUnreachable): void {
    if (this.downSince !== null || this.stopped) return;
    this.downSince = this.lastLogged = Date.now();
    this.log.error(
      { err, probeMs: this.probeIntervalMs },
      'database unreachable: requests that need it are answered "unavailable" until a probe finds it back',
    );
    this.schedule();
  }

  /** No more probes (shutdown). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.probe(), this.probeIntervalMs);
  }

  private async probe(): Promise<void> {
    this.timer = null;
    try {
      await this.store.probe();
      await this.recover();
    } catch (err) {
      if (this.stopped) return; // the server stops (recovery may have found another server on the database)
      const now = Date.now();
      if (!(err instanceof StoreUnreachable)) {
        this.log.error({ err }, 'reading the chat state back after the database outage failed; trying again');
      } else if (now - this.lastLogged >= STILL_DOWN_LOG_MS) {
        this.lastLogged = now;
        this.log.warn({ err, downMs: now - this.downSince! }, 'database still unreachable');
      } else {
        this.log.debug({ err: err.message }, 'database probe failed');
      }
      this.schedule();
      return;
    }
    if (this.stopped) return;
    this.log.warn({ downMs: Date.now() - this.downSince! }, 'database reachable again: serving requests');
    this.downSince = null;
  }
}
