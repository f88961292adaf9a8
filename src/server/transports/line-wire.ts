/**
 * The line wire (issue #14): one JSON object per line over a byte stream, for TCP and TLS alike. The
 * only place that knows about newlines on the server: `LineDecoder` cuts requests at them, and
 * `frameLines()` adds one after each message on the way out.
 */
import type { Socket } from 'node:net';
import type { ErrorCode } from '../../protocol/errors.js';
import { LineDecoder, type LineSink } from '../../protocol/line-decoder.js';
import { socketRemote } from '../guards/admission.js';
import type { Limits } from '../limits.js';
import { frameScratch as scratch } from './frame-scratch.js';
import type { Wire, WireSink } from './wire.js';

const NEWLINE = 0x0a;

/**
 * The socket's listeners are functions shared by every connection, which find their wire through this
 * property (as the ws library does): a closure each would cost about 200 bytes for every idle
 * connection (issue #4's memory budget).
 */
const WIRE = Symbol('classchat.wire');
type OwnedSocket = Socket & { [WIRE]: LineWire };

/** The bytes of `messages` as lines. */
function linesLength(messages: readonly Buffer[]): number {
  let total = messages.length;
  for (const message of messages) total += message.length;
  return total;
}

/**
 * The messages as one buffer, each followed by a newline: one socket write per connection per tick
 * (design §4.10). One copy, the same one Buffer.concat made before framing moved here; the messages
 * themselves stay shared between recipients.
 */
export function frameLines(messages: readonly Buffer[]): Buffer {
  return frameLinesInto(Buffer.allocUnsafe(linesLength(messages)), messages);
}

/** Frames `messages` into `framed`, which holds exactly their lines. */
function frameLinesInto(framed: Buffer, messages: readonly Buffer[]): Buffer {
  let at = 0;
  for (const message of messages) {
    framed.set(message, at);
    at += message.length;
    framed[at++] = NEWLINE;
  }
  return framed;
}

/**
 * The wire is its own line decoder (a subclass, not a field): one object less for every connection, most
 * of which are idle, about 32 bytes each (#16).
 */
export class LineWire extends LineDecoder implements Wire, LineSink {
  private sink: WireSink | null = null;

  constructor(
    private readonly socket: Socket,
    readonly address: string,
    limits: Pick<Limits, 'maxLineBytes' | 'maxDiscardBytes'>,
  ) {
    super(limits.maxLineBytes, limits.maxDiscardBytes);
  }

  start(sink: WireSink): void {
    this.sink = sink;
    const socket = this.socket as OwnedSocket;
    socket[WIRE] = this;
    // Node calls these with the socket as `this`, which their `this: OwnedSocket` says and
    // unbound-method does not read.
    /* eslint-disable @typescript-eslint/unbound-method */
    socket.on('data', LineWire.onSocketData);
    socket.on('error', LineWire.onSocketError);
    socket.on('close', LineWire.onSocketClose);
    /* eslint-enable @typescript-eslint/unbound-method */
  }

  private static onSocketData(this: OwnedSocket, chunk: Buffer): void {
    const wire = this[WIRE];
    const sink = wire.sink!;
    if (sink.onReceive() && !wire.push(chunk, wire)) sink.onOverrun();
  }

  private static onSocketError(this: OwnedSocket, err: Error): void {
    this[WIRE].sink!.onError(err);
  }

  private static onSocketClose(this: OwnedSocket): void {
    this[WIRE].sink!.onClose();
  }

  private static onSocketDrain(this: OwnedSocket): void {
    this[WIRE].sink!.onDrain();
  }

  onLine(line: string): void {
    this.sink!.onMessage(line);
  }

  onTooLarge(): void {
    this.sink!.onTooLarge();
  }

  get remote(): string {
    return socketRemote(this.socket);
  }

  write(messages: readonly Buffer[]): boolean {
    const framed = frameLinesInto(scratch.take(linesLength(messages), this.socket), messages);
    this.socket.write(framed);
    scratch.written(framed, this.socket);
    return true;
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  /**
   * bytesWritten also counts what the socket still buffers. It moves when a write completes, so a client
   * reading slower than one write per noProgressMs counts as stalled.
   */
  get sentBytes(): number {
    return this.socket.bytesWritten - this.socket.writableLength;
  }

  get needsDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  awaitDrain(): void {
    // eslint-disable-next-line @typescript-eslint/unbound-method
    this.socket.once('drain', LineWire.onSocketDrain);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  end(_reason?: ErrorCode, last?: Buffer): void {
    if (last) this.socket.end(frameLines([last]));
    else this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
