/**
 * What an attack is to the soak runner, and the loop every attacker runs: a fixed number of workers,
 * each repeating its step until the attack's time is up, its count cap is reached, or the server
 * passed an abort ceiling (the machine is shared: an attack that would take all its memory stops).
 */
import type { Conn, Reply } from './conn.js';
import type { Seeded } from './seed.js';

export interface AttackContext {
  port: number;
  seeded: Seeded;
  /** The attack's length, in seconds. */
  seconds: number;
  /** False once the attack should stop (time up, count cap, abort ceiling, Ctrl-C). */
  running(): boolean;
  /** Records one request's outcome (ignored once the attack stopped: its connections were cut). */
  record(reply: Reply): void;
  /** Keeps `conn` to be closed when the attack stops, so no worker waits out a reply after the end. */
  track(conn: Conn): Conn;
  /** Records a connection that could not be made. */
  connectFailed(err: unknown): void;
}

export interface Attack {
  name: string;
  /** The point, e.g. "#11.6". */
  point: string;
  summary: string;
  /** Attacking connections open at once, at most: the descriptor bound allows one each. */
  connections: number;
  run(ctx: AttackContext): Promise<void>;
}

/** Every attacker request waits at most this long for its reply. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** A worker pauses this long after a failure before it tries again, so a refused loop does not spin. */
export const BACKOFF_MS = 50;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const json = (value: unknown) => JSON.stringify(value);

/** Runs `workers` copies of `step(worker)` in a loop while the attack runs. */
export async function repeat(
  ctx: AttackContext,
  workers: number,
  step: (worker: number) => Promise<void>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (ctx.running()) await step(worker);
    }),
  );
}

/** Tallies outcomes: `ok`, `error <code>`, `closed`, `timeout`, `connect <code>`. */
export class Outcomes {
  requests = 0;
  readonly counts = new Map<string, number>();

  record(reply: Reply): void {
    this.requests++;
    const key = reply.status === 'error' ? `error ${reply.code}` : reply.status;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  connectFailed(err: unknown): void {
    const key = `connect ${(err as NodeJS.ErrnoException).code ?? 'failed'}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort((a, b) => b[1] - a[1]));
  }
}
