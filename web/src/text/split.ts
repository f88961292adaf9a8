/**
 * Cutting a long text into messages the server takes (issue #14, as src/client/message-split.ts does for
 * the terminal): one message when it fits the size limit, else several, each ending at a line boundary;
 * only a single line longer than the limit is cut inside, between code points. Each message is also held
 * to what fits in one frame as JSON (net/frame.ts): a control character is 1 byte of text but 6 of JSON,
 * so 16 KiB of them would make a frame the server refuses by closing the connection. No Buffer: it runs
 * in the browser and under node:test alike.
 */
import { jsonTextBytes, MAX_FRAME_BYTES, utf8Length } from '../net/frame.js';

/** The server's default message text limit (docs/protocol.md "Limits"), in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 16 * 1024;

/** The most a message's text may take as JSON: the frame limit less room for the rest of the request. */
export const MAX_TEXT_JSON_BYTES = MAX_FRAME_BYTES - 1024;

/** What a piece of text costs: UTF-8 bytes (the server's text limit) and JSON bytes (the frame limit). */
interface Cost {
  bytes: number;
  json: number;
}
const costOf = (text: string): Cost => ({ bytes: utf8Length(text), json: jsonTextBytes(text) });
/** A newline joining two lines: 1 byte of text, 2 of JSON (\n). */
const JOIN: Cost = { bytes: 1, json: 2 };

/**
 * `text` as messages of at most `maxBytes` UTF-8 bytes and `maxJson` bytes as a JSON string each, in
 * order; none when it is blank.
 */
export function splitAtLines(text: string, maxBytes = MAX_TEXT_BYTES, maxJson = MAX_TEXT_JSON_BYTES): string[] {
  const limit: Cost = { bytes: maxBytes, json: maxJson };
  // Surrounding blank lines carry nothing; the blank lines inside are kept.
  const lines = text
    .replace(/\r/g, '')
    .replace(/^(\s*\n)+/, '')
    .trimEnd()
    .split('\n');
  if (lines.length === 1 && lines[0] === '') return [];
  const messages: string[] = [];
  let current: string[] = [];
  let used: Cost = { bytes: 0, json: 0 };
  const flush = (): void => {
    const message = current.join('\n');
    if (message.trim() !== '') messages.push(message);
    current = [];
    used = { bytes: 0, json: 0 };
  };
  for (const line of lines) {
    for (const piece of cutLine(line, limit)) {
      let size = costOf(piece);
      if (current.length > 0) size = add(size, JOIN);
      if (!fits(add(used, size), limit)) {
        flush();
        size = costOf(piece);
      }
      used = add(used, size);
      current.push(piece);
    }
  }
  flush();
  return messages;
}

const add = (a: Cost, b: Cost): Cost => ({ bytes: a.bytes + b.bytes, json: a.json + b.json });
const fits = (cost: Cost, limit: Cost): boolean => cost.bytes <= limit.bytes && cost.json <= limit.json;

/** `line` in pieces within `limit`, cut between code points. */
function cutLine(line: string, limit: Cost): string[] {
  if (fits(costOf(line), limit)) return [line];
  const pieces: string[] = [];
  let piece = '';
  let used: Cost = { bytes: 0, json: 0 };
  for (const char of line) {
    const size = costOf(char);
    if (piece !== '' && !fits(add(used, size), limit)) {
      pieces.push(piece);
      piece = '';
      used = { bytes: 0, json: 0 };
    }
    piece += char;
    used = add(used, size);
  }
  pieces.push(piece);
  return pieces;
}
