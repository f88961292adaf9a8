// The status line above the prompt (issues #12.6 and #5): unread conversations and transfers on one
// row, conversations that mention you painted, and never wider than the terminal (wide characters
// count two columns).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Unread } from '../../src/client/activity.js';
import { statusLine } from '../../src/client/status-line.js';

const unread = (label: string, count: number, mention = false): Unread => ({
  target: { kind: 'room', name: label },
  label,
  count,
  mention,
  messages: [],
});
const mark = (text: string) => `<${text}>`;

test('#12.6 the status line shows unread counts, then transfers, with mentions painted', () => {
  assert.deepEqual(statusLine([], [], 80, mark), { text: '', width: 0 });
  assert.deepEqual(statusLine([unread('Lab', 3, true), unread('@Bob', 1)], [], 80, mark), {
    text: 'Act: <Lab:3> @Bob:1',
    width: 17,
  });
  const both = statusLine([unread('everyone', 2)], ['notes.pdf 45%', 'slides.pdf 3%'], 80, mark);
  assert.equal(both.text, 'Act: everyone:2  |  notes.pdf 45%  |  slides.pdf 3%');
  assert.equal(statusLine([], ['notes.pdf 45%'], 80, mark).text, 'notes.pdf 45%', 'a transfer alone, as before');
});

test('#12.6 the status line is cut to the width, counting wide characters as two columns', () => {
  const many = Array.from({ length: 30 }, (_, i) => unread(`room${i}`, i + 1));
  const line = statusLine(many, ['notes.pdf 45%'], 40, mark);
  assert.equal(line.width, 40);
  assert.match(line.text, /^Act: room0:1 room1:2 room2:3 room3:4 ro…$/);
  const wide = statusLine([], ['漢字.pdf 漢字漢字漢字漢字漢字漢字漢字漢字 12%'], 20, mark);
  assert.ok(wide.width <= 20, `${wide.text} is ${wide.width} columns`);
  assert.equal(wide.text, '漢字.pdf 漢字漢字漢…');
  // A painted piece is cut before it is painted: no half an escape sequence.
  assert.equal(statusLine([unread('Laboratory', 3, true)], [], 12, mark).text, 'Act: <Labora…>');
});
