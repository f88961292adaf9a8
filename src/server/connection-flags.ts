/**
 * A connection's booleans, kept as bits of one small integer: a field costs 8 bytes on every
 * connection, and idle connections are most of them (issue #4's memory budget). The accessors read as
 * fields. Above them, the error a closing connection ends for.
 */
import { ERROR_CODES, type ErrorCode } from '../protocol/errors.js';

const CLOSED = 1;
const PINGED = 2;
const DROPPED = 4;
const BUSY = 8;
const ENDING = 16;
const READ_PAUSED = 32;
const AWAITING_DRAIN = 64;
/** The close reason's index in ERROR_CODES, plus one, sits above the booleans. */
const REASON_SHIFT = 8;
const FLAG_BITS = (1 << REASON_SHIFT) - 1;
const REASONS = Object.keys(ERROR_CODES) as ErrorCode[];

/** The base of `Connection`: its state bits, read and written as fields. */
export abstract class ConnectionFlags {
  private flags = 0;

  /** Closed: nothing more is written or handled. */
  get closed(): boolean {
    return this.flag(CLOSED);
  }
  set closed(on: boolean) {
    this.setFlag(CLOSED, on);
  }
  /** A ping went out since the client was last heard (for the idle sweep). */
  get pinged(): boolean {
    return this.flag(PINGED);
  }
  set pinged(on: boolean) {
    this.setFlag(PINGED, on);
  }
  /** The server dropped output it had promised (slow reader, shutdown): delivery cursors must not move. */
  protected get dropped(): boolean {
    return this.flag(DROPPED);
  }
  protected set dropped(on: boolean) {
    this.setFlag(DROPPED, on);
  }
  /** A request of this connection is still running; later ones wait. */
  protected get busy(): boolean {
    return this.flag(BUSY);
  }
  protected set busy(on: boolean) {
    this.setFlag(BUSY, on);
  }
  /** We are closing: no more requests are handled. */
  protected get ending(): boolean {
    return this.flag(ENDING);
  }
  protected set ending(on: boolean) {
    this.setFlag(ENDING, on);
  }
  /** Reading is paused (backpressure). */
  protected get readPaused(): boolean {
    return this.flag(READ_PAUSED);
  }
  protected set readPaused(on: boolean) {
    this.setFlag(READ_PAUSED, on);
  }
  /** The wire will call onDrain. */
  protected get awaitingDrain(): boolean {
    return this.flag(AWAITING_DRAIN);
  }
  protected set awaitingDrain(on: boolean) {
    this.setFlag(AWAITING_DRAIN, on);
  }
  /** The error the connection closes for, told to the wire when it ends (a WebSocket's close reason). */
  protected get reason(): ErrorCode | undefined {
    return REASONS[(this.flags >> REASON_SHIFT) - 1];
  }
  protected set reason(code: ErrorCode | undefined) {
    const index = code === undefined ? 0 : REASONS.indexOf(code) + 1;
    this.flags = (this.flags & FLAG_BITS) | (index << REASON_SHIFT);
  }
  private flag(bit: number): boolean {
    return (this.flags & bit) !== 0;
  }
  private setFlag(bit: number, on: boolean): void {
    this.flags = on ? this.flags | bit : this.flags & ~bit;
  }
}
