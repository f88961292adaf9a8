/**
 * One client: per-connection request order, output held for group commit, and backpressure, over a
 * `Wire` (transports/wire.ts) that frames requests and messages: lines for TCP and TLS, frames for a
 * WebSocket. The server creates it; the dispatcher runs its requests.
 */
import type { Logger } from 'pino';
import { ERROR_CODES, type ErrorCode } from '../protocol/errors.js';
import type { RequestId } from '../protocol/requests.js';
import type { Chat } from './chat/chat.js';
import { encodeJson, encodeSystemEvent } from './chat/encode.js';
import { disconnect, type LoginTarget } from './chat/login.js';
import type { Session } from './chat/session.js';
import type { GroupCommit, OutputSink, TickOutput, TickReply } from './group-commit.js';
import { clockNow, type Sweepable } from './guards/idle-sweep.js';
import { noteActivity } from './idle-collection.js';
import type { ConnectionLoginGuard } from './auth/login-guard.js';
import type { Limits } from './limits.js';
import { ConnectionFlags } from './connection-flags.js';
import { continueCatchUp, startPacing, stopPacing, type PacedConnection } from './reader-pace.js';
import type { Wire, WireSink } from './transports/wire.js';

export interface ConnectionHost {
  readonly chat: Chat;
  readonly commit: GroupCommit;
  readonly log: Logger;
  readonly limits: Limits;
  dispatch(conn: Connection, line: string): void | Promise<void>;
  forget(conn: Connection): void;
}

/** A request refused by the wire, answered in its turn: one past the size limit, or not text. */
const TOO_LARGE = 0;
const NOT_TEXT = 1;
/** A request waiting while an earlier one of the same connection finishes, or a refusal's place. */
type Queued = string | typeof TOO_LARGE | typeof NOT_TEXT;
/** Beyond this many waiting requests, stop reading the wire until they are handled. */
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

export class Connection
  extends ConnectionFlags
  implements LoginTarget, WireSink, OutputSink, Sweepable, PacedConnection
{
  readonly id = nextConnectionId++;
  session: Session | null = null;
  /** Coarse clock ticks (see clockNow): small integers, so V8 stores them unboxed. */
  readonly openedAt: number;
  lastHeard: number;
  loginGuard: ConnectionLoginGuard | null = null;
  private pending: Buffer[] | null = null;
  /** The replies among `pending`: what a tick whose commit could not reach the database still answers (#15). */
  private replies: TickReply[] | null = null;
  private pendingBytes = 0;
  private queue: Queued[] | null = null;

  constructor(
    private readonly wire: Wire,
    private readonly host: ConnectionHost,
    /**
     * When the client connected: for a socket whose first bytes were awaited (src/server/web/sniff.ts),
     * its accept, so the registration deadline counts the wait too (review of #14).
     */
    openedAt = clockNow(),
  ) {
    super();
    this.openedAt = openedAt;
    this.lastHeard = openedAt;
    wire.start(this);
  }

  /** The peer's IP address (the per-address caps count by it). */
  get address(): string {
    return this.wire.address;
  }

  /** Who the peer is, for the log. */
  get remote(): string {
    return this.wire.remote;
  }

  onError(err: Error): void {
    this.host.log.debug({ conn: this.id, err: err.message, unsent: this.unsentBytes }, 'transport error');
    // Output still unsent when the transport fails is lost (by the close event Node has emptied the
    // buffer): the cursors must not move past it (issue #11.11; better twice than never).
    if (this.unsentBytes > 0) this.dropped = true;
  }

  onReceive(): boolean {
    if (this.ending || this.closed) return false;
    noteActivity();
    this.lastHeard = clockNow();
    this.pinged = false;
    return true;
  }

  onOverrun(): void {
    this.host.log.warn({ conn: this.id, remote: this.remote }, 'closing: a request line ran past the discard limit');
    this.replyError(undefined, 'too_large', 'a request line ran past 1 MiB without a newline; closing the connection');
    // Offline at once, as with exit: the peer may never close its side.
    this.leave('line past the discard limit');
    this.endAfterOutput('too_large');
  }

  onMessage(text: string): void {
    if (this.mustWait()) this.enqueue(text);
    else this.run(text);
  }

  onTooLarge(): void {
    if (this.mustWait()) this.enqueue(TOO_LARGE);
    else this.refuse(TOO_LARGE);
  }

  onNotText(): void {
    if (this.mustWait()) this.enqueue(NOT_TEXT);
    else this.refuse(NOT_TEXT);
  }

  onDrain(): void {
    this.awaitingDrain = false;
    this.pump();
  }

  /** Lines wait while an earlier one is still running, earlier ones wait, or much output is unwritten. */
  private mustWait(): boolean {
    return this.busy || this.queue !== null || this.outputFull();
  }

  private outputFull(): boolean {
    return this.unsentBytes >= OUTPUT_PAUSE_BYTES;
  }

  /** Output queued for the tick's commit or still in the transport's buffer: what this connection holds. */
  get unsentBytes(): number {
    return this.pendingBytes + this.wire.bufferedBytes;
  }

  hasRoomForChat(bytes: number): boolean {
    return this.unsentBytes + bytes <= this.host.limits.behindBytes;
  }

  /** The session fell behind (issue #11.11): pace it (reader-pace.ts). */
  fellBehind(): void {
    startPacing(this, this.host);
  }

  /** Closed or closing: nothing more is handled. */
  get stopped(): boolean {
    return this.closed || this.ending;
  }

  /** Bytes the network has taken from this connection's wire so far. */
  get sentBytes(): number {
    return this.wire.sentBytes;
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
    this.endAfterOutput(code);
  }

  /** Takes the session offline (exit, or a connection we end ourselves). */
  leave(reason: string): void {
    if (this.session) {
      disconnect(this.host.chat, this.session, reason, { announce: true, advanceCursors: !this.dropped });
      this.session = null;
    }
  }

  private refuse(why: typeof TOO_LARGE | typeof NOT_TEXT): void {
    if (why === TOO_LARGE) {
      this.replyError(
        undefined,
        'too_large',
        `a request line is at most ${this.host.limits.maxLineBytes} bytes; it was discarded`,
      );
    } else {
      this.replyError(
        undefined,
        'bad_request',
        'a binary frame was discarded: send each request as a text frame holding one JSON object',
      );
    }
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
      if (typeof item === 'string') this.run(item);
      else this.refuse(item);
    }
    if (this.queue !== null && this.queue.length === 0 && !this.busy) this.queue = null;
    this.updateReading();
    continueCatchUp(this, this.host);
  }

  private enqueue(item: Queued): void {
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

  /** Replies ok; `undo` runs should its tick not be stored (lostOutput). */
  reply(ref: RequestId | undefined, fields: Record<string, unknown>, undo?: () => void): void {
    const reply: Record<string, unknown> = { status: 'ok' };
    if (ref !== undefined) reply.ref = ref;
    this.sendReply(ref, encodeJson(Object.assign(reply, fields)), true, undo);
  }

  /**
   * Queues a request's reply; `ok` when it reports success (which a tick that is not stored must not
   * send: lostOutput). Replies to requests go through here or reply/replyError, never send() alone.
   */
  sendReply(ref: RequestId | undefined, bytes: Buffer, ok: boolean, undo?: () => void): void {
    this.send(bytes);
    if (this.pending !== null) (this.replies ??= []).push({ ref, bytes, ok, undo });
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
    const bytes = encodeJson(fields ? Object.assign(reply, fields) : reply);
    // Only a request's error (with its ref) is answered again after a lost tick; a notice without one
    // (flooding, too_large before a close) goes with the rest of its tick.
    if (ref === undefined) this.send(bytes);
    else this.sendReply(ref, bytes, false);
  }

  takeOutput(): TickOutput | null {
    const messages = this.pending;
    const replies = this.replies;
    this.pending = null;
    this.replies = null;
    this.pendingBytes = 0;
    return messages === null ? null : { messages, replies };
  }

  /**
   * The tick's commit could not reach the database (#15): its output is not written. Each of its
   * replies is answered now, without waiting for another commit: an error as it was (it promised
   * nothing), an `ok` as `unavailable`, since what it reported may not be stored. Events are dropped;
   * chat among them is not in the client's hands, so the cursors stay at logout (better twice than never).
   */
  lostOutput({ messages, replies }: TickOutput, text: string): void {
    if (this.closed) return;
    this.dropped = true;
    for (const r of replies ?? []) if (r.ok) r.undo?.();
    const answers = (replies ?? []).map((r) =>
      r.ok
        ? encodeJson({ status: 'error', ...(r.ref !== undefined && { ref: r.ref }), code: 'unavailable', text })
        : r.bytes,
    );
    this.writeOutput(answers);
    // Events were dropped too (chat that may be stored, presence): the client must not go on receiving
    // later messages past the hole, or its next login's `since` would step over it. Ended like a slow
    // reader, its cursors stay, so it gets what it missed when it logs in again (review finding).
    if (messages.length > answers.length && this.session !== null) this.endAfterLostEvents(text);
  }

  /** Ends a session whose live events of a lost tick were dropped: its next login catches it up. */
  private endAfterLostEvents(text: string): void {
    this.host.log.warn({ conn: this.id, user: this.session?.name }, 'closing a session whose events were lost');
    const notice = encodeJson({ status: 'error', code: 'unavailable', text: `${text}; reconnect to catch up` });
    this.leave('events lost with the database');
    this.ending = true;
    this.wire.end('unavailable', notice);
    setTimeout(() => this.wire.destroy(), END_GRACE_MS).unref();
  }

  writeOutput(messages: Buffer[]): void {
    if (this.closed) return;
    // Judged on what was still unsent before this write, so one large reply does not cut off a reader
    // that keeps up; only a backlog the client has not read closes it. Chat is at most behindBytes of
    // it plus a page (issue #11.11), so what passes the bound is replies and events the client left unread.
    const unsent = this.wire.bufferedBytes;
    if (unsent > this.host.limits.maxOutputBytes) {
      this.cutOff(
        `a reader that does not keep up (${unsent} bytes unsent)`,
        `more than ${this.host.limits.maxOutputBytes} bytes of output waited unread; closing the connection`,
      );
      return;
    }
    // A wire that is closing delivers nothing more: what it could not take is lost (issue #11.11).
    if (messages.length > 0 && !this.wire.write(messages)) this.dropped = true;
    if (this.ending && this.pending === null) this.wire.end(this.reason);
    else this.pump();
  }

  /**
   * Stops reading new requests and closes once queued output is written (exit, shutdown); `reason` is
   * the error it closes for, if any.
   */
  endAfterOutput(reason?: ErrorCode): void {
    if (this.ending) return;
    this.ending = true;
    this.reason = reason;
    this.queue = null;
    if (this.pending === null && !this.closed) this.wire.end(reason);
    // A peer that never closes its side would hold the transport open for good.
    setTimeout(() => this.wire.destroy(), END_GRACE_MS).unref();
  }

  /** Closes at once, dropping unsent output; the user's delivery cursors stay where they were. */
  abort(reason: string): void {
    this.host.log.warn({ conn: this.id, user: this.session?.name, reason }, 'closing connection');
    this.dropped = true;
    stopPacing(this);
    this.pending = null;
    this.replies = null;
    this.pendingBytes = 0;
    // Closed from here on, before the socket's close event: work still in flight for this connection
    // (a password hash, a read) sees it and stops, also when shutdown closes the store next.
    this.closed = true;
    this.wire.destroy();
  }

  /**
   * Closes a reader that does not keep up: its output is dropped (its cursors stay, so it gets the
   * messages at its next login) and the reason goes last, for a client that does read it after all.
   * The transport is destroyed after the grace period, so its memory is bounded either way.
   */
  cutOff(reason: string, text: string): void {
    this.host.log.warn({ conn: this.id, user: this.session?.name, reason }, 'closing a slow reader');
    this.dropped = true;
    stopPacing(this);
    this.pending = null;
    this.replies = null;
    this.pendingBytes = 0;
    this.queue = null;
    const notice = encodeJson({ status: 'error', code: 'too_slow', text });
    this.leave('slow reader');
    this.ending = true;
    this.wire.end('too_slow', notice);
    setTimeout(() => this.wire.destroy(), END_GRACE_MS).unref();
  }

  /** Reads only while output drains and few requests wait (design §4.9). */
  private updateReading(): void {
    const congested = this.wire.needsDrain;
    if (congested && !this.awaitingDrain) {
      // Whatever paused reading first (a long queue or a full transport), a drain must re-check it.
      this.awaitingDrain = true;
      this.wire.awaitDrain();
    }
    const stop = congested || this.outputFull() || (this.queue !== null && this.queue.length >= QUEUE_PAUSE);
    if (stop && !this.readPaused) {
      this.readPaused = true;
      this.wire.pause();
    } else if (!stop && this.readPaused) {
      this.readPaused = false;
      this.wire.resume();
    }
  }

  onClose(): void {
    this.closed = true;
    stopPacing(this);
    this.pending = null;
    this.replies = null;
    this.queue = null;
    this.leave('connection closed');
    this.host.forget(this);
  }
}
