/**
 * Remembered login failures with a memory budget in bytes (issue #11.5): every entry is charged its
 * key's length plus a fixed overhead, and the entry touched longest ago is forgotten first, so no
 * stream of failures (random names, many addresses) can grow it past the budget.
 */

/** What is remembered about one key: a count (or rate level), a lock, and when it last changed. */
export interface FailureRecord {
  failures: number;
  lockedUntil: number;
  last: number;
}

/**
 * Bytes charged per entry besides its key: the Map slot (pointers plus table slack), the record
 * (object header and three numbers, which V8 may box) and the key string's header. Measured with
 * node 20 at 197 bytes an entry, key included (~16 characters; `heapUsed` after gc over 60,000
 * entries); rounded up so the budget is an upper bound, Map table growth included.
 */
export const ENTRY_OVERHEAD_BYTES = 256;

export class FailureMemory {
  private readonly entries = new Map<string, FailureRecord>();
  private used = 0;

  /** `budgetBytes`: the most `bytes` may reach; at least one entry is always kept. */
  constructor(private readonly budgetBytes: number) {}

  /** Bytes charged for what is remembered now (keys are ASCII: addresses and valid names, one byte a character). */
  get bytes(): number {
    return this.used;
  }

  /** Entries remembered now. */
  get size(): number {
    return this.entries.size;
  }

  /** The record for `key`, without making it newer. */
  get(key: string): FailureRecord | undefined {
    return this.entries.get(key);
  }

  /** The record for `key`, created empty if absent, made the newest; forgets the oldest past the budget. */
  touch(key: string, now: number): FailureRecord {
    let record = this.entries.get(key);
    if (record) {
      this.entries.delete(key); // re-inserted below: the map stays ordered by last touch
    } else {
      record = { failures: 0, lockedUntil: 0, last: now };
      this.used += entryBytes(key);
    }
    this.entries.set(key, record);
    while (this.used > this.budgetBytes && this.entries.size > 1) {
      this.delete(this.entries.keys().next().value!);
    }
    return record;
  }

  delete(key: string): void {
    if (this.entries.delete(key)) this.used -= entryBytes(key);
  }

  /** Forgets every entry for which `stale` is true. */
  prune(stale: (key: string, record: FailureRecord) => boolean): void {
    for (const [key, record] of this.entries) if (stale(key, record)) this.delete(key);
  }
}

function entryBytes(key: string): number {
  return ENTRY_OVERHEAD_BYTES + key.length;
}
