/**
 * The WebSocket wire (issue #14): one JSON object per text frame, the same objects as the line protocol
 * without the newline. The HTTP side (the upgrade, its Origin check and `maxPayload`) hands over an open
 * `ws` WebSocket; from here on it is a connection like any other, with every guard of the line port.
 */
import type { WebSocket } from 'ws';
import type { ErrorCode } from '../../protocol/errors.js';
import type { Wire, WireSink } from './wire.js';

/** ws's readyState for an open connection (WebSocket.OPEN, without loading ws for a constant). */
const OPEN = 1;
/** Close codes: a normal end, and the server closing for the error named in the close reason. */
const NORMAL_CLOSURE = 1000;
export const CLOSED_FOR_ERROR = 4000;
/**
 * Buffered output above which the writer waits for a drain: a TCP socket's default high-water mark,
 * so a tab reads under the same backpressure as a line client.
 */
const DRAIN_MARK = 16 * 1024;
/** Every message goes as a text frame (ws sends a Buffer as binary unless told). */
const TEXT = { binary: false } as const;

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

export class WebSocketWire implements Wire {
  private sink: WireSink | null = null;
  /** Bytes of frames (header and payload) handed to ws: what bufferedAmount is subtracted from. */
  private framedBytes = 0;
  /** The connection waits for onDrain. */
  private drainWanted = false;

  constructor(
    private readonly ws: WebSocket,
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
    // Closing (the client's close frame, or ws's after a protocol error): ws would drop them silently.
    if (this.ws.readyState !== OPEN) return false;
    const last = messages.length - 1;
    for (let i = 0; i <= last; i++) {
      const message = messages[i]!;
      this.framedBytes += headerBytes(message.length) + message.length;
      // The last frame's callback runs once everything before it is written out: the drain signal.
      if (i === last) this.ws.send(message, TEXT, this.afterWrite);
      else this.ws.send(message, TEXT);
    }
    return true;
  }

  private readonly afterWrite = (err?: Error): void => {
    if (err || !this.drainWanted || this.ws.bufferedAmount >= DRAIN_MARK) return;
    this.drainWanted = false;
    this.sink!.onDrain();
  };

  get bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  get sentBytes(): number {
    return this.framedBytes - this.ws.bufferedAmount;
  }

  get needsDrain(): boolean {
    return this.ws.bufferedAmount >= DRAIN_MARK;
  }

  awaitDrain(): void {
    this.drainWanted = true;
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
