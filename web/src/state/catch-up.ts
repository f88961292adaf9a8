/**
 * Catch-up after a reconnect (issue #14): what a conversation missed is read with `history after` the
 * last seq seen there. The marks are taken before the login is sent and kept until that conversation is
 * read to its end: what the login brings (waiting messages, live pushes) raises the seen seqs above
 * messages lost in flight before the drop, which the server counts as given and will not send again. A
 * drop in the middle of catch-up keeps the older mark for the next login.
 */
import type { ReplyOf } from '../../../src/protocol/messages.js';
import type { Link } from '../net/link.js';
import { receiverOf, type Conv } from './conversations.js';
import { applyMessages } from './incoming.js';
import type { Session } from './session.js';

/** History rows per catch-up request. */
const PAGE = 200;

export class CatchUp {
  /** Per conversation key, the seq its catch-up reads after. */
  private readonly owed = new Map<string, number>();

  /** Before a login goes out: each conversation's mark, unless an older one is still owed. */
  markFrom(seen: ReadonlyMap<string, number>): void {
    for (const [key, seq] of seen) if (!this.owed.has(key)) this.owed.set(key, seq);
  }

  /** The conversation is gone (left, removed): nothing is owed for it. */
  forget(key: string): void {
    this.owed.delete(key);
  }

  /** Signed out: nothing is owed to anyone. */
  clear(): void {
    this.owed.clear();
  }

  /** Reads every owed conversation to its end; stops (the marks kept) if `link` closes. */
  async run(session: Session, link: Link): Promise<void> {
    for (const [key, after] of [...this.owed]) {
      const conv = session.store.get().convs[key];
      if (!conv) this.owed.delete(key);
      else await this.read(session, link, conv, after);
      if (link.closed) return;
    }
  }

  /**
   * Reads `conv`'s history after seq `after`, page by page, as missed messages that do not move the
   * login's `since`; its mark follows each page and goes once the end is read (or the conversation
   * cannot be read: left, removed).
   */
  private async read(session: Session, link: Link, conv: Conv, after: number): Promise<void> {
    for (;;) {
      let reply: ReplyOf<'history'>;
      try {
        reply = await link.request({ status: 'history', receiver: receiverOf(conv), after, limit: PAGE });
      } catch {
        return; // closed: the mark stays for the next login
      }
      const last = reply.status === 'ok' ? reply.messages.at(-1) : undefined;
      if (reply.status !== 'ok' || !last) break;
      applyMessages(session, conv.key, reply.messages, 'read');
      after = last.seq;
      if (!reply.more) break;
      if (this.owed.has(conv.key)) this.owed.set(conv.key, after);
    }
    this.owed.delete(conv.key);
  }
}
