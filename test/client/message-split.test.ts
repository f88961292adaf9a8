// Cutting a paste into messages (issue #12.2): one message while it fits the server's text limit, else
// several, each ending at a line boundary; only a single line over the limit is cut inside.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TEXT_BYTES, splitAtLines } from '../../src/client/message-split.js';

test('#12.2 a paste that fits is one message; its blank edges go, its inner blank lines and indents stay', () => {
  assert.deepEqual(splitAtLines('\n\n  def f():\n    return 1\n\n# end\n\n'), ['  def f():\n    return 1\n\n# end']);
  assert.deepEqual(splitAtLines('a\r\nb\r\n'), ['a\nb']);
  assert.deepEqual(splitAtLines(' \n\n \n'), []);
});

test('#12.2 a paste over the limit is cut at line boundaries, every line kept in order', () => {
  const lines = Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(999, 'x'));
  const messages = splitAtLines(lines.join('\n'), 10_000);
  assert.equal(messages.length, 5);
  for (const m of messages) assert.ok(Buffer.byteLength(m) <= 10_000);
  assert.deepEqual(messages.join('\n').split('\n'), lines);
  assert.equal(Buffer.byteLength(splitAtLines('y'.repeat(MAX_TEXT_BYTES) + '\nz')[0]!), MAX_TEXT_BYTES);
});

test('#12.2 a single line over the limit is cut between characters, never inside one', () => {
  const line = '€'.repeat(10); // 3 bytes each
  const messages = splitAtLines(`${line}\nend`, 10);
  assert.deepEqual(messages, ['€€€', '€€€', '€€€', '€\nend']);
});
