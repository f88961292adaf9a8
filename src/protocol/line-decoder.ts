/**
 * Splits a byte stream into lines of UTF-8 text (one JSON object per line, docs/protocol.md).
 *
 * Limits (issue #2): a line longer than `maxLineBytes` is reported once with `onTooLarge` and the rest
 * of it is skipped; the stream stays usable if that line's newline comes within `maxDiscardBytes`,
 * otherwise `push` returns false and the caller must close the connection. Blank lines are ignored,
 * and a trailing `\r` is dropped so that `nc -C` and telnet work.
 */

export interface LineSink {
  onLine(line: string): void;
  onTooLarge(): void;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const MIN_PARTIAL_CAPACITY = 256;

export class LineDecoder {
  /**
   * The current, unfinished line, copied into one buffer that doubles as it grows: a line trickled in
   * one byte per read costs its length, not a Buffer per byte (review of issue #2).
   */
  private partial: Buffer | null = null;
  private partBytes = 0;
  /** Bytes skipped of an oversized line, or -1 while not skipping. */
  private skipped = -1;

  constructor(
    private readonly maxLineBytes: number,
    private readonly maxDiscardBytes: number,
  ) {}

  /** Feeds one chunk. Returns false when an oversized line ran past `maxDiscardBytes`: close the stream. */
  push(chunk: Buffer, sink: LineSink): boolean {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) return this.keepPartial(chunk, start, sink);
      if (this.skipped >= 0) {
        // The newline that ends an oversized line: everything up to it is dropped.
        if (this.skipped + (newline - start) > this.maxDiscardBytes) return false;
        this.skipped = -1;
      } else if (this.partBytes + (newline - start) > this.maxLineBytes) {
        this.clearPartial();
        sink.onTooLarge();
      } else {
        const line = this.takeLine(chunk, start, newline);
        if (line.length > 0) sink.onLine(line);
      }
      start = newline + 1;
    }
  }

  private keepPartial(chunk: Buffer, start: number, sink: LineSink): boolean {
    const length = chunk.length - start;
    if (length === 0) return true;
    if (this.skipped >= 0) {
      this.skipped += length;
      return this.skipped <= this.maxDiscardBytes;
    }
    if (this.partBytes + length > this.maxLineBytes) {
      this.skipped = this.partBytes + length;
      this.clearPartial();
      sink.onTooLarge();
      return this.skipped <= this.maxDiscardBytes;
    }
    this.append(chunk, start, chunk.length);
    return true;
  }

  private append(chunk: Buffer, start: number, end: number): void {
    const needed = this.partBytes + (end - start);
    if (this.partial === null || this.partial.length < needed) {
      const capacity = Math.min(
        Math.max(needed, (this.partial?.length ?? 0) * 2, MIN_PARTIAL_CAPACITY),
        this.maxLineBytes,
      );
      const grown = Buffer.allocUnsafe(capacity);
      if (this.partial !== null) this.partial.copy(grown, 0, 0, this.partBytes);
      this.partial = grown;
    }
    chunk.copy(this.partial, this.partBytes, start, end);
    this.partBytes = needed;
  }

  private takeLine(chunk: Buffer, start: number, end: number): string {
    let bytes: Buffer;
    if (this.partial === null) {
      bytes = chunk.subarray(start, end);
    } else {
      this.append(chunk, start, end);
      bytes = this.partial.subarray(0, this.partBytes);
    }
    const stop = bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN ? bytes.length - 1 : bytes.length;
    const line = bytes.toString('utf8', 0, stop);
    this.clearPartial();
    return line;
  }

  private clearPartial(): void {
    this.partial = null;
    this.partBytes = 0;
  }
}
