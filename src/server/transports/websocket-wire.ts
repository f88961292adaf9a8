/**
 * The WebSocket wire (issue #14): one JSON object per text frame, the same objects as the line protocol
 * without the newline. The HTTP side (the upgrade, its Origin check and `maxPayload`) hands over an open
 * `ws` WebSocket; from here on it is a connection like any other, with every guard of the line port.
 * ws reads and answers the client's frames; the server's text frames are built here and written straight
 * to the socket under it, a tick's messages in one write (ws's send() makes a write per frame, which cost
 * three quarters of the fan-out rate: design §4.10, one write per connection per tick).
 */
import type net from 'node:net';
import type { WebSocket } from 'ws';
import type { ErrorCode } from '../../protocol/errors.js';
import { frameScratch } from './frame-scratch.js';
import type { Wire, WireSink } from './wire.js';

/** ws's readyState for an open connection (WebSocket.OPEN, without loading ws for a constant). */
const OPEN = 1;
/** Close codes: a normal end, and the server closing for the error named in the close reason. */
const NORMAL_CLOSURE = 1000;
export const CLOSED_FOR_ERROR = 4000;
/** The first byte of a whole text frame: FIN and opcode 1 (RFC 6455 §5.2). */
const FIN_TEXT = 0x81;
/** A tick's frames are copied into one buffer up to this size; past it each payload is written as it is. */
const COPY_LIMIT = 64 * 1024;

/** The listeners find their wire through this property, as the line wire's do. */
const WIRE = Symbol('classchat.wire');
type OwnedWebSocket = WebSocket & { [WIRE]: WebSocketWire };
function wireOf(ws: WebSocket): WebSocketWire {
  return (ws as OwnedWebSocket)[WIRE];
}

/** The bytes of a server frame's header (unmasked, RFC 6455 §5.2) for a payload of `length` bytes. */
function headerBytes(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

/** Writes the header of an unmasked text frame for a `length`-byte payload at `at`; returns where the payload goes. */
function writeHeader(target: Buffer, at: number, length: number): number {
  target[at] = FIN_TEXT;
  if (length < 126) {
    target[at + 1] = length;
    return at + 2;
  }
  if (length < 65536) {
    target[at + 1] = 126;
    target.writeUInt16BE(length, at + 2);
    return at + 4;
  }
  target[at + 1] = 127;
  target.writeUInt32BE(0, at + 2); // messages are far below 4 GiB
  target.writeUInt32BE(length, at + 6);
  return at + 10;
}

/** The tick's messages as text frames in `out`, which holds exactly them (one copy, as the line wire makes). */
function frameAll(messages: readonly Buffer[], out: Buffer): Buffer {
  let at = 0;
  for (const message of messages) {
    at = writeHeader(out, at, message.length);
    at += message.copy(out, at);
  }
  return out;
}

export class WebSocketWire implements Wire {
  private sink: WireSink | null = null;

  constructor(
    private readonly ws: WebSocket,
    /** The socket under `ws` (the upgrade's): the server's frames are written to it directly. */
    private readonly socket: net.Socket,
    readonly address: string,
    /** Text frames larger than this are refused as too_large (ws's maxPayload should stop them first). */
    private readonly maxMessageBytes: number,
  ) {}

  start(sink: WireSink): void {
    this.sink = sink;
    (this.ws as OwnedWebSocket)[WIRE] = this;
    // ws calls these with the WebSocket as `this` (its typings say so).
    /* eslint-disable @typescript-eslint/unbound-method */
    this.ws.on('message', WebSocketWire.onWsMessage);
    this.ws.on('error', WebSocketWire.onWsError);
    this.ws.on('close', WebSocketWire.onWsClose);
    /* eslint-enable @typescript-eslint/unbound-method */
  }

  private static onWsMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
    const wire = wireOf(this);
    const sink = wire.sink!;
    if (!sink.onReceive()) return;
    if (isBinary) sink.onNotText();
    else if (data.length > wire.maxMessageBytes) sink.onTooLarge();
    // An empty frame is ignored, as a blank line is.
    else if (data.length > 0) sink.onMessage(data.toString('utf8'));
  }

  private static onWsError(this: WebSocket, err: Error): void {
    // A protocol error (a frame past maxPayload: 1009; text that is not UTF-8: 1007): ws has begun
    // the close handshake and 'close' follows.
    wireOf(this).sink!.onError(err);
  }

  private static onWsClose(this: WebSocket): void {
    wireOf(this).sink!.onClose();
  }

  get remote(): string {
    return `${this.address} (WebSocket)`;
  }

  write(messages: readonly Buffer[]): boolean {
    // Closing (the client's close frame, or ws's after a protocol error): the frames would be lost.
    if (this.ws.readyState !== OPEN) return false;
    let total = 0;
    for (let i = 0; i < messages.length; i++) total += headerBytes(messages[i]!.length) + messages[i]!.length;
    // Whole frames only, so ws's own frames (a pong, the close) never land inside one of ours. No write
    // callback: each would cost a tick; the socket's 'drain' is the signal, as on the line wire.
    if (total <= COPY_LIMIT) {
      const framed = frameAll(messages, frameScratch.take(total, this.socket));
      this.socket.write(framed);
      frameScratch.written(framed, this.socket);
      return true;
    }
    // Large messages (a fetch reply) go as they are, behind their headers, without a copy.
    this.socket.cork();
    for (const message of messages) {
      const header = Buffer.allocUnsafe(headerBytes(message.length));
      writeHeader(header, 0, message.length);
      this.socket.write(header);
      this.socket.write(message);
    }
    this.socket.uncork();
    return true;
  }

  private static onSocketDrain(this: net.Socket & { [WIRE]: WebSocketWire }): void {
    this[WIRE].sink!.onDrain();
  }

  get bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  /**
   * What the peer has taken, as on the line wire: the socket's own count, so ws's frames (pongs, the
   * close) count too and a stalled tab that sends pings cannot look like progress (review of #14).
   */
  get sentBytes(): number {
    return this.socket.bytesWritten - this.socket.writableLength;
  }

  /** The socket's own high-water mark, as for a line client: a tab reads under the same backpressure. */
  get needsDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  awaitDrain(): void {
    (this.socket as net.Socket & { [WIRE]: WebSocketWire })[WIRE] = this;
    // eslint-disable-next-line @typescript-eslint/unbound-method
    this.socket.once('drain', WebSocketWire.onSocketDrain);
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  end(reason?: ErrorCode, last?: Buffer): void {
    if (last) this.write([last]);
    // The reason is an error code: ASCII, well under the close frame's 123 bytes.
    if (reason === undefined) this.ws.close(NORMAL_CLOSURE);
    else this.ws.close(CLOSED_FOR_ERROR, reason);
  }

  destroy(): void {
    this.ws.terminate();
  }
}
