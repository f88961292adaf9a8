/**
 * Brute-force limits on logins (issue #4, #11.5, #11.10), all replying rate_limited:
 * - per connection, at most `loginFailuresPerMinute` failures a minute;
 * - per address (over all its connections), at most `loginFailuresPerAddress` failures a minute;
 * - per address and name, a lock after `accountFailuresBeforeLock` failures that doubles each time
 *   (30 s up to an hour). Failures from one address never lock another address out of a name, so
 *   nobody can lock the owner out (issue #11.10); once a name has `nameFailuresUnderAttack` failures
 *   in an hour from all addresses, each address gets one try at it before its lock instead.
 * Names without an account are tracked the same way, so the replies never tell whether a name has
 * an account. Only valid names reach this guard (the caller checks), and what it remembers is bounded
 * in bytes (FailureMemory).
 */
import { ChatError } from '../../protocol/errors.js';
import type { Limits } from '../limits.js';
import { FailureMemory, type FailureRecord } from './failure-memory.js';

const MINUTE_MS = 60_000;
const FIRST_LOCK_MS = 30_000;
const MAX_LOCK_MS = 60 * MINUTE_MS;
/** How long a name's failures from all addresses are counted (see nameFailuresUnderAttack). */
const NAME_WINDOW_MS = 60 * MINUTE_MS;

/** Per connection: the times of recent failures. */
export class ConnectionLoginGuard {
  private failures: number[] = [];

  constructor(private readonly perMinute: number) {}

  /** Throws rate_limited while this connection has used up its failures for the minute. */
  check(now: number): void {
    this.failures = this.failures.filter((t) => now - t < MINUTE_MS);
    if (this.failures.length >= this.perMinute) {
      const retry = Math.ceil(this.failures[0]! + MINUTE_MS - now);
      throw rateLimited('too many failed logins', retry);
    }
  }

  failed(now: number): void {
    this.failures.push(now);
  }
}

export type LoginGuardLimits = Pick<
  Limits,
  'loginFailuresPerAddress' | 'accountFailuresBeforeLock' | 'nameFailuresUnderAttack' | 'loginGuardBytes'
>;

/** Per address, per name and per (address, name), in one memory budget. `address` is an addressGroup, `key` a valid name's nameKey. */
export class LoginGuard {
  private readonly memory: FailureMemory;

  constructor(private readonly limits: LoginGuardLimits) {
    this.memory = new FailureMemory(limits.loginGuardBytes);
  }

  /** Bytes of memory charged for what the guard remembers (bounded by loginGuardBytes). */
  get bytes(): number {
    return this.memory.bytes;
  }

  /** Throws rate_limited while `address` has used up its failures for the minute, or is locked out of the name `key`. */
  check(address: string, key: string, now: number): void {
    const perAddress = this.memory.get(addressEntry(address));
    const level = perAddress ? this.addressLevel(perAddress, now) : 0;
    const limit = this.limits.loginFailuresPerAddress;
    if (level > limit - 1) {
      // The level drains at `limit` a minute; another failure is allowed once it would not pass the limit.
      throw rateLimited('too many failed logins from your address', ((level - (limit - 1)) * MINUTE_MS) / limit);
    }
    const pair = this.memory.get(pairEntry(address, key));
    if (pair && pair.lockedUntil > now)
      throw rateLimited('too many failed logins for this name', pair.lockedUntil - now);
  }

  /** Counts a failed login (or wrong current password) from `address` at the name `key`. */
  failed(address: string, key: string, now: number): void {
    const perAddress = this.memory.touch(addressEntry(address), now);
    perAddress.failures = this.addressLevel(perAddress, now) + 1;
    perAddress.last = now;

    const name = this.memory.touch(nameEntry(key), now);
    if (now - name.last > NAME_WINDOW_MS) name.failures = 0;
    name.failures++;
    name.last = now;
    const underAttack = name.failures >= this.limits.nameFailuresUnderAttack;

    const pair = this.memory.touch(pairEntry(address, key), now);
    if (isStale(pair, now)) pair.failures = 0;
    pair.failures++;
    pair.last = now;
    const over = pair.failures - (underAttack ? 1 : this.limits.accountFailuresBeforeLock);
    if (over >= 0) pair.lockedUntil = now + Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** over);
  }

  /** True while `address` has failed logins that have not drained yet (the hasher keeps a slot from it). */
  hasFailed(address: string, now: number): boolean {
    const perAddress = this.memory.get(addressEntry(address));
    return perAddress !== undefined && this.addressLevel(perAddress, now) > 0;
  }

  /** A login from `address` as `key` succeeded: that address's lock on the name is lifted. */
  succeeded(address: string, key: string): void {
    this.memory.delete(pairEntry(address, key));
  }

  /** Forgets addresses whose failures have drained, and names untouched for an hour and not locked. */
  prune(now: number): void {
    this.memory.prune((entry, record) =>
      entry.startsWith(ADDRESS) ? this.addressLevel(record, now) === 0 : isStale(record, now),
    );
  }

  /** Failures from an address, draining at loginFailuresPerAddress a minute (a leaky bucket: one number, no list of times). */
  private addressLevel(record: FailureRecord, now: number): number {
    return Math.max(0, record.failures - ((now - record.last) * this.limits.loginFailuresPerAddress) / MINUTE_MS);
  }
}

// Entry kinds share one memory; a space never occurs in an address or a valid name.
const ADDRESS = 'a ';
const addressEntry = (address: string) => ADDRESS + address;
const nameEntry = (key: string) => 'n ' + key;
const pairEntry = (address: string, key: string) => `p ${address} ${key}`;

function isStale(record: FailureRecord, now: number): boolean {
  return now - record.last > MAX_LOCK_MS && record.lockedUntil <= now;
}

function rateLimited(what: string, retryMs: number): ChatError {
  const retry = Math.max(1, Math.ceil(retryMs));
  return new ChatError('rate_limited', `${what}; try again in ${Math.ceil(retry / 1000)} s`, { retry_after_ms: retry });
}
