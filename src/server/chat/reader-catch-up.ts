/**
 * Catching up from the store (issue #11.11). A member whose connection has more unsent output than
 * the behind mark stops getting chat messages queued live: every chat message is a stored row with an
 * id, so the server need not hold it. Once the socket drains, the messages it missed are read back a
 * page at a time, in id order, and queued; when the reader reaches the newest message it is live again.
 * So memory per connection stays bounded however fast others write, and a reader that keeps reading
 * gets every message, in order, once.
 */
import type { Limits } from '../limits.js';
import type { Chat } from './chat.js';
import { encodeMessage } from './encode.js';
import type { Session } from './session.js';

/**
 * Most rows one page reads. A page is cut to the byte budget (catchUpPageBytes), so the count a page
 * reads follows what the last one could use: a few rows when messages are large (reading 256 rows of
 * 16 KB to send four made 40 members catching up at once take seconds a page), up to this when small.
 */
const MAX_PAGE_ROWS = 256;
const FIRST_PAGE_ROWS = 16;
/**
 * Most message ids one page query looks at: a member of quiet conversations on a busy server must not
 * make one query scan everything since it fell behind (the ids of others' conversations are skipped
 * in steps of this size).
 */
const PAGE_ID_SPAN = 10_000;

/** The state of a session that is behind; it exists only while it is, so idle sessions pay nothing. */
export class CatchUp {
  /** Every message for the user below this id has been queued; the next page starts here. */
  next: number;
  /** A page is being read (one at a time, so pages stay in order). */
  reading = false;
  /** How many rows the next page reads (see MAX_PAGE_ROWS). */
  pageRows = FIRST_PAGE_ROWS;
  /** For the connection's no-progress watch: bytes the socket had handed on at the last check. */
  progressMark = 0;
  /** The connection's no-progress timer. */
  watch: NodeJS.Timeout | null = null;

  constructor(
    /**
     * The first message not queued live. Cursors at disconnect stay below it: what was queued since
     * came from pages that may not have reached the client (better twice than never; the client's
     * `since` drops the repeats).
     */
    readonly from: number,
  ) {
    this.next = from;
  }
}

/**
 * Reads the next page of what `session` missed and queues it. When that reaches the newest message,
 * the session is live again (session.catchUp becomes null) before any later message is recorded, so
 * nothing is missed or sent twice. Resolves to the bytes queued. Call only while session.catchUp is set.
 */
export async function queueCatchUpPage(
  chat: Chat,
  session: Session,
  limits: Pick<Limits, 'catchUpPageBytes'>,
): Promise<number> {
  const state = session.catchUp!;
  const upTo = Math.min(chat.watermark(), state.next + PAGE_ID_SPAN);
  const limit = state.pageRows;
  const rows =
    state.next < upTo ? await chat.store.catchUpFor(session.userId, chat.everyone.id, state.next, upTo, limit) : [];
  if (session.catchUp !== state) return 0; // went offline meanwhile
  // Below upTo everything was read, unless the page was full (then up to its last row).
  let next = rows.length === limit ? rows[limit - 1]!.id + 1 : upTo;
  let bytes = 0;
  let sent = 0;
  for (const row of rows) {
    const line = encodeMessage(row);
    if (bytes > 0 && bytes + line.length > limits.catchUpPageBytes) {
      next = row.id;
      break;
    }
    session.sendNow(line);
    bytes += line.length;
    sent++;
  }
  if (sent < rows.length) state.pageRows = sent + 1;
  else if (rows.length === limit) state.pageRows = Math.min(MAX_PAGE_ROWS, limit * 2);
  state.next = next;
  // Synchronous with the check: no message can be recorded between it and going live.
  if (next >= chat.watermark()) session.catchUp = null;
  return bytes;
}
