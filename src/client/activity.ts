/**
 * Where activity is (issue #12.6), as irssi's and weechat's users expect: for each conversation other
 * than the current one, how many messages came unread and whether one mentions you, in the order they
 * became unread; and the last of them, kept to be shown again when the user jumps there (/next, Alt-a).
 * Fed by the session's outputs; no I/O.
 *
 * The missed lines are kept in memory rather than fetched with `history` when the user jumps: they
 * are exactly what was printed (also messages that waited at login and ones caught up after a
 * reconnect), /next works without a round trip or a connection, and a bound keeps the memory small;
 * past the bound the header says how many are not shown, and /history has them.
 */
import { EVERYONE, nameKey } from '../protocol/names.js';
import type { Output, ShownMessage } from './output.js';
import { targetLabel, type Target } from './parse.js';

/** Messages kept per conversation to show again, and in all (the oldest go first). */
export const KEPT_PER_CONVERSATION = 100;
export const KEPT_IN_ALL = 1000;

/** Messages that count as news: sent by people, as they came (not history asked for, nor shown again). */
const PEOPLE: ReadonlySet<string> = new Set(['private', 'group', 'broadcast']);
const NEWS: ReadonlySet<string> = new Set(['live', 'waiting', 'missed']);

/** One conversation's unread messages. */
export interface Unread {
  target: Target;
  /** How the status line names it: `Lab`, `@Bob`, `everyone`. */
  label: string;
  count: number;
  /** Whether one of them mentions you. */
  mention: boolean;
  /** The last of them (at most KEPT_PER_CONVERSATION), oldest first. */
  messages: ShownMessage[];
}

interface Kept {
  message: ShownMessage;
  /** Arrival order over all conversations, to drop the oldest when KEPT_IN_ALL is passed. */
  order: number;
}

export class Activity {
  /** Conversations with unread messages, by key, in the order they became unread. */
  private readonly unread = new Map<string, Omit<Unread, 'messages'> & { kept: Kept[] }>();
  private arrivals = 0;
  private keptInAll = 0;

  constructor(private readonly me: () => string) {}

  /** Takes in one output of the session; `current` is the conversation the prompt names. */
  note(output: Output, current: Target): void {
    if (output.type !== 'message') return;
    const { message, phase } = output;
    if (!PEOPLE.has(message.status)) return;
    const target = this.conversationOf(message);
    // Writing to a conversation (also without switching to it) is reading it.
    if (phase === 'own') return this.read(target);
    if (!NEWS.has(phase) || this.isMine(message) || keyOf(target) === keyOf(current)) return;
    const key = keyOf(target);
    let entry = this.unread.get(key);
    if (!entry) {
      entry = { target, label: targetLabel(target), count: 0, mention: false, kept: [] };
      this.unread.set(key, entry);
    }
    entry.count++;
    if (mentions(message.text, this.me())) entry.mention = true;
    entry.kept.push({ message, order: this.arrivals++ });
    this.keptInAll++;
    if (entry.kept.length > KEPT_PER_CONVERSATION) this.dropOldest(entry.kept);
    if (this.keptInAll > KEPT_IN_ALL) this.dropOldestOfAll();
  }

  /** The user is on `target` now (switched to it, or wrote to it): nothing there is unread. */
  read(target: Target): void {
    const entry = this.unread.get(keyOf(target));
    if (!entry) return;
    this.keptInAll -= entry.kept.length;
    this.unread.delete(keyOf(target));
  }

  /** Conversations with unread messages: those that mention you first, then in the order they became unread. */
  list(): Unread[] {
    const all = [...this.unread.values()].map(({ kept, ...entry }) => ({
      ...entry,
      messages: kept.map((k) => k.message),
    }));
    return [...all.filter((u) => u.mention), ...all.filter((u) => !u.mention)];
  }

  /** The conversation /next goes to (the first of `list`), taken off the list; null when nothing is unread. */
  next(): Unread | null {
    const first = this.list()[0];
    if (!first) return null;
    this.read(first.target);
    return first;
  }

  private isMine(message: ShownMessage): boolean {
    return nameKey(message.sender) === nameKey(this.me());
  }

  /** The conversation a message belongs to, as the user would switch to it. */
  private conversationOf(message: ShownMessage): Target {
    if (message.status === 'broadcast') return { kind: 'everyone', name: EVERYONE };
    if (message.status === 'group') return { kind: 'room', name: message.receiver };
    return { kind: 'user', name: this.isMine(message) ? message.receiver : message.sender };
  }

  private dropOldest(kept: Kept[]): void {
    kept.shift();
    this.keptInAll--;
  }

  private dropOldestOfAll(): void {
    let oldest: Kept[] | null = null;
    for (const { kept } of this.unread.values())
      if (kept.length > 0 && (!oldest || kept[0]!.order < oldest[0]!.order)) oldest = kept;
    if (oldest) this.dropOldest(oldest);
  }
}

/** The header above a conversation's unread messages shown again: how many, and how many are not shown. */
export function unreadHeader(unread: Unread): string {
  const shown = unread.messages.length;
  const older =
    unread.count > shown
      ? ` (the last ${shown} shown; /history ${unread.label} ${Math.min(200, unread.count)} for more)`
      : '';
  return `${unread.count} unread in ${unread.label}${older}`;
}

/** The status line's activity part: `Act: Lab:3 @Bob:1`; empty when nothing is unread. */
export function activityText(list: Unread[]): string {
  return list.length === 0 ? '' : `Act: ${list.map((u) => `${u.label}:${u.count}`).join(' ')}`;
}

/** The comparison key of a conversation: `everyone`, `#room`, `@user`, case-insensitive. */
function keyOf(target: Target): string {
  if (target.kind === 'everyone') return EVERYONE;
  return `${target.kind === 'room' ? '#' : '@'}${nameKey(target.name)}`;
}

/**
 * Whether `text` mentions `name`: the name as a word, in any case. Names are letters, digits, `.`, `_`
 * and `-`; so is a word here, except that a trailing `.` ends a sentence ("thanks, alice.").
 */
export function mentions(text: unknown, name: string): boolean {
  return typeof text === 'string' && name !== '' && mentionPattern(name).test(text);
}

/** Where `name` is mentioned in text (global: for highlighting each mention). */
export function mentionPattern(name: string): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  return new RegExp(`(?<![A-Za-z0-9._-])${escaped}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9_-])`, 'gi');
}

/**
 * Whether an output rings the terminal bell: a message from someone else that mentions you, as it
 * came or as it waited for you or was caught up after a reconnect; not your own, not history you asked
 * for, not one shown again by /next.
 */
export function ringsBell(output: Output, me: string): boolean {
  if (output.type !== 'message' || !NEWS.has(output.phase) || !PEOPLE.has(output.message.status)) return false;
  return nameKey(output.message.sender) !== nameKey(me) && mentions(output.message.text, me);
}
