/**
 * Registration deadline and idle connections (issue #4), checked by one timer for all connections
 * rather than a timer each: idle connections are most of them, and each timer costs memory.
 * A connection must register within `registerTimeoutMs`; one silent for `pingAfterMs` is pinged, and
 * one silent for `idleTimeoutMs` is closed (as IRC servers do with PING/PONG).
 */
import type { Limits } from '../limits.js';

/**
 * The clock connections stamp themselves with: milliseconds since the process started, in steps of
 * CLOCK_STEP_MS. A whole number below 2^30 is stored unboxed by V8, where a performance.now() double
 * costs a 16-byte heap number per field per connection; in 4 ms steps it stays below 2^30 for 49 days
 * of uptime (after that it still works, boxed). The deadlines are seconds long, so 4 ms is plenty.
 */
export const CLOCK_STEP_MS = 4;
export function clockNow(): number {
  return Math.floor(performance.now() / CLOCK_STEP_MS);
}

/** A connection as the sweep sees it. */
export interface Sweepable {
  /** When the connection opened and when its client last sent anything (clockNow() steps). */
  readonly openedAt: number;
  readonly lastHeard: number;
  /** True once registered or logged in. */
  readonly registered: boolean;
  /** True when a ping went out since the client was last heard. */
  pinged: boolean;
  ping(): void;
  closeWith(code: 'timeout', text: string): void;
}

/** The sweep runs this often relative to the shortest deadline, within these bounds. */
const MIN_PERIOD_MS = 20;
const MAX_PERIOD_MS = 5000;

export class IdleSweep {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly connections: Iterable<Sweepable>,
    private readonly limits: Pick<Limits, 'registerTimeoutMs' | 'pingAfterMs' | 'idleTimeoutMs'>,
    /** Also run on each sweep (pruning other guards' state). */
    private readonly alsoEachSweep: () => void = () => {},
  ) {
    const shortest = Math.min(limits.registerTimeoutMs, limits.pingAfterMs, limits.idleTimeoutMs - limits.pingAfterMs);
    const period = Math.max(MIN_PERIOD_MS, Math.min(MAX_PERIOD_MS, Math.floor(shortest / 4)));
    this.timer = setInterval(() => this.sweep(), period).unref();
  }

  sweep(): void {
    const { registerTimeoutMs, pingAfterMs, idleTimeoutMs } = this.limits;
    const now = clockNow();
    for (const conn of this.connections) {
      if (!conn.registered && (now - conn.openedAt) * CLOCK_STEP_MS >= registerTimeoutMs) {
        conn.closeWith('timeout', registerTimeoutText(registerTimeoutMs));
      } else if ((now - conn.lastHeard) * CLOCK_STEP_MS >= idleTimeoutMs) {
        conn.closeWith('timeout', `nothing heard for ${seconds(idleTimeoutMs)}; closing the connection`);
      } else if (!conn.pinged && (now - conn.lastHeard) * CLOCK_STEP_MS >= pingAfterMs) {
        conn.pinged = true;
        conn.ping();
      }
    }
    this.alsoEachSweep();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** What a connection that did not register in time is told. */
export function registerTimeoutText(registerTimeoutMs: number): string {
  return `register or log in within ${seconds(registerTimeoutMs)}; closing the connection`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
