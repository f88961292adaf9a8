/**
 * Stored-bytes budgets (issue #11.12 a): 60 open-mode users storing private messages wrote 5.3 MiB/s
 * from one address, about 18 GiB an hour. Each user, and each address (open-mode names cost nothing to
 * make), may store so many bytes of messages an hour: a token bucket that holds an hour's budget and
 * refills it evenly over the hour, so a burst is allowed and a steady stream is held to the rate.
 * Files are not counted here: their own quota bounds them (--file-quota-bytes).
 */
import type { AddressKey } from './address-group.js';
import type { Limits } from '../limits.js';

const HOUR_MS = 3_600_000;

interface Bucket {
  bytes: number;
  /** When `bytes` was last brought up to date (ms, monotonic). */
  at: number;
}

export type BudgetVerdict = { ok: true } | { ok: false; retryAfterMs: number; per: 'user' | 'address' };

const OK: BudgetVerdict = { ok: true };

export class StoredBytesBudget {
  private readonly users = new Map<number, Bucket>();
  private readonly addresses = new Map<string, Bucket>();

  constructor(
    private readonly limits: Pick<Limits, 'storedBytesPerHour' | 'storedBytesPerHourPerAddress'>,
    /** What an address counts under; null when it is exempt (a classroom behind one NAT address). */
    private readonly addressKey: AddressKey,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Spends `bytes` of the user's and the address's budgets, or says how long to wait (spending nothing). */
  take(userId: number, address: string, bytes: number): BudgetVerdict {
    const now = this.now();
    const { storedBytesPerHour: perUser, storedBytesPerHourPerAddress: perAddress } = this.limits;
    const user = refill(this.users, userId, perUser, now);
    // Counted by address group (issue #11.17), like every per-address limit.
    const key = this.addressKey(address);
    const byAddress = key === null ? null : refill(this.addresses, key, perAddress, now);
    if (user.bytes < bytes) return { ok: false, retryAfterMs: waitFor(bytes - user.bytes, perUser), per: 'user' };
    if (byAddress && byAddress.bytes < bytes)
      return { ok: false, retryAfterMs: waitFor(bytes - byAddress.bytes, perAddress), per: 'address' };
    user.bytes -= bytes;
    if (byAddress) byAddress.bytes -= bytes;
    return OK;
  }

  /** Forgets full buckets, so memory follows recent writers only. */
  prune(): void {
    const now = this.now();
    pruneFull(this.users, this.limits.storedBytesPerHour, now);
    pruneFull(this.addresses, this.limits.storedBytesPerHourPerAddress, now);
  }
}

function refill<K>(buckets: Map<K, Bucket>, key: K, capacity: number, now: number): Bucket {
  let bucket = buckets.get(key);
  if (bucket === undefined) {
    bucket = { bytes: capacity, at: now };
    buckets.set(key, bucket);
  } else {
    bucket.bytes = Math.min(capacity, bucket.bytes + ((now - bucket.at) * capacity) / HOUR_MS);
    bucket.at = now;
  }
  return bucket;
}

/** Milliseconds until `missing` bytes have refilled at `capacity` an hour (a request larger than the whole budget waits an hour). */
function waitFor(missing: number, capacity: number): number {
  return capacity > 0 ? Math.min(HOUR_MS, Math.ceil((missing * HOUR_MS) / capacity)) : HOUR_MS;
}

function pruneFull<K>(buckets: Map<K, Bucket>, capacity: number, now: number): void {
  for (const [key, bucket] of buckets) {
    if (bucket.bytes + ((now - bucket.at) * capacity) / HOUR_MS >= capacity) buckets.delete(key);
  }
}
