/**
 * Conversations as the web app keeps them (issue #14): which conversation a message belongs to, merging
 * messages from live pushes, login delivery, catch-up and history pages into one list per conversation
 * (sorted by seq, each msgid once: a reconnect shows no duplicate), and whether a message mentions you.
 * Pure, so node:test runs it (test/web/conversations.test.ts).
 */
import type { ChatMessage } from '../../../src/protocol/messages.js';

export type ConvKind = 'everyone' | 'room' | 'user';

/** One conversation in the sidebar. */
export interface Conv {
  key: string;
  kind: ConvKind;
  /** As shown: `everyone`, the room's name, or the other user's name. */
  name: string;
  /** Sorted by seq, each msgid once. */
  messages: ChatMessage[];
  unread: number;
  mentioned: boolean;
  /** The newest page of history was read (else only pushed messages are held). */
  loaded: boolean;
  /** Older messages may exist before the first one held. */
  hasOlder: boolean;
  /** The msgid the "New since you were away" divider sits above; null for none. */
  dividerBefore: number | null;
}

/** The key of a conversation: names compare case-insensitively (docs/protocol.md "Names"). */
export function convKey(kind: ConvKind, name: string): string {
  return kind === 'everyone' ? 'everyone' : `${kind}:${name.toLowerCase()}`;
}

/** The conversation `message` belongs to, for the user `me`. */
export function convOf(message: ChatMessage, me: string): { kind: ConvKind; name: string } {
  if (message.status === 'broadcast' || message.receiver.toLowerCase() === 'everyone')
    return { kind: 'everyone', name: 'everyone' };
  if (message.status === 'private') {
    const other = message.sender.toLowerCase() === me.toLowerCase() ? message.receiver : message.sender;
    return { kind: 'user', name: other };
  }
  return { kind: 'room', name: message.receiver };
}

/** A new empty conversation. */
export function emptyConv(kind: ConvKind, name: string): Conv {
  return {
    key: convKey(kind, name),
    kind,
    name,
    messages: [],
    unread: 0,
    mentioned: false,
    loaded: false,
    hasOlder: true,
    dividerBefore: null,
  };
}

/**
 * `held` with `incoming` added: sorted by seq, a msgid already held is not added again (a message that
 * arrives twice, from a resend of the login delivery or a catch-up overlapping a push, shows once).
 * Returns the merged list and the messages that were new.
 */
export function mergeMessages(
  held: readonly ChatMessage[],
  incoming: readonly ChatMessage[],
): { messages: ChatMessage[]; added: ChatMessage[] } {
  const ids = new Set(held.map((m) => m.msgid));
  const added: ChatMessage[] = [];
  for (const message of incoming) {
    if (ids.has(message.msgid)) continue;
    ids.add(message.msgid);
    added.push(message);
  }
  if (added.length === 0) return { messages: held.slice(), added };
  const messages = held.concat(added);
  // Usually appended in order already; sort only when not.
  if (!isSorted(messages)) messages.sort((a, b) => a.seq - b.seq || a.msgid - b.msgid);
  return { messages, added };
}

function isSorted(messages: readonly ChatMessage[]): boolean {
  for (let i = 1; i < messages.length; i++) if (messages[i - 1]!.seq > messages[i]!.seq) return false;
  return true;
}

/** True when `text` names `me` as a word (`@Alice`, `Alice:` or `alice,`), ignoring case. */
export function mentions(text: string, me: string): boolean {
  if (me === '') return false;
  const escaped = me.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9._-])@?${escaped}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])`, 'i').test(text);
}

/** The label of a conversation as the sidebar names it: `everyone`, `#room`, or the user's name. */
export function convTitle(conv: Pick<Conv, 'kind' | 'name'>): string {
  return conv.kind === 'room' ? `#${conv.name}` : conv.name;
}

/** The accessible name of a sidebar entry (the UI contract): title, then ", N unread" and ", mentioned". */
export function convLabel(conv: Pick<Conv, 'kind' | 'name' | 'unread' | 'mentioned'>): string {
  let label = convTitle(conv);
  if (conv.unread > 0) label += `, ${conv.unread} unread`;
  if (conv.mentioned && conv.unread > 0) label += ', mentioned';
  return label;
}

/** How `history` and the chat requests name a conversation. */
export function receiverOf(conv: Pick<Conv, 'kind' | 'name'>): string {
  return conv.kind === 'everyone' ? 'everyone' : conv.name;
}
