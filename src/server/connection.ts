/**
 * One client socket: framing (one JSON object per line), per-connection request order, output held
 * for group commit, and backpressure. The transport creates it; the dispatcher runs its requests.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { ERROR_CODES, type ErrorCode } from '../protocol/errors.js';
import { LineDecoder, type LineSink } from '../protocol/line-decoder.js';
import type { RequestId } from '../protocol/requests.js';
import { queueCatchUpPage, type CatchUp } from './chat/reader-catch-up.js';
import type { Chat } from './chat/chat.js';
import { encodeLine, encodeSystemEvent } from './chat/encode.js';
import { disconnect, type LoginTarget } from './chat/login.js';
import type { Session } from './chat/session.js';
import type { GroupCommit, OutputSink } from './group-commit.js';
import { clockNow, type Sweepable } from './guards/idle-sweep.js';
import type { ConnectionLoginGuard } from './auth/login-guard.js';
import type { Limits } from './limits.js';

export interface ConnectionHost {
  readonly chat: Chat;
  readonly commit: GroupCommit;
  readonly log: Logger;
  readonly limits: Limits;
  dispatch(conn: Connection, line: string): void | Promise<void>;
  forget(conn: Connection): void;
}

/** A line waiting while an earlier request of the same connection finishes; null stands for an oversized line. */
type Queued = string | null;
/** Beyond this many waiting lines, stop reading the socket until they are handled. */
const QUEUE_PAUSE = 64;
/**
 * Once this much output waits for the tick's commit or for the socket, stop handling this connection's
 * requests until it is written: a client that pipelines cheap requests with large replies must not
 * make the server build megabytes of replies in one tick (review of issue #2).
 */
const OUTPUT_PAUSE_BYTES = 256 * 1024;
/** How long a connection we have ended may stay half-open before it is destroyed. */
const END_GRACE_MS = 5000;

let nextConnectionId = 1;

/**
 * The socket's listeners are three functions shared by every connection, which find their connection
 * through this property (as the ws library does): a closure each would cost about 200 bytes for
 * every idle connection (issue #4's memory budget).
 */
const CONNECTION = Symbol('classchat.connection');
type OwnedSocket = Socket & { [CONNECTION]: Connection };

/** Bits of Connection.flags. */
const CLOSED = 1;
const PINGED = 2;
const DROPPED = 4;
const BUSY = 8;
const ENDING = 16;
const READ_PAUSED = 32;
const AWAITING_DRAIN = 64;

export class Connection implements LoginTarget, LineSink, OutputSink, Sweepable {
  readonly id = nextConnectionId++;
  session: Session | null = null;
  /** Coarse clock ticks (see clockNow): small integers, so V8 stores them unboxed. */
  readonly openedAt = clockNow();
  lastHeard = this.openedAt;
  loginGuard: ConnectionLoginGuard | null = null;
  private readonly decoder: LineDecoder;
  private pending: Buffer[] | null = null;
  private pendingBytes = 0;
  private queue: Queued[] | null = null;
  /**
   * Seven booleans in one small integer: a field costs 8 bytes on every connection, and idle
   * connections are most of them (issue #4's memory budget). The accessors below read as fields.
   */
  private flags = 0;

  constructor(
    private readonly socket: Socket,
    private readonly host: ConnectionHost,
    /** The peer's IP address (the per-address cap counts by it). */
    readonly address: string,
  ) {
    this.decoder = new LineDecoder(host.limits.maxLineBytes, host.limits.maxDiscardBytes);
    (socket as OwnedSocket)[CONNECTION] = this;
    // Listeners shared by every connection, not closures per connection (idle connections are most of
    // them, issue #4): Node calls them with the socket as `this`, which their `this: OwnedSocket` says
    // and unbound-method does not read.
    /* eslint-disable @typescript-eslint/unbound-method */
    socket.on('data', Connection.onSocketData);
    socket.on('error', Connection.onSocketError);
    socket.on('close', Connection.onSocketClose);
    /* eslint-enable @typescript-eslint/unbound-method */
  }

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
  private get dropped(): boolean {
    return this.flag(DROPPED);
  }
  private set dropped(on: boolean) {
    this.setFlag(DROPPED, on);
  }
  /** A request of this connection is still running; later lines wait. */
  private get busy(): boolean {
    return this.flag(BUSY);
  }
  private set busy(on: boolean) {
    this.setFlag(BUSY, on);
  }
  /** We are closing: no more requests are handled. */
  private get ending(): boolean {
    return this.flag(ENDING);
  }
  private set ending(on: boolean) {
    this.setFlag(ENDING, on);
  }
  private get readPaused(): boolean {
    return this.flag(READ_PAUSED);
  }
  private set readPaused(on: boolean) {
    this.setFlag(READ_PAUSED, on);
  }
  private get awaitingDrain(): boolean {
    return this.flag(AWAITING_DRAIN);
  }
  private set awaitingDrain(on: boolean) {
    this.setFlag(AWAITING_DRAIN, on);
  }
  private flag(bit: number): boolean {
    return (this.flags & bit) !== 0;
  }
  private setFlag(bit: number, on: boolean): void {
    this.flags = on ? this.flags | bit : this.flags & ~bit;
  }

  private static onSocketData(this: OwnedSocket, chunk: Buffer): void {
    this[CONNECTION].onData(chunk);
  }

  private static onSocketError(this: OwnedSocket, err: Error): void {
    const conn = this[CONNECTION];
    conn.host.log.debug({ conn: conn.id, err: err.message, unsent: conn.unsentBytes }, 'socket error');
    // Output still unsent when the socket fails is lost (by the close event Node has emptied the
    // buffer): the cursors must not move past it (issue #11.11; better twice than never).
    if (conn.unsentBytes > 0) conn.dropped = true;
  }

  private static onSocketClose(this: OwnedSocket): void {
    this[CONNECTION].onClose();
  }

  /** address:port, for the log (built when asked: a stored copy would cost memory per connection). */
  get remote(): string {
    return `${this.address}:${this.socket.remotePort}`;
  }

  private onData(chunk: Buffer): void {
    if (this.ending || this.closed) return;
    this.lastHeard = clockNow();
    this.pinged = false;
    if (!this.decoder.push(chunk, this)) {
      this.host.log.warn({ conn: this.id, remote: this.remote }, 'closing: a request line ran past the discard limit');
      this.replyError(
        undefined,
        'too_large',
        'a request line ran past 1 MiB without a newline; closing the connection',
      );
      // Offline at once, as with exit: the peer may never close its side.
      this.leave('line past the discard limit');
      this.endAfterOutput();
    }
  }

  onLine(line: string): void {
    if (this.mustWait()) this.enqueueLine(line);
    else this.run(line);
  }

  onTooLarge(): void {
    if (this.mustWait()) this.enqueueLine(null);
    else this.replyTooLarge();
  }

  /** Lines wait while an earlier one is still running, earlier ones wait, or much output is unwritten. */
  private mustWait(): boolean {
    return this.busy || this.queue !== null || this.outputFull();
  }

  private outputFull(): boolean {
    return this.unsentBytes >= OUTPUT_PAUSE_BYTES;
  }

  /** Output queued for the tick's commit or still in the socket's buffer: what this connection holds. */
  get unsentBytes(): number {
    return this.pendingBytes + this.socket.writableLength;
  }

  hasRoomForChat(bytes: number): boolean {
    return this.unsentBytes + bytes <= this.host.limits.behindBytes;
  }

  /**
   * The session fell behind (issue #11.11): its chat now comes from the store as the socket drains.
   * A reader is judged by whether it drains, not by one burst: it is cut off only when its socket
   * takes no bytes for noProgressMs while behind.
   */
  fellBehind(): void {
    const state = this.session!.catchUp!;
    this.host.log.debug(
      { conn: this.id, user: this.session!.name, from: state.from, unsent: this.unsentBytes },
      'behind: chat is read from the store as the socket drains',
    );
    state.progressMark = this.sentBytes;
    this.watchProgress(state);
    this.continueCatchUp();
  }

  /**
   * Bytes the socket has handed to the kernel: bytesWritten also counts what it still buffers. It moves
   * when a write completes, so a client reading slower than one write per noProgressMs counts as stalled.
   */
  private get sentBytes(): number {
    return this.socket.bytesWritten - this.socket.writableLength;
  }

  private watchProgress(state: CatchUp): void {
    state.watch = setTimeout(() => this.checkProgress(state), this.host.limits.noProgressMs).unref();
  }

  private checkProgress(state: CatchUp): void {
    state.watch = null;
    if (this.closed || this.ending || this.session?.catchUp !== state) return;
    const sent = this.sentBytes;
    // Stalled: output waits and the socket took none of it since the last check.
    if (sent === state.progressMark && this.unsentBytes > 0) {
      const seconds = this.host.limits.noProgressMs / 1000;
      this.cutOff(
        `behind and no bytes read for ${seconds} s`,
        `you read nothing for ${seconds} s while messages waited; closing the connection (they wait for your next login)`,
      );
      return;
    }
    state.progressMark = sent;
    this.watchProgress(state);
    // A backstop: behind with nothing left to write means catch-up should be reading; if some path
    // left it idle, this restarts it within noProgressMs instead of at the client's next request.
    if (this.unsentBytes === 0) this.continueCatchUp();
  }

  private stopWatch(): void {
    const state = this.session?.catchUp;
    if (state?.watch) clearTimeout(state.watch);
  }

  /**
   * Queues the next page of what a behind session missed once its output has drained below half the
   * behind mark; called again after each write and on drain (through pump), one page at a time.
   */
  private continueCatchUp(): void {
    const session = this.session;
    const state = session?.catchUp;
    if (!session || !state || state.reading || this.closed || this.ending) return;
    if (this.unsentBytes > this.host.limits.behindBytes / 2) return;
    state.reading = true;
    queueCatchUpPage(this.host.chat, session, this.host.limits).then(
      (queued) => {
        state.reading = false;
        if (session.catchUp !== state) {
          if (state.watch) clearTimeout(state.watch); // live again
        } else if (queued === 0 || this.unsentBytes <= this.host.limits.behindBytes / 2) {
          // Nothing for this user in that span of ids, or a page too small to congest the socket (a few
          // join/leave events): its write need not end in a drain, and a pump that ran while this read
          // was in flight returned at once, so nothing else would call us: go on next turn.
          setImmediate(() => this.continueCatchUp());
        }
      },
      (err: unknown) => {
        state.reading = false;
        this.host.log.error({ conn: this.id, user: session.name, err }, 'reading messages to catch up failed');
        this.abort('catch-up read failed');
      },
    );
  }

  get registered(): boolean {
    return this.session !== null;
  }

  /** Asks a silent client to show it is still there (any request will do; `ping` is the cheapest). */
  ping(): void {
    this.send(
      encodeSystemEvent({
        status: 'system',
        event: 'ping',
        sender: 'server',
        receiver: this.session?.name ?? '',
        text: 'are you still there? send any request, e.g. {"status":"ping"}',
        ts: this.host.chat.now(),
      }),
    );
  }

  /** Tells the client why, takes it offline and closes once the output is written. */
  closeWith(code: ErrorCode, text: string): void {
    if (this.ending || this.closed) return;
    this.host.log.info({ conn: this.id, user: this.session?.name, code }, `closing: ${text}`);
    this.replyError(undefined, code, text);
    this.leave(text);
    this.endAfterOutput();
  }

  /** Takes the session offline (exit, or a connection we end ourselves). */
  leave(reason: string): void {
    if (this.session) {
      disconnect(this.host.chat, this.session, reason, { announce: true, advanceCursors: !this.dropped });
      this.session = null;
    }
  }

  private replyTooLarge(): void {
    this.replyError(
      undefined,
      'too_large',
      `a request line is at most ${this.host.limits.maxLineBytes} bytes; it was discarded`,
    );
  }

  private run(line: string): void {
    if (this.ending) return;
    const pending = this.host.dispatch(this, line);
    if (pending) {
      this.busy = true;
      // The next waiting line runs in a later turn of the event loop, not in this promise's microtask:
      // otherwise connections that pipeline requests that finish at once (a `register` refused after a
      // lookup) ran their whole queues in one turn, thousands of requests, while a bystander's ping
      // waited (issue #11.9's soak: ping p99 129 ms). Each connection now runs one such request a turn.
      // (A closure per async request, not a bound field: idle connections are most of them, #4.)
      const resume = () => void setImmediate(Connection.resumeAfterAsync, this);
      pending.then(resume, resume);
    }
  }

  private static resumeAfterAsync(this: void, conn: Connection): void {
    conn.busy = false;
    conn.pump();
  }

  /** Runs the lines that waited, in order, for as long as nothing makes them wait again. */
  private pump(): void {
    while (this.queue !== null && this.queue.length > 0 && !this.busy && !this.ending && !this.outputFull()) {
      const item = this.queue.shift()!;
      if (item === null) this.replyTooLarge();
      else this.run(item);
    }
    if (this.queue !== null && this.queue.length === 0 && !this.busy) this.queue = null;
    this.updateReading();
    this.continueCatchUp();
  }

  private enqueueLine(item: Queued): void {
    (this.queue ??= []).push(item);
    this.updateReading();
  }

  /** Queues bytes for this connection; they are written after the tick's commit. */
  send(bytes: Buffer): void {
    if (this.closed) return;
    this.pendingBytes += bytes.length;
    if (this.pending === null) {
      this.pending = [bytes];
      this.host.commit.enqueue(this);
    } else {
      this.pending.push(bytes);
    }
  }

  reply(ref: RequestId | undefined, fields: Record<string, unknown>): void {
    const reply: Record<string, unknown> = { status: 'ok' };
    if (ref !== undefined) reply.ref = ref;
    this.send(encodeLine(Object.assign(reply, fields)));
  }

  replyError(
    ref: RequestId | undefined,
    code: ErrorCode,
    text: string = ERROR_CODES[code],
    fields?: Record<string, unknown>,
  ): void {
    const reply: Record<string, unknown> = { status: 'error' };
    if (ref !== undefined) reply.ref = ref;
    reply.code = code;
    reply.text = text;
    this.send(encodeLine(fields ? Object.assign(reply, fields) : reply));
  }

  takeOutput(): Buffer | null {
    const pending = this.pending;
    this.pending = null;
    this.pendingBytes = 0;
    if (pending === null) return null;
    return pending.length === 1 ? pending[0]! : Buffer.concat(pending);
  }

  writeOutput(bytes: Buffer): void {
    if (this.closed) return;
    // Judged on what was still unsent before this write, so one large reply does not cut off a reader
    // that keeps up; only a backlog the client has not read closes it. Chat is at most behindBytes of
    // it plus a page (issue #11.11), so what passes the bound is replies and events the client left unread.
    const unsent = this.socket.writableLength;
    if (unsent > this.host.limits.maxOutputBytes) {
      this.cutOff(
        `a reader that does not keep up (${unsent} bytes unsent)`,
        `more than ${this.host.limits.maxOutputBytes} bytes of output waited unread; closing the connection`,
      );
      return;
    }
    this.socket.write(bytes);
    if (this.ending && this.pending === null) this.socket.end();
    else this.pump();
  }

  /** Stops reading new requests and closes once queued output is written (exit, shutdown). */
  endAfterOutput(): void {
    if (this.ending) return;
    this.ending = true;
    this.queue = null;
    if (this.pending === null && !this.closed) this.socket.end();
    // A peer that never closes its side would hold the socket open for good.
    setTimeout(() => this.socket.destroy(), END_GRACE_MS).unref();
  }

  /** Closes at once, dropping unsent output; the user's delivery cursors stay where they were. */
  abort(reason: string): void {
    this.host.log.warn({ conn: this.id, user: this.session?.name, reason }, 'closing connection');
    this.dropped = true;
    this.stopWatch();
    this.pending = null;
    this.pendingBytes = 0;
    // Closed from here on, before the socket's close event: work still in flight for this connection
    // (a password hash, a read) sees it and stops, also when shutdown closes the store next.
    this.closed = true;
    this.socket.destroy();
  }

  /**
   * Closes a reader that does not keep up: its output is dropped (its cursors stay, so it gets the
   * messages at its next login) and the reason goes last, for a client that does read it after all.
   * The socket is destroyed after the grace period, so its memory is bounded either way.
   */
  private cutOff(reason: string, text: string): void {
    this.host.log.warn({ conn: this.id, user: this.session?.name, reason }, 'closing a slow reader');
    this.dropped = true;
    this.stopWatch();
    this.pending = null;
    this.pendingBytes = 0;
    this.queue = null;
    const notice = encodeLine({ status: 'error', code: 'too_slow', text });
    this.leave('slow reader');
    this.ending = true;
    this.socket.end(notice);
    setTimeout(() => this.socket.destroy(), END_GRACE_MS).unref();
  }

  /** Reads only while output drains and few requests wait (design §4.9). */
  private updateReading(): void {
    const congested = this.socket.writableNeedDrain;
    if (congested && !this.awaitingDrain) {
      // Whatever paused reading first (a long queue or a full socket), a drain must re-check it.
      this.awaitingDrain = true;
      this.socket.once('drain', () => {
        this.awaitingDrain = false;
        this.pump();
      });
    }
    const stop = congested || this.outputFull() || (this.queue !== null && this.queue.length >= QUEUE_PAUSE);
    if (stop && !this.readPaused) {
      this.readPaused = true;
      this.socket.pause();
    } else if (!stop && this.readPaused) {
      this.readPaused = false;
      this.socket.resume();
    }
  }

  private onClose(): void {
    this.closed = true;
    this.stopWatch();
    this.pending = null;
    this.queue = null;
    this.leave('connection closed');
    this.host.forget(this);
  }
}
