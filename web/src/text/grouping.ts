/**
 * The rows of a conversation view (issue #14): a day header when the local day changes, and messages
 * grouped by sender (a sender's run within a few minutes shows their name once, as Slack and Zulip do).
 * System messages stand alone. The "New since you were away" divider breaks a group. Pure.
 */
import type { ChatMessage } from '../../../src/protocol/messages.js';

export type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'divider'; key: string }
  | { kind: 'message'; key: string; message: ChatMessage; head: boolean };

/** Messages closer than this (and from the same sender, on the same day) share one header. */
export const GROUP_GAP_MS = 5 * 60_000;

/** The local calendar day of an ISO time, as YYYY-MM-DD (the grouping key). */
export function localDay(ts: string): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * The rows for `messages` (sorted by seq); `dividerBefore`: the msgid the "new since you were away" divider
 * goes above, if any; `dayLabel` names a day (the UI says "Today" and the like).
 */
export function toRows(
  messages: readonly ChatMessage[],
  dividerBefore: number | null,
  dayLabel: (day: string) => string,
): Row[] {
  const rows: Row[] = [];
  let prev: ChatMessage | null = null;
  let prevDay = '';
  for (const message of messages) {
    const day = localDay(message.ts);
    let head = true;
    if (day !== prevDay) rows.push({ kind: 'day', key: `d${day}`, label: dayLabel(day) });
    else if (
      prev !== null &&
      prev.status !== 'system' &&
      message.status !== 'system' &&
      prev.sender === message.sender &&
      Date.parse(message.ts) - Date.parse(prev.ts) < GROUP_GAP_MS
    )
      head = false;
    if (message.msgid === dividerBefore) {
      rows.push({ kind: 'divider', key: 'divider' });
      head = true;
    }
    rows.push({ kind: 'message', key: `m${message.msgid}`, message, head });
    prev = message;
    prevDay = day;
  }
  return rows;
}
