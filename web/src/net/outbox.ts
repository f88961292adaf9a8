/**
 * The web app's outbox (issue #14, as src/client/outbox.ts): chat messages leave in the order they were
 * written and none is dropped. A flood refusal (`rate_limited` with `retry_after_ms`) is waited out and the
 * same request sent again with the same id; a message written offline, or whose reply was lost with the
 * connection, waits for the reconnect and goes with its original id, which the server recognises
 * (docs/protocol.md: a resend is answered with the stored message, not stored twice). One message is
 * dropped, never resent: one too large to send (its frame past the server's limit; the server would close
 * the connection over it, and over it again after every reconnect, with everything behind it stuck).
 */
import type { AnyRequest, ChatKind, ReplyOf } from '../../../src/protocol/messages.js';
import { CLOSE_TOO_BIG, FrameTooLarge, LinkClosed } from './frame.js';
import type { Link } from './link.js';

export type ChatRequest = AnyRequest<ChatKind>;

/** A message waiting to go (shown greyed in its conversation until its reply). */
export interface Pending {
  id: string;
  request: ChatRequest;
  /** Set while the server asked to wait before sending it again. */
  waitUntil: number | null;
}

/** Added to `retry_after_ms`: the server's bucket refills continuously and timers fire a little early. */
const RETRY_MARGIN_MS = 20;

export class Outbox {
  private readonly queue: { pending: Pending; done: (reply: ReplyOf<ChatKind>) => void }[] = [];
  private link: Link | null = null;
  private pumping = false;
  // Ids unique to this page load: a counter alone restarts at each load, and a repeated id with the same
  // text within 24 h would be taken for a resend and not delivered.
  private readonly prefix = `w${Math.random().toString(36).slice(2, 10)}${Date.now().toString(36)}.`;
  private nextId = 1;

  /** `changed` runs whenever the list of pending messages changes. */
  constructor(private readonly changed: (pending: Pending[]) => void) {}

  get pending(): Pending[] {
    return this.queue.map((e) => e.pending);
  }

  /** Queues a message; `done` gets its final reply (ok, or a refusal waiting does not cure). */
  add(request: ChatRequest, done: (reply: ReplyOf<ChatKind>) => void): void {
    this.queue.push({ pending: { id: `${this.prefix}${this.nextId++}`, request, waitUntil: null }, done });
    this.notify();
    void this.pump();
  }

  /** The link is logged in and caught up: send what waits, in order. */
  resume(link: Link): void {
    this.link = link;
    void this.pump();
  }

  /** The connection is gone: what is queued waits for resume(). */
  pause(): void {
    this.link = null;
  }

  /** Gives up on everything queued (sign out). */
  clear(): void {
    this.queue.length = 0;
    this.notify();
  }

  private notify(): void {
    this.changed(this.pending);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && this.link !== null && !this.link.closed) {
        const entry = this.queue[0]!;
        const link = this.link;
        let reply: ReplyOf<ChatKind>;
        try {
          reply = await link.request(entry.pending.request, undefined, entry.pending.id);
        } catch (err) {
          const tooLarge = tooLargeText(err);
          if (tooLarge !== null && this.queue[0] === entry) {
            this.queue.shift();
            entry.done({ status: 'error', code: 'too_large', text: tooLarge });
            this.notify();
          }
          // Otherwise the connection closed before the reply: the message stays first and goes again (same id).
          continue;
        }
        if (reply.status === 'error' && reply.code === 'rate_limited' && typeof reply.retry_after_ms === 'number') {
          entry.pending.waitUntil = Date.now() + reply.retry_after_ms;
          this.notify();
          await new Promise((resolve) => setTimeout(resolve, reply.retry_after_ms! + RETRY_MARGIN_MS));
          entry.pending.waitUntil = null;
          continue;
        }
        if (this.queue[0] !== entry) continue;
        this.queue.shift();
        entry.done(reply);
        this.notify();
      }
    } finally {
      this.pumping = false;
    }
  }
}

/**
 * Why a failed send is too large to try again, or null: refused before sending (FrameTooLarge), or the
 * server closed with 1009 while it was the one in flight (the app's measure should make this never happen:
 * a server with a smaller limit, say).
 */
function tooLargeText(err: unknown): string | null {
  if (err instanceof FrameTooLarge) return err.message;
  if (err instanceof LinkClosed && err.code === CLOSE_TOO_BIG) return 'too large: the server refused it and closed';
  return null;
}
