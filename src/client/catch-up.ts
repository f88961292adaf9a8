/**
 * What the client missed while disconnected (issue #3): per conversation, the history after the last
 * seq it showed, minus what it has already shown (message ids), so a reconnect leaves no gap and
 * shows nothing twice.
 */
import type { ChatMessage } from '../protocol/messages.js';
import type { Known } from './known.js';
import type { Link } from './link.js';
import { plural, type OutputSink } from './output.js';

/** A conversation the client has seen messages in. */
export interface Conversation {
  /** How `history` names it. */
  receiver: string;
  lastSeq: number;
}

/** The messages after each conversation's last seen seq that are not in `shown`, oldest (by msgid) first. */
export async function fetchMissed(
  link: Link,
  conversations: Conversation[],
  shown: ReadonlySet<number>,
): Promise<ChatMessage[]> {
  const missed: ChatMessage[] = [];
  for (const conv of conversations) {
    let after = conv.lastSeq;
    for (;;) {
      const reply = await link.request({ status: 'history', receiver: conv.receiver, after, limit: 200 });
      if (reply.status !== 'ok') break;
      const last = reply.messages.at(-1);
      if (!last) break;
      for (const message of reply.messages) if (!shown.has(message.msgid)) missed.push(message);
      after = last.seq;
      if (!reply.more) break;
    }
  }
  return missed.sort((a, b) => a.msgid - b.msgid);
}

/** Fetches, per conversation, everything after the last seq shown, and shows what is new under a header. */
export async function catchUp(link: Link, known: Known, out: OutputSink): Promise<void> {
  const missed = await fetchMissed(link, known.seen(), known.shown);
  if (missed.length === 0) return;
  out.header(`${plural(missed.length, 'message')} arrived while you were disconnected`);
  for (const message of missed) {
    known.remember(message);
    out.emit({ type: 'message', message, phase: 'missed' });
  }
}
