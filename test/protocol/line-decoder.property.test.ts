// Property tests for the line codec (issue #4, "Hostile input"): random bytes cut into random chunks
// (multi-byte characters split between chunks, \r\n, lines far past the limits) never make LineDecoder
// throw, and what it reports is what a byte-at-a-time reference model of its contract (issue #2) says.
//
// Cases: 3,000 + 1,000 + 40 = 4,040 runs (test/server/hostile-input.property.test.ts runs the rest of
// issue #4's 10,000). fast-check picks a random seed and prints it with any counterexample.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LineDecoder, type LineSink } from '../../src/protocol/line-decoder.js';
import { DEFAULT_LIMITS } from '../../src/server/config.js';
import { cut } from '../helpers/chunks.js';
import { propertyRuns } from '../helpers/property-runs.js';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

interface Outcome {
  lines: string[];
  tooLarge: number;
  /** The index of the chunk whose push returned false (close the stream), or null. */
  closedAt: number | null;
}

/**
 * The contract, one byte at a time: a line (the bytes before `\n`) longer than `maxLine` is reported
 * once and dropped; a line within it loses one trailing `\r`, is decoded as UTF-8 and emitted unless
 * empty. An oversized line is first seen at the end of a chunk (still without its newline) or at its
 * newline; once seen at a chunk's end it is being skipped, and the stream must close as soon as it
 * has run past `maxDiscard` bytes. (An oversized line that arrives whole in one chunk is not held
 * anywhere, so it costs nothing to skip and does not close the stream.)
 */
function reference(chunks: readonly Buffer[], maxLine: number, maxDiscard: number): Outcome {
  const lines: string[] = [];
  let tooLarge = 0;
  let kept: number[] = [];
  let length = 0;
  let skipping = false;
  for (let k = 0; k < chunks.length; k++) {
    for (const byte of chunks[k]!) {
      if (byte !== NEWLINE) {
        length++;
        if (length <= maxLine) kept.push(byte);
        continue;
      }
      if (skipping) {
        if (length > maxDiscard) return { lines, tooLarge, closedAt: k };
        skipping = false;
      } else if (length > maxLine) {
        tooLarge++;
      } else {
        const end = kept.at(-1) === CARRIAGE_RETURN ? kept.length - 1 : kept.length;
        const line = Buffer.from(kept.slice(0, end)).toString('utf8');
        if (line.length > 0) lines.push(line);
      }
      kept = [];
      length = 0;
    }
    if (!skipping && length > maxLine) {
      skipping = true;
      tooLarge++;
    }
    if (skipping && length > maxDiscard) return { lines, tooLarge, closedAt: k };
  }
  return { lines, tooLarge, closedAt: null };
}

/** Feeds the chunks to a decoder until it asks to close; push must never throw. */
function decode(chunks: readonly Buffer[], maxLine: number, maxDiscard: number): Outcome {
  const decoder = new LineDecoder(maxLine, maxDiscard);
  const outcome: Outcome = { lines: [], tooLarge: 0, closedAt: null };
  const sink: LineSink = {
    onLine: (line) => outcome.lines.push(line),
    onTooLarge: () => outcome.tooLarge++,
  };
  for (let k = 0; k < chunks.length; k++) {
    if (!decoder.push(chunks[k]!, sink)) {
      outcome.closedAt = k;
      break;
    }
  }
  return outcome;
}

/** A run of one character, `maxUnits` at most: long lines, many of them multi-byte. */
function repeated(maxUnits: number): fc.Arbitrary<Buffer> {
  return fc
    .record({ unit: fc.constantFrom('x', 'é', '€', '😀', '{"a":1}'), count: fc.integer({ min: 1, max: maxUnits }) })
    .map(({ unit, count }) => Buffer.from(unit.repeat(count)));
}

/** A byte stream made of pieces: any bytes (invalid UTF-8 too), any characters, line ends, long runs. */
function stream(maxRunUnits: number): fc.Arbitrary<Buffer> {
  const piece = fc.oneof(
    { weight: 3, arbitrary: fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes)) },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map((s) => Buffer.from(s)) },
    { weight: 3, arbitrary: fc.constantFrom('\n', '\r\n', '\r', '\n\n', '\r\r\n').map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: repeated(maxRunUnits) },
  );
  return fc.array(piece, { maxLength: 40 }).map((pieces) => Buffer.concat(pieces));
}

/** Either random cuts or one byte per chunk (which splits every multi-byte character). */
function chunked(bytes: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer[]> {
  return fc.oneof(
    fc.tuple(bytes, fc.array(fc.nat(), { maxLength: 16 })).map(([b, positions]) => cut(b, positions)),
    bytes.map((b) => [...b].map((byte) => Buffer.of(byte))),
  );
}

const limits = fc
  .record({ maxLine: fc.integer({ min: 1, max: 64 }), extra: fc.nat(256) })
  .map(({ maxLine, extra }) => ({ maxLine, maxDiscard: maxLine + extra }));

test('any bytes in any chunks: lines, too-large reports and closing follow the reference model', () => {
  fc.assert(
    fc.property(chunked(stream(400)), limits, (chunks, { maxLine, maxDiscard }) => {
      const got = decode(chunks, maxLine, maxDiscard);
      assert.deepEqual(got, reference(chunks, maxLine, maxDiscard));
      for (const line of got.lines)
        assert.ok(
          line.length > 0 && !line.includes('\n'),
          `a non-empty line without a newline: ${JSON.stringify(line)}`,
        );
    }),
    { numRuns: propertyRuns(3000), includeErrorInReport: true },
  );
});

test('while every line is within the limit, how the stream is cut changes nothing', () => {
  // Larger than any stream(16) makes (40 pieces of at most 112 bytes), so no line can be oversized.
  const maxLine = 8192;
  fc.assert(
    fc.property(stream(16), fc.array(fc.nat(), { maxLength: 32 }), (bytes, positions) => {
      assert.ok(bytes.length <= maxLine, 'the stream fits the limit');
      const whole = decode([bytes], maxLine, maxLine);
      assert.deepEqual(decode(cut(bytes, positions), maxLine, maxLine), whole);
      assert.equal(whole.tooLarge, 0);
      assert.equal(whole.closedAt, null);
      // The lines are the complete lines of the concatenated input, each decoded whole.
      const complete = bytes
        .subarray(0, bytes.lastIndexOf(NEWLINE) + 1)
        .toString('latin1')
        .split('\n')
        .slice(0, -1);
      const expected = complete
        .map((line) => Buffer.from(line.replace(/\r$/, ''), 'latin1').toString('utf8'))
        .filter((line) => line.length > 0);
      assert.deepEqual(whole.lines, expected);
    }),
    { numRuns: propertyRuns(1000), includeErrorInReport: true },
  );
});

test("with the server's limits (64 KiB lines, 1 MiB discard), long lines in large chunks follow the reference model", () => {
  const { maxLineBytes, maxDiscardBytes } = DEFAULT_LIMITS;
  const long = fc.oneof(
    fc.integer({ min: maxLineBytes - 2, max: maxLineBytes + 2 }),
    fc.integer({ min: maxDiscardBytes - 2, max: maxDiscardBytes + 2 }),
    fc.integer({ min: 0, max: maxDiscardBytes + maxLineBytes }),
  );
  // Lines are generated as lengths and built inside, so a counterexample prints short.
  const lines = fc.array(fc.record({ length: long, end: fc.constantFrom('\n', '\r\n', '') }), {
    minLength: 1,
    maxLength: 4,
  });
  fc.assert(
    fc.property(lines, fc.array(fc.nat(), { maxLength: 40 }), (specs, positions) => {
      const bytes = Buffer.concat(
        specs.map(({ length, end }) => Buffer.concat([Buffer.alloc(length, 'é'), Buffer.from(end)])),
      );
      const chunks = cut(bytes, positions);
      assert.deepEqual(decode(chunks, maxLineBytes, maxDiscardBytes), reference(chunks, maxLineBytes, maxDiscardBytes));
    }),
    { numRuns: propertyRuns(40), includeErrorInReport: true },
  );
});
