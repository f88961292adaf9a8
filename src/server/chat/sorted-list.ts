/**
 * Items kept sorted by a string key, for listings read a page at a time (issue #11.6): a page after
 * a key costs O(log n + page), not a sort of everything. Inserting or removing moves the items after
 * it (a memmove of pointers: microseconds at 20,000 items), which is rarer than reading.
 */

/** One page of a listing and the key to ask for the next one (absent on the last page). */
export interface Page<T> {
  items: T[];
  next?: string;
}

export class SortedList<T> {
  private readonly items: T[] = [];

  constructor(private readonly keyOf: (item: T) => string) {}

  get size(): number {
    return this.items.length;
  }

  /** Adds `item`, or replaces the item with the same key. */
  insert(item: T): void {
    const key = this.keyOf(item);
    const at = this.firstNotBefore(key);
    if (at < this.items.length && this.keyOf(this.items[at]!) === key) this.items[at] = item;
    else this.items.splice(at, 0, item);
  }

  /** Removes the item with `key`, if any. */
  remove(key: string): void {
    const at = this.firstNotBefore(key);
    if (at < this.items.length && this.keyOf(this.items[at]!) === key) this.items.splice(at, 1);
  }

  /** Up to `limit` items with keys after `after` (from the start without it), in key order. */
  page(after: string | undefined, limit: number): Page<T> {
    let start = after === undefined ? 0 : this.firstNotBefore(after);
    if (after !== undefined && start < this.items.length && this.keyOf(this.items[start]!) === after) start++;
    const items = this.items.slice(start, start + limit);
    return start + limit < this.items.length ? { items, next: this.keyOf(items[items.length - 1]!) } : { items };
  }

  /** The index of the first item whose key is not before `key` (binary search). */
  private firstNotBefore(key: string): number {
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.keyOf(this.items[mid]!) < key) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
