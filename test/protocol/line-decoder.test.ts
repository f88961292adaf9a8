// The line codec's limits (issue #2): lines split across chunks, oversized lines reported once and
// skipped, and the stream closed only when an oversized line runs past the discard limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineDecoder, type LineSink } from '../../src/protocol/line-decoder.js';

function collect(): LineSink & { lines: string[]; tooLarge: number } {
  return {
    lines: [],
    tooLarge: 0,
    onLine(line) {
      this.lines.push(line);
    },
    onTooLarge() {
      this.tooLarge++;
    },
  };
}

test('splits lines, joins a line split across chunks, drops \\r and blank lines', () => {
  const decoder = new LineDecoder(100, 1000);
  const sink = collect();
  assert.equal(decoder.push(Buffer.from('{"a":1}\n{"b"'), sink), true);
  assert.equal(decoder.push(Buffer.from(':2}\r\n\n\r\n{"c":3}\n'), sink), true);
  assert.deepEqual(sink.lines, ['{"a":1}', '{"b":2}', '{"c":3}']);
});

test('decodes a multi-byte character split between chunks', () => {
  const decoder = new LineDecoder(100, 1000);
  const sink = collect();
  const bytes = Buffer.from('"é€😀"\n');
  decoder.push(bytes.subarray(0, 2), sink);
  decoder.push(bytes.subarray(2, 5), sink);
  decoder.push(bytes.subarray(5), sink);
  assert.deepEqual(sink.lines, ['"é€😀"']);
});

test('a line of exactly the limit passes; one byte more is too large', () => {
  const decoder = new LineDecoder(10, 1000);
  const sink = collect();
  decoder.push(Buffer.from('x'.repeat(10) + '\n' + 'y'.repeat(11) + '\nok\n'), sink);
  assert.deepEqual(sink.lines, ['x'.repeat(10), 'ok']);
  assert.equal(sink.tooLarge, 1);
});

test('an oversized line arriving in pieces is reported once and skipped up to its newline', () => {
  const decoder = new LineDecoder(10, 100);
  const sink = collect();
  for (let i = 0; i < 5; i++) assert.equal(decoder.push(Buffer.from('z'.repeat(15)), sink), true);
  assert.equal(decoder.push(Buffer.from('zz\nnext\n'), sink), true);
  assert.equal(sink.tooLarge, 1);
  assert.deepEqual(sink.lines, ['next']);
});

test('an oversized line that runs past the discard limit asks the caller to close', () => {
  const decoder = new LineDecoder(10, 100);
  const sink = collect();
  let open = true;
  for (let i = 0; i < 20 && open; i++) open = decoder.push(Buffer.from('w'.repeat(20)), sink);
  assert.equal(open, false);
  assert.equal(sink.tooLarge, 1);
});

test('a line trickled in one byte at a time is joined correctly', () => {
  const decoder = new LineDecoder(70_000, 1_000_000);
  const sink = collect();
  const line = JSON.stringify({ status: 'broadcast', text: 'é'.repeat(30_000) });
  const bytes = Buffer.from(line + '\n');
  for (let i = 0; i < bytes.length; i++) assert.equal(decoder.push(bytes.subarray(i, i + 1), sink), true);
  assert.deepEqual(sink.lines, [line]);
  assert.equal(sink.tooLarge, 0);
});
