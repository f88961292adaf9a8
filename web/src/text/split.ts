/**
 * Cutting a long text into messages the server takes (issue #14, as src/client/message-split.ts does for
 * the terminal): one message when it fits the size limit, else several, each ending at a line boundary;
 * only a single line longer than the limit is cut inside, between code points. Uses TextEncoder, not
 * Buffer, so it runs in the browser and under node:test alike.
 */

/** The server's default message text limit (docs/protocol.md "Limits"), in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 16 * 1024;

const encoder = new TextEncoder();
const byteLength = (text: string): number => encoder.encode(text).length;

/** `text` as messages of at most `maxBytes` UTF-8 bytes each, in order; none when it is blank. */
export function splitAtLines(text: string, maxBytes = MAX_TEXT_BYTES): string[] {
  // Surrounding blank lines carry nothing; the blank lines inside are kept.
  const lines = text
    .replace(/\r/g, '')
    .replace(/^(\s*\n)+/, '')
    .trimEnd()
    .split('\n');
  if (lines.length === 1 && lines[0] === '') return [];
  const messages: string[] = [];
  let current: string[] = [];
  let bytes = 0;
  const flush = (): void => {
    const message = current.join('\n');
    if (message.trim() !== '') messages.push(message);
    current = [];
    bytes = 0;
  };
  for (const line of lines) {
    for (const piece of cutLine(line, maxBytes)) {
      const size = byteLength(piece) + (current.length > 0 ? 1 : 0);
      if (bytes + size > maxBytes) flush();
      bytes += byteLength(piece) + (current.length > 0 ? 1 : 0);
      current.push(piece);
    }
  }
  flush();
  return messages;
}

/** `line` in pieces of at most `maxBytes` UTF-8 bytes, cut between code points. */
function cutLine(line: string, maxBytes: number): string[] {
  if (byteLength(line) <= maxBytes) return [line];
  const pieces: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const char of line) {
    const size = byteLength(char);
    if (bytes + size > maxBytes) {
      pieces.push(piece);
      piece = '';
      bytes = 0;
    }
    piece += char;
    bytes += size;
  }
  pieces.push(piece);
  return pieces;
}
