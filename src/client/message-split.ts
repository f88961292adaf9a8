/**
 * Cutting a pasted text into messages the server takes (issue #12.2): a paste of several lines goes as
 * one multi-line message, or, past the size limit, as several, each ending at a line boundary. Only a
 * single line longer than the limit is cut inside, at a character boundary.
 */

/** The server's default message text limit (`--max-text-bytes`, docs/protocol.md "Limits"), in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 16 * 1024;

/** The pasted `text` (lines joined by \n) as messages of at most `maxBytes` UTF-8 bytes each, in order; none when it is blank. */
export function splitAtLines(text: string, maxBytes = MAX_TEXT_BYTES): string[] {
  // A paste's surrounding blank lines carry nothing; the blank lines inside it are kept.
  const lines = text
    .replace(/\r/g, '')
    .replace(/^(\s*\n)+/, '')
    .trimEnd()
    .split('\n');
  if (lines.length === 1 && lines[0] === '') return [];
  const messages: string[] = [];
  let current: string[] = [];
  let bytes = 0;
  const flush = () => {
    const message = current.join('\n');
    if (message.trim() !== '') messages.push(message);
    current = [];
    bytes = 0;
  };
  for (const line of lines) {
    for (const piece of cutLine(line, maxBytes)) {
      const size = Buffer.byteLength(piece) + (current.length > 0 ? 1 : 0);
      if (bytes + size > maxBytes) flush();
      bytes += Buffer.byteLength(piece) + (current.length > 0 ? 1 : 0);
      current.push(piece);
    }
  }
  flush();
  return messages;
}

/** `line` in pieces of at most `maxBytes` UTF-8 bytes, cut between code points. */
function cutLine(line: string, maxBytes: number): string[] {
  if (Buffer.byteLength(line) <= maxBytes) return [line];
  const pieces: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char);
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
