/**
 * The flood limit (issue #4): per user a burst of `floodBurst` messages, then `floodRate` a second
 * (a token bucket, as InspIRCd's and Ergo's fakelag). A refused message gets `retry_after_ms`; a
 * client that keeps sending anyway collects strikes and is disconnected at `floodStrikes`.
 */
import type { Limits } from '../limits.js';

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms, monotonic). */
  at: number;
  /** Messages refused in a row. */
  strikes: number;
}

export type FloodVerdict = { ok: true } | { ok: false; retryAfterMs: number; disconnect: boolean };

const OK: FloodVerdict = { ok: true };

export class FloodLimiter {
  /** Only users who sent recently have a bucket: a full bucket is forgotten by `prune`. */
  private readonly buckets = new Map<number, Bucket>();

  constructor(
    private readonly limits: Pick<Limits, 'floodBurst' | 'floodRate' | 'floodStrikes'>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Spends one message of the user's allowance, or says how long to wait. */
  take(userId: number): FloodVerdict {
    const { floodBurst, floodRate, floodStrikes } = this.limits;
    const now = this.now();
    let bucket = this.buckets.get(userId);
    if (bucket === undefined) {
      bucket = { tokens: floodBurst, at: now, strikes: 0 };
      this.buckets.set(userId, bucket);
    } else {
      bucket.tokens = Math.min(floodBurst, bucket.tokens + ((now - bucket.at) * floodRate) / 1000);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.strikes = 0;
      return OK;
    }
    bucket.strikes++;
    const retryAfterMs = floodRate > 0 ? Math.ceil(((1 - bucket.tokens) * 1000) / floodRate) : 60_000;
    return { ok: false, retryAfterMs, disconnect: bucket.strikes >= floodStrikes };
  }

  /** Forgets users whose allowance has refilled, so memory follows recent senders only. */
  prune(): void {
    const now = this.now();
    const { floodBurst, floodRate } = this.limits;
    for (const [userId, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) * floodRate) / 1000 >= floodBurst) this.buckets.delete(userId);
    }
  }
}
