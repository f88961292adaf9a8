/**
 * A wire with no socket (issue #14's seam): the test is the transport. What the connection writes is
 * kept as the very Buffers it wrote (to check they are shared, unframed) and read as messages, so the
 * usual waits work; requests go straight to the connection; the transport's state (buffered bytes, a
 * needed drain) is set by the test, and its signals are sent with `sink`.
 */
import type { ErrorCode } from '../../src/protocol/errors.js';
import type { Wire, WireSink } from '../../src/server/transports/wire.js';
import { MessageClient, type Obj } from './message-client.js';

export class MemoryWire extends MessageClient implements Wire {
  readonly address = '192.0.2.1';
  readonly remote = 'memory';
  /** The connection, once it started the wire. */
  sink!: WireSink;
  /** Every message written, as the Buffer the connection handed over. */
  readonly written: Buffer[] = [];
  bufferedBytes = 0;
  sentBytes = 0;
  needsDrain = false;
  /** How many times the connection asked for onDrain. */
  drainsAwaited = 0;
  paused = false;
  /** Set by end(): the reason given. */
  ended: { reason: ErrorCode | undefined } | null = null;
  destroyed = false;
  isClosed = false;
  /** Resolves once the wire has closed. */
  readonly whenClosed: Promise<void>;
  private closedNow!: () => void;

  constructor(label: string) {
    super(label);
    this.whenClosed = new Promise((resolve) => (this.closedNow = resolve));
  }

  start(sink: WireSink): void {
    this.sink = sink;
  }

  write(messages: readonly Buffer[]): boolean {
    if (this.ended || this.destroyed) return false;
    for (const message of messages) {
      this.written.push(message);
      this.receive(JSON.parse(message.toString('utf8')) as Obj);
    }
    return true;
  }

  awaitDrain(): void {
    this.drainsAwaited++;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** As a peer that reads everything: once ended, the wire closes (next turn, as a socket's close event). */
  end(reason?: ErrorCode, last?: Buffer): void {
    if (last) this.write([last]);
    this.ended = { reason };
    setImmediate(() => this.close());
  }

  destroy(): void {
    this.destroyed = true;
    this.close();
  }

  /** The transport closes (once): the connection hears onClose. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.sink.onClose();
    this.closedNow();
  }

  /** A request arrives, as one line or frame would bring it. */
  send(request: Obj): void {
    if (this.sink.onReceive()) this.sink.onMessage(JSON.stringify(request));
  }
}
