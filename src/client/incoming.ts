/**
 * What the server pushes, routed to the outputs (issues #3, #4, #12.7). A chat message is shown once
 * (never again after a reconnect's catch-up), marked as waiting while the messages the login announced
 * come, and teaches the session the users and rooms it names. A system event outside any history is a
 * presence line (bursts as one line), a ping to answer, a room deleted, or the server shutting down.
 * An error line without `ref` that closes the connection for good says why, so the session does not
 * reconnect. Everything pushed is also passed on as it came (--json prints it).
 */
import { isChatMessage, isErrorReply, isSystemEvent, type SystemEvent, type WireObject } from '../protocol/messages.js';
import type { Known } from './known.js';
import type { Link } from './link.js';
import type { OutputSink, Phase } from './output.js';
import type { PresenceBursts } from './presence-bursts.js';

/** Closing errors after which reconnecting is wrong (see LinkKeeper.stopReason). */
const FINAL_CLOSE_CODES: ReadonlySet<string> = new Set(['replaced', 'kicked', 'logged_out']);

/** What the routing uses of the session. */
export interface IncomingHost {
  readonly known: Known;
  readonly presence: PresenceBursts;
  readonly out: OutputSink;
  /** The link the line came on (a ping is answered there); null once it is gone. */
  link(): Link | null;
  /** The server is closing the connection for a reason a reconnect cannot cure. */
  stop(reason: string): void;
  /** A room was deleted: forgotten, and left if it is the current conversation. */
  roomGone(name: string): void;
}

/** Routes each pushed line; counts down the messages that waited at login. */
export class Incoming {
  /** Chat messages still to come that waited for us at login. */
  private waitingLeft = 0;

  constructor(private readonly host: IncomingHost) {}

  /** A login's reply said `count` messages waited: the next `count` chat messages are those. */
  expectWaiting(count: number): void {
    this.waitingLeft = count;
  }

  /** Takes in one line the server pushed. */
  onMessage(message: WireObject): void {
    const { known, out } = this.host;
    if (isErrorReply(message) && message.ref === undefined && FINAL_CLOSE_CODES.has(message.code))
      this.host.stop(message.text ?? message.code);
    if (!isChatMessage(message)) {
      out.emit({ type: 'raw', message });
      if (isSystemEvent(message)) this.onEvent(message);
      return;
    }
    const phase: Phase = this.waitingLeft > 0 ? 'waiting' : 'live';
    if (this.waitingLeft > 0) this.waitingLeft--;
    if (known.wasShown(message.msgid)) return; // seen before a reconnect
    out.emit({ type: 'raw', message });
    known.remember(message);
    if (message.status !== 'system') known.addUser(message.sender);
    if (message.status === 'system' && message.event === 'created') known.addRoom(message.receiver);
    out.emit({ type: 'message', message, phase });
  }

  /** A system event outside any history. */
  private onEvent(event: SystemEvent): void {
    if (event.event === 'ping') {
      // The server drops connections it does not hear from (issue #4); answering is all it wants.
      this.host
        .link()
        ?.request({ status: 'ping' })
        .catch(() => undefined);
      return;
    }
    if (event.event === 'connect') this.host.known.addUser(event.sender);
    if (event.event === 'deleted') this.host.roomGone(event.receiver);
    if (event.event === 'shutdown') this.host.out.status(event.text);
    else this.host.presence.push(event);
  }
}
