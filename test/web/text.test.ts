// The web app's pure text logic (issue #14), compiled by the main tsc and run by node:test like every
// test: a message's text as segments (links, inline code, fenced blocks; never a non-http link), the
// composer's slash commands, and a long paste cut at line boundaries within the server's size limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommand, parseDuration } from '../../web/src/text/commands.js';
import { safeHref, toSegments } from '../../web/src/text/segments.js';
import { MAX_FRAME_BYTES, utf8Length } from '../../web/src/net/frame.js';
import { MAX_TEXT_BYTES, MAX_TEXT_JSON_BYTES, splitAtLines } from '../../web/src/text/split.js';

test('#14 web text: links become http(s) link segments, trailing punctuation stays text', () => {
  assert.deepEqual(toSegments('see https://example.com/a?b=1. or http://x.org!'), [
    { kind: 'text', text: 'see ' },
    { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
    { kind: 'text', text: '. or ' },
    { kind: 'link', text: 'http://x.org', href: 'http://x.org/' },
    { kind: 'text', text: '!' },
  ]);
});

test('#14 web text: javascript:, data: and markup stay plain text (rendered as text, never as HTML)', () => {
  const text = 'javascript:alert(1) data:text/html,<b>x</b> <img src=x onerror=alert(1)>';
  assert.deepEqual(toSegments(text), [{ kind: 'text', text }]);
  assert.equal(safeHref('javascript:alert(1)'), null);
  assert.equal(safeHref('https://ok.example/'), 'https://ok.example/');
});

test('#14 web text: `inline code` and fenced blocks are code segments; line breaks are kept in text', () => {
  assert.deepEqual(toSegments('run `npm test`\nthen:\n```ts\nconst a = 1;\nconst b = 2;\n```\ndone'), [
    { kind: 'text', text: 'run ' },
    { kind: 'code', text: 'npm test' },
    { kind: 'text', text: '\nthen:\n' },
    { kind: 'block', text: 'const a = 1;\nconst b = 2;' },
    { kind: 'text', text: '\ndone' },
  ]);
  // A link inside code is code, not a link.
  assert.deepEqual(toSegments('`https://x.org`'), [{ kind: 'code', text: 'https://x.org' }]);
});

test('#14 web composer: slash commands parse like the terminal client, //x sends "/x"', () => {
  assert.deepEqual(parseCommand('/join #Lab'), { kind: 'join', room: 'Lab' });
  assert.deepEqual(parseCommand('/msg Bob hi there\nsecond line'), {
    kind: 'msg',
    user: 'Bob',
    text: 'hi there\nsecond line',
  });
  assert.deepEqual(parseCommand('/create CS350 Bob,Carol Dan'), {
    kind: 'create',
    room: 'CS350',
    members: ['Bob', 'Carol', 'Dan'],
  });
  assert.deepEqual(parseCommand('/leave'), { kind: 'leave', room: null });
  assert.deepEqual(parseCommand('/mute Bob 10m spam'), { kind: 'mute', user: 'Bob', seconds: 600, reason: 'spam' });
  assert.deepEqual(parseCommand('//shrug'), { kind: 'send', text: '/shrug' });
  assert.deepEqual(parseCommand('plain\ntext'), { kind: 'send', text: 'plain\ntext' });
  assert.equal(parseCommand('/frobnicate').kind, 'usage');
  assert.equal(parseCommand('/mute Bob soon').kind, 'usage');
  assert.equal(parseDuration('2h'), 7200);
});

test('#14 web composer: a paste within the limit is one message; past it, cut at line boundaries, nothing lost', () => {
  assert.deepEqual(splitAtLines('\n\n  def f():\n    return 1\n\n# end\n\n'), ['  def f():\n    return 1\n\n# end']);
  const lines = Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(999, 'x'));
  const messages = splitAtLines(lines.join('\n'), 10_000);
  assert.equal(messages.length, 5);
  for (const m of messages) assert.ok(Buffer.byteLength(m) <= 10_000);
  assert.deepEqual(messages.join('\n').split('\n'), lines);
  // One line longer than the limit is cut between code points, never inside one.
  const long = 'é'.repeat(MAX_TEXT_BYTES);
  const pieces = splitAtLines(long);
  assert.equal(pieces.join(''), long);
  for (const p of pieces) assert.ok(Buffer.byteLength(p) <= MAX_TEXT_BYTES);
});

test('#14 web composer: text that is small as UTF-8 but large as JSON (12,000 ESC) is cut so each frame fits', () => {
  const big = '\u001b'.repeat(12_000);
  const pieces = splitAtLines(big);
  assert.ok(pieces.length >= 2);
  assert.equal(pieces.join(''), big);
  for (const p of pieces) assert.ok(Buffer.byteLength(JSON.stringify(p)) - 2 <= MAX_TEXT_JSON_BYTES);
  for (const p of pieces) {
    const frame = JSON.stringify({
      status: 'private',
      receiver: 'x'.repeat(64),
      text: p,
      id: 'w12345678abcdefgh.99999',
    });
    assert.ok(Buffer.byteLength(frame) <= MAX_FRAME_BYTES, `frame ${Buffer.byteLength(frame)} bytes`);
  }
  // At line boundaries first: lines of control characters and quotes are kept whole.
  const lines = Array.from({ length: 40 }, (_, i) => `${i} ${'"\u0001'.repeat(300)}`);
  const messages = splitAtLines(lines.join('\n'));
  assert.ok(messages.length >= 2);
  assert.deepEqual(messages.join('\n').split('\n'), lines);
  for (const m of messages) assert.ok(Buffer.byteLength(JSON.stringify(m)) - 2 <= MAX_TEXT_JSON_BYTES);
});

test('#14 web frame measure: utf8Length equals TextEncoder on mixed text', () => {
  const text = 'aé€😀\u001b"\\\n' + '\ud800x' + '\udc00';
  assert.equal(utf8Length(text), new TextEncoder().encode(text).length);
});
