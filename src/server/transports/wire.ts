/**
 * The seam between a connection and its transport (issue #14): a `Connection` reads requests from and
 * writes messages to a `Wire`, and never sees a socket. A message is the JSON bytes of one object,
 * encoded once and shared by every recipient (design §4.10); each wire frames it its own way: the line
 * wire (line-wire.ts, TCP and TLS) adds a newline, the WebSocket wire (websocket-wire.ts) sends it as
 * one text frame.
 */
import type { ErrorCode } from '../../protocol/errors.js';

/** What a wire tells its connection (the connection is the sink). */
export interface WireSink {
  /** Bytes arrived (the client was heard); false when the connection reads no more: drop them. */
  onReceive(): boolean;
  /** One request: a line without its newline, or one text frame. */
  onMessage(text: string): void;
  /** One request was past the size limit and discarded; the wire stays usable. */
  onTooLarge(): void;
  /** One request came in a form the protocol gives no meaning (a binary frame) and was discarded. */
  onNotText(): void;
  /** The input can no longer be cut into requests (a line ran past the discard limit): close. */
  onOverrun(): void;
  /** Output buffered in the transport drained after `awaitDrain()`. */
  onDrain(): void;
  /** The transport failed; output it still held may be lost. `onClose` follows. */
  onError(err: Error): void;
  /** The transport is closed; nothing more arrives or leaves. */
  onClose(): void;
}

/** One client's transport, as a `Connection` uses it. */
export interface Wire {
  /** The peer's IP address (the per-address caps count by it). */
  readonly address: string;
  /** Who the peer is, for the log (built when asked: a stored copy would cost memory per connection). */
  readonly remote: string;
  /** Starts delivering to `sink`; called once, by the connection that owns the wire. */
  start(sink: WireSink): void;
  /** Writes the messages, in order, each framed; false when the wire can no longer deliver them (closing). */
  write(messages: readonly Buffer[]): boolean;
  /** Output written but not yet taken by the network: what the slow-reader bound judges. */
  readonly bufferedBytes: number;
  /** Bytes the network has taken so far; grows only as the peer reads (the no-progress check). */
  readonly sentBytes: number;
  /** True while the transport holds enough output that its writer should wait for a drain. */
  readonly needsDrain: boolean;
  /** Calls the sink's onDrain once the buffered output drains. Call only while needsDrain. */
  awaitDrain(): void;
  /** Stops reading requests (backpressure, design §4.9) until resume(). */
  pause(): void;
  resume(): void;
  /**
   * Closes once what was written is sent; `last` is written first. `reason` names the error the server
   * closes for, when it does (a WebSocket says it in its close frame; a line says nothing more).
   */
  end(reason?: ErrorCode, last?: Buffer): void;
  /** Closes at once; unsent output is lost. */
  destroy(): void;
}
