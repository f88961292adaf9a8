/**
 * Brute-force limits on logins (issue #4): at most `loginFailuresPerMinute` failures a minute on one
 * connection, and per name a lock after `accountFailuresBeforeLock` failures in a row that doubles
 * each time (30 s up to an hour). Names without an account are tracked the same way, so the replies
 * never tell whether a name has an account.
 */
import { ChatError } from '../../protocol/errors.js';
import type { Limits } from '../limits.js';

const MINUTE_MS = 60_000;
const FIRST_LOCK_MS = 30_000;
const MAX_LOCK_MS = 60 * MINUTE_MS;
/** Names tracked at once; the oldest are forgotten first, so a sweep of random names cannot grow it. */
const MAX_TRACKED_NAMES = 100_000;

interface NameState {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

/** Per connection: the times of recent failures. */
export class ConnectionLoginGuard {
  private failures: number[] = [];

  constructor(private readonly perMinute: number) {}

  /** Throws rate_limited while this connection has used up its failures for the minute. */
  check(now: number): void {
    this.failures = this.failures.filter((t) => now - t < MINUTE_MS);
    if (this.failures.length >= this.perMinute) {
      const retry = Math.ceil(this.failures[0]! + MINUTE_MS - now);
      throw new ChatError('rate_limited', `too many failed logins; try again in ${Math.ceil(retry / 1000)} s`, { retry_after_ms: retry });
    }
  }

  failed(now: number): void {
    this.failures.push(now);
  }
}

export class AccountLoginGuard {
  private readonly names = new Map<string, NameState>();

  constructor(private readonly limits: Pick<Limits, 'accountFailuresBeforeLock'>) {}

  /** Throws rate_limited while the name is locked. */
  check(key: string, now: number): void {
    const state = this.names.get(key);
    if (state && state.lockedUntil > now) {
      const retry = Math.ceil(state.lockedUntil - now);
      throw new ChatError('rate_limited', `too many failed logins for this name; try again in ${Math.ceil(retry / 1000)} s`, { retry_after_ms: retry });
    }
  }

  failed(key: string, now: number): void {
    let state = this.names.get(key);
    if (state) this.names.delete(key); // re-inserted below: the map stays ordered by last failure
    else state = { failures: 0, lockedUntil: 0, lastFailure: now };
    state.failures++;
    state.lastFailure = now;
    const over = state.failures - this.limits.accountFailuresBeforeLock;
    if (over >= 0) state.lockedUntil = now + Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** over);
    this.names.set(key, state);
    if (this.names.size > MAX_TRACKED_NAMES) this.names.delete(this.names.keys().next().value!);
  }

  succeeded(key: string): void {
    this.names.delete(key);
  }

  /** Forgets names whose last failure is an hour old and that are not locked. */
  prune(now: number): void {
    for (const [key, state] of this.names) {
      if (now - state.lastFailure > MAX_LOCK_MS && state.lockedUntil <= now) this.names.delete(key);
    }
  }
}
