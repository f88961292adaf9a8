/**
 * What the client missed while disconnected (issue #3): per conversation, the history after the last
 * seq it showed, minus what it has already shown (message ids), so a reconnect leaves no gap and
 * shows nothing twice.
 */
import type { Link, ServerObject } from './link.js';

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
  shown: Set<number>,
): Promise<ServerObject[]> {
  const missed: ServerObject[] = [];
  for (const conv of conversations) {
    let after = conv.lastSeq;
    for (;;) {
      const reply = await link.request({ status: 'history', receiver: conv.receiver, after, limit: 200 });
      if (reply.status !== 'ok' || reply.messages.length === 0) break;
      for (const message of reply.messages) if (!shown.has(message.msgid)) missed.push(message);
      after = reply.messages.at(-1).seq;
      if (!reply.more) break;
    }
  }
  return missed.sort((a, b) => a.msgid - b.msgid);
}
