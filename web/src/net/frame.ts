/**
 * The size of what the app sends (issue #14): the server takes one WebSocket frame of at most its line
 * limit and closes the connection (1009, no reply) on a larger one, so a request is measured before it
 * goes, as the JSON text it is: a control character in a message costs 6 bytes there (\u001b), not 1.
 */

/**
 * The largest frame the server takes, in UTF-8 bytes: its default line limit (src/server/limits.ts
 * `maxLineBytes`, 64 KiB), which is also the WebSocket's maxPayload. The server does not tell its
 * limits, so a server started with a larger --max-line-bytes is still held to the default here.
 */
export const MAX_FRAME_BYTES = 64 * 1024;

/** The WebSocket close code for a frame past the peer's limit (RFC 6455 7.4.1, "Message Too Big"). */
export const CLOSE_TOO_BIG = 1009;

/** Thrown by Link.request for a request whose frame would pass MAX_FRAME_BYTES: it was not sent. */
export class FrameTooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`too large: ${bytes} bytes as sent, the limit is ${MAX_FRAME_BYTES}`);
  }
}

/** The connection closed before the reply; `code`: the WebSocket close code (1009: a frame too big). */
export class LinkClosed extends Error {
  constructor(readonly code: number) {
    super('connection closed');
  }
}

/** UTF-8 length of `text` without encoding it (a lone surrogate counts 3, as TextEncoder's U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next < 0xe000) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes `text` takes inside a JSON string as JSON.stringify writes it (without the quotes). */
export function jsonTextBytes(text: string): number {
  return utf8Length(JSON.stringify(text)) - 2;
}
