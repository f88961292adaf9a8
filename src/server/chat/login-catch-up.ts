/**
 * The messages that waited for a user, collected at login within a count and a byte budget (issue
 * #11.6). The newest are kept. Each conversation is read newest first a page at a time, and the pages
 * are merged by message id, so the work follows what is sent: before, a login read the newest 10,001
 * waiting messages whole (~290 MB in a busy room) to send the 32 that fit in 512 KiB.
 */
import type { PendingConversation, Store, StoredMessage } from '../store/store.js';
import { encodeMessage } from './encode.js';

/** The first page read from a conversation; each later page is twice as long, up to MAX_PAGE. */
const FIRST_PAGE = 8;
const MAX_PAGE = 256;

export interface CatchUpBudget {
  /** Only messages below this id (the rest reach the session live). */
  belowId: number;
  /** Only messages sent at or after this ISO time. */
  notBefore: string;
  /** Most messages. */
  limit: number;
  /** Most bytes of encoded lines (at least one message is sent, whatever its size). */
  maxBytes: number;
}

/** One conversation being read newest first. */
interface Reader {
  conv: PendingConversation;
  /** Read rows not yet taken, newest first. */
  rows: StoredMessage[];
  /** The next page is below this seq. */
  beforeSeq: number;
  pageSize: number;
  done: boolean;
  /** The id the merge orders by: the newest unread row, or an upper bound before the first read. */
  top: number;
}

/**
 * The newest waiting messages within the budget, oldest first, as wire lines; `truncated` when some
 * that qualify were left out (they stay in history).
 */
export async function collectWaiting(
  store: Store,
  userId: number,
  budget: CatchUpBudget,
): Promise<{ lines: Buffer[]; truncated: boolean }> {
  const readers: Reader[] = (await store.pendingConversations(userId)).map((conv) => ({
    conv,
    rows: [],
    beforeSeq: Number.MAX_SAFE_INTEGER,
    pageSize: FIRST_PAGE,
    done: false,
    top: conv.newestId,
  }));
  const heap = new MaxHeap(readers);
  const lines: Buffer[] = [];
  let bytes = 0;
  for (;;) {
    const reader = heap.peek();
    if (reader === undefined) return { lines: lines.reverse(), truncated: false };
    if (reader.rows.length === 0) {
      // Not read yet (top was an upper bound), or its page ran out: read on, then merge again.
      await readPage(store, userId, reader, budget);
      if (reader.rows.length === 0) heap.pop();
      else {
        reader.top = reader.rows[0]!.id;
        heap.fix();
      }
      continue;
    }
    if (lines.length >= budget.limit) return { lines: lines.reverse(), truncated: true };
    const line = encodeMessage(reader.rows[0]!);
    if (bytes + line.length > budget.maxBytes && lines.length > 0) return { lines: lines.reverse(), truncated: true };
    bytes += line.length;
    lines.push(line);
    reader.rows.shift();
    if (reader.rows.length > 0) reader.top = reader.rows[0]!.id;
    else if (reader.done) {
      heap.pop();
      continue;
    }
    // An emptied reader keeps its last id as an upper bound for what it reads next.
    heap.fix();
  }
}

async function readPage(store: Store, userId: number, reader: Reader, budget: CatchUpBudget): Promise<void> {
  if (reader.done) return;
  const range = { afterSeq: reader.conv.cursor, beforeSeq: reader.beforeSeq, belowId: budget.belowId };
  const rows = await store.pendingIn(reader.conv.convId, userId, range, reader.pageSize);
  if (rows.length < reader.pageSize) reader.done = true;
  if (rows.length > 0) reader.beforeSeq = rows[rows.length - 1]!.seq;
  reader.pageSize = Math.min(MAX_PAGE, reader.pageSize * 2);
  // Too old to deliver at login: this and everything older in the conversation (ts grows with seq).
  const tooOld = rows.findIndex((row) => row.ts < budget.notBefore);
  if (tooOld !== -1) {
    rows.length = tooOld;
    reader.done = true;
  }
  reader.rows = rows;
}

/** Readers ordered by `top`, largest first; `fix` restores the order after the top reader's `top` changed. */
class MaxHeap {
  private readonly items: Reader[];

  constructor(items: Reader[]) {
    this.items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  peek(): Reader | undefined {
    return this.items[0];
  }

  pop(): void {
    const last = this.items.pop();
    if (last !== undefined && this.items.length > 0) {
      this.items[0] = last;
      this.down(0);
    }
  }

  fix(): void {
    this.down(0);
  }

  private down(i: number): void {
    const items = this.items;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let largest = i;
      if (left < items.length && items[left]!.top > items[largest]!.top) largest = left;
      if (right < items.length && items[right]!.top > items[largest]!.top) largest = right;
      if (largest === i) return;
      [items[i], items[largest]] = [items[largest]!, items[i]!];
      i = largest;
    }
  }
}
