/**
 * The bench's own WebSocket client framing (issue #14), lean like its line client: the handshake, client
 * frames out and server frames in, over a plain socket whose bytes are latin1 strings. The ws library's
 * client made the generator, not the server, the limit on a 2-core machine (an event and a Buffer per
 * message), so the fan-out over WebSocket measured the load generator. The bench's text is ASCII, so a
 * latin1 string's offsets are byte offsets. See RFC 6455 §4 (handshake) and §5 (frames).
 */
import { createHash, randomBytes } from 'node:crypto';

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const TEXT = 0x1;
const CLOSE = 0x8;
/** Client frames must be masked (RFC 6455 §5.3); a zero key leaves the payload as it is. */
const MASK_BIT_AND_ZERO_KEY = '\x00\x00\x00\x00';

/** The upgrade request for the server's /ws, and the Sec-WebSocket-Accept the server must answer with. */
export function handshake(port: number): { request: string; accept: string } {
  const key = randomBytes(16).toString('base64');
  const request =
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
  const accept = createHash('sha1')
    .update(key + ACCEPT_GUID)
    .digest('base64');
  return { request, accept };
}

/** Newline-ended lines as masked text frames, one per line, in one latin1 string. */
export function framesOf(lines: string): string {
  let out = '';
  let start = 0;
  for (let nl = lines.indexOf('\n'); nl !== -1; nl = lines.indexOf('\n', start)) {
    const length = nl - start;
    out += '\x81';
    if (length < 126) out += String.fromCharCode(0x80 | length);
    else if (length < 65536) out += String.fromCharCode(0x80 | 126, length >> 8, length & 0xff);
    else throw new Error(`a bench frame of ${length} bytes: larger than the bench ever sends`);
    out += MASK_BIT_AND_ZERO_KEY + lines.slice(start, nl);
    start = nl + 1;
  }
  return out;
}

/** Called per text frame: `data.slice(start, end)` is its payload. */
export type FrameHandler = (data: string, start: number, end: number) => void;

/**
 * Cuts server frames (never masked, never fragmented by ClassChat) out of received latin1 chunks; throws
 * on a frame ClassChat never sends.
 */
export class FrameReader {
  private rest = '';

  /** Feeds a chunk; calls `onText` per whole text frame; returns the close code if a close frame came. */
  push(chunk: string, onText: FrameHandler): number | null {
    const data = this.rest.length > 0 ? this.rest + chunk : chunk;
    let at = 0;
    while (data.length - at >= 2) {
      const first = data.charCodeAt(at);
      let length = data.charCodeAt(at + 1) & 0x7f;
      let header = 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = (data.charCodeAt(at + 2) << 8) | data.charCodeAt(at + 3);
        header = 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length =
          data.charCodeAt(at + 6) * 2 ** 24 +
          ((data.charCodeAt(at + 7) << 16) | (data.charCodeAt(at + 8) << 8) | data.charCodeAt(at + 9));
        header = 10;
      }
      if (data.length - at < header + length) break;
      const opcode = first & 0x0f;
      const start = at + header;
      at = start + length;
      if ((first & 0x80) === 0) throw new Error('a fragmented frame: ClassChat sends whole frames');
      if (opcode === TEXT) onText(data, start, at);
      else if (opcode === CLOSE) return length >= 2 ? (data.charCodeAt(start) << 8) | data.charCodeAt(start + 1) : 1005;
      else throw new Error(`an unexpected frame (opcode ${opcode})`);
    }
    this.rest = at < data.length ? data.slice(at) : '';
    return null;
  }
}
