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

export class LineDecoder {
  /** Bytes of the current, unfinished line (kept as copies so a socket's read buffer can be freed). */
  private parts: Buffer[] | null = null;
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
    (this.parts ??= []).push(Buffer.from(chunk.subarray(start)));
    this.partBytes += length;
    return true;
  }

  private takeLine(chunk: Buffer, start: number, end: number): string {
    let bytes: Buffer;
    if (this.parts === null) {
      bytes = chunk.subarray(start, end);
    } else {
      this.parts.push(chunk.subarray(start, end));
      bytes = Buffer.concat(this.parts);
      this.clearPartial();
    }
    const stop = bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN ? bytes.length - 1 : bytes.length;
    return bytes.toString('utf8', 0, stop);
  }

  private clearPartial(): void {
    this.parts = null;
    this.partBytes = 0;
  }
}
