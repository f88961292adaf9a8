// The web app's conversation logic (issue #14): which conversation a message is in, merging pushes,
// login delivery, catch-up and history pages without duplicates (dedupe by msgid), grouping rows by
// day and sender, mentions, and the sidebar's accessible names (the UI contract).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatMessage } from '../../src/protocol/messages.js';
import { convLabel, convOf, mentions, mergeMessages } from '../../web/src/state/conversations.js';
import { localDay, toRows } from '../../web/src/text/grouping.js';

function msg(msgid: number, seq: number, sender: string, ts: string, extra: Partial<ChatMessage> = {}): ChatMessage {
  return { status: 'group', sender, receiver: 'Lab', text: `m${msgid}`, msgid, seq, ts, ...extra };
}

test('#14 web state: a message seen twice (push, catch-up, history) is held once, sorted by seq', () => {
  const held = [msg(10, 2, 'A', '2026-11-21T09:00:00Z'), msg(12, 3, 'B', '2026-11-21T09:01:00Z')];
  const { messages, added } = mergeMessages(held, [
    msg(12, 3, 'B', '2026-11-21T09:01:00Z'),
    msg(13, 4, 'A', '2026-11-21T09:02:00Z'),
    msg(5, 1, 'A', '2026-11-21T08:00:00Z'),
    msg(13, 4, 'A', '2026-11-21T09:02:00Z'),
  ]);
  assert.deepEqual(
    messages.map((m) => m.msgid),
    [5, 10, 12, 13],
  );
  assert.deepEqual(
    added.map((m) => m.msgid),
    [13, 5],
  );
  assert.equal(mergeMessages(messages, messages).added.length, 0);
});

test('#14 web state: private messages are keyed by the other user, broadcasts by everyone, the rest by room', () => {
  const dm = msg(1, 1, 'Bob', 'x', { status: 'private', receiver: 'Alice' });
  assert.deepEqual(convOf(dm, 'alice'), { kind: 'user', name: 'Bob' });
  assert.deepEqual(convOf({ ...dm, sender: 'Alice', receiver: 'Bob' }, 'Alice'), { kind: 'user', name: 'Bob' });
  assert.deepEqual(convOf(msg(2, 1, 'Bob', 'x', { status: 'broadcast', receiver: 'everyone' }), 'Alice'), {
    kind: 'everyone',
    name: 'everyone',
  });
  assert.deepEqual(convOf(msg(3, 1, 'Bob', 'x', { status: 'system', event: 'join' }), 'Alice'), {
    kind: 'room',
    name: 'Lab',
  });
});

test('#14 web view: rows group a sender within 5 minutes on one day; system events, new days and the divider break groups', () => {
  const t = (h: number, m: number): string => new Date(2026, 10, 21, h, m).toISOString();
  const messages = [
    msg(1, 1, 'A', t(9, 0)),
    msg(2, 2, 'A', t(9, 3)),
    msg(3, 3, 'A', t(9, 20)),
    msg(4, 4, 'B', t(9, 21)),
    msg(5, 5, 'B', t(9, 22), { status: 'system', event: 'join' }),
    msg(6, 6, 'B', t(9, 23)),
    msg(7, 7, 'B', t(9, 24)),
    msg(8, 8, 'B', new Date(2026, 10, 22, 9, 0).toISOString()),
  ];
  const rows = toRows(messages, 7, (day) => `day ${day}`);
  const shape = rows.map((r) => (r.kind === 'message' ? `${r.message.msgid}${r.head ? 'H' : '.'}` : r.kind));
  assert.deepEqual(shape, ['day', '1H', '2.', '3H', '4H', '5H', '6H', 'divider', '7H', 'day', '8H']);
  assert.equal(localDay(new Date(2026, 0, 5, 23, 59).toISOString()), '2026-01-05');
});

test('#14 web state: mentions match the name as a word, any case, with or without @', () => {
  assert.ok(mentions('@bob look', 'Bob'));
  assert.ok(mentions('Bob: look', 'Bob'));
  assert.ok(mentions('thanks, bob.', 'Bob'));
  assert.ok(!mentions('bobby tables', 'Bob'));
  assert.ok(!mentions('a.bob.c', 'Bob'));
  assert.ok(!mentions('anything', ''));
});

test('#14 web sidebar: names are the title, then ", N unread", then ", mentioned"', () => {
  assert.equal(convLabel({ kind: 'room', name: 'Lab', unread: 2, mentioned: false }), '#Lab, 2 unread');
  assert.equal(convLabel({ kind: 'room', name: 'Lab', unread: 1, mentioned: true }), '#Lab, 1 unread, mentioned');
  assert.equal(convLabel({ kind: 'everyone', name: 'everyone', unread: 0, mentioned: false }), 'everyone');
  assert.equal(convLabel({ kind: 'user', name: 'Bob', unread: 0, mentioned: false }), 'Bob');
});
