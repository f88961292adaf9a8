/**
 * One buffer that the wires frame a tick's messages into, reused from one socket write to the next
 * (issue #16). A fresh buffer per connection per tick was the costliest part of a room fan-out: 500
 * members each got tens of kilobytes of new memory every tick, and the copy into it ran mostly in
 * page faults on memory never touched before (a third of the server's CPU on fanout500). The same
 * warm buffer serves every connection in turn, as long as each socket takes its bytes at once.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** The first buffer's size; it grows to the largest tick one connection needs, up to MAX_BYTES. */
const MIN_BYTES = 64 * 1024;
/** A tick's output past this gets a buffer of its own: a rare large reply must not stay held. */
const MAX_BYTES = 1024 * 1024;

export class FrameScratch {
  private buffer: Buffer | null = null;

  /**
   * `size` bytes to frame into, then write whole to `socket` and pass to `written`. A socket that
   * will keep them gets a buffer of exactly their size, as before the scratch: one that already holds
   * bytes (a slow reader: a slice of the scratch would keep all of it, 64 KiB or more, per tick while
   * the output limits count only `size`), and a TLS socket (each of its writes completes later).
   */
  take(size: number, socket: Socket): Buffer {
    if (size > MAX_BYTES || socket.writableLength !== 0 || (socket as TLSSocket).encrypted === true)
      return Buffer.allocUnsafe(size);
    let buffer = this.buffer;
    if (buffer === null || buffer.length < size) {
      buffer = this.buffer = Buffer.allocUnsafeSlow(Math.min(MAX_BYTES, Math.max(MIN_BYTES, size * 2)));
    }
    return buffer.subarray(0, size);
  }

  /**
   * `framed` (from take) was just written to `socket`. A socket that could not hand all of it to the
   * kernel at once keeps it for later (its writableLength counts it): then it is the socket's, and the
   * next take gets a new buffer. Otherwise nothing refers to it any more and it is reused.
   */
  written(framed: Buffer, socket: Socket): void {
    if (socket.writableLength !== 0 && this.buffer !== null && framed.buffer === this.buffer.buffer) {
      this.buffer = null;
    }
  }
}

/** The one every wire frames into, in turn: writes happen one at a time, so they can share it. */
export const frameScratch = new FrameScratch();
