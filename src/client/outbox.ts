/**
 * The client's outbox (issue #12.2, #12.3): chat messages leave in the order they were typed, and the
 * client drops none of them. A flood refusal (`rate_limited` with `retry_after_ms`) is waited out and
 * the same request sent again; a message typed while the connection is down, or whose reply was lost
 * with the connection, waits for the reconnect (its login and catch-up) and is sent with its original
 * `id`. The server answers a repeated id with the message it stored the first time (docs/protocol.md),
 * so a message that did arrive before the connection dropped is not stored or delivered twice.
 */
import { randomBytes } from 'node:crypto';
import type { AnyRequest, ChatKind, ErrorReply, ReplyOf } from '../protocol/messages.js';
import type { RequestOf, RequestStatus } from '../protocol/requests.js';
import type { Link } from './link.js';

/** A chat message's request, as it waits in the outbox. */
export type ChatRequest = AnyRequest<ChatKind>;

/** How a queued message ended: the server's reply, or the client giving up on it (`not_sent`). */
export type SendOutcome = ReplyOf<ChatKind> | { status: 'error'; code: 'not_sent'; text: string };

/** Added to the server's `retry_after_ms`: its bucket refills continuously, and timers fire a little early or late. */
const RETRY_MARGIN_MS = 20;
/** A wait longer than this is announced (a stored-bytes budget can ask for minutes), and a command does not wait it out. */
export const LONG_WAIT_MS = 3000;
/**
 * Requests whose `rate_limited` is about credentials (failed logins, wrong current passwords), not
 * about pace: sending them again by themselves would only collect more failures.
 */
const NOT_PACED: ReadonlySet<string> = new Set<RequestStatus>(['register', 'login', 'password']);

/** Whether `reply` asks the client to wait and send `request` again (the request was not carried out). */
function asksToWait<S extends RequestStatus>(
  request: RequestOf<S>,
  reply: ReplyOf<S>,
): reply is ErrorReply & { retry_after_ms: number } {
  return (
    reply.status === 'error' &&
    reply.code === 'rate_limited' &&
    typeof reply.retry_after_ms === 'number' &&
    !NOT_PACED.has(request.status)
  );
}

/**
 * Sends `request` and resolves with its reply, waiting out flood refusals and sending it again (same
 * id) each time. A wait of more than `maxWaitMs` is not made: its refusal is the reply. `onLongWait`
 * hears of each wait past LONG_WAIT_MS. Rejects when the connection closes first.
 */
export async function pacedRequest<S extends RequestStatus>(
  link: Link,
  request: RequestOf<S>,
  maxWaitMs = Infinity,
  onLongWait?: (ms: number) => void,
): Promise<ReplyOf<S>> {
  for (;;) {
    const reply = await link.request(request);
    if (!asksToWait(request, reply) || reply.retry_after_ms > maxWaitMs) return reply;
    if (reply.retry_after_ms > LONG_WAIT_MS) onLongWait?.(reply.retry_after_ms);
    await new Promise((resolve) => setTimeout(resolve, reply.retry_after_ms + RETRY_MARGIN_MS));
  }
}

interface Entry {
  request: ChatRequest & { id: string };
  /** Runs with the final reply (ok, or a refusal that waiting does not cure). */
  done: (outcome: SendOutcome) => void;
  /** Lets the caller of add() go on (see add). */
  release: () => void;
}

export interface OutboxHooks {
  /** The server asked to wait `ms` before the next message, with `queued` messages waiting. */
  longWait(ms: number, queued: number): void;
}

export class Outbox {
  private readonly queue: Entry[] = [];
  /** The logged-in, caught-up link messages go out on; null while there is none. */
  private link: Link | null = null;
  private pumping = false;
  /** Set while the server's last refusal asked for a long wait: a caller of add() need not sit through it. */
  private stalled = false;
  /** Request ids unique to this run: a counter alone restarts at each run, and a repeated id with the same text would be taken for a resend and not delivered. */
  private readonly idPrefix = `m${randomBytes(6).toString('base64url')}`;
  private nextId = 1;
  private readonly emptyWaiters: (() => void)[] = [];
  private readonly stateWaiters: (() => void)[] = [];

  constructor(private readonly hooks: OutboxHooks) {}

  /** Messages not sent yet (including one whose reply has not come). */
  get size(): number {
    return this.queue.length;
  }

  /** Whether messages go out now (false: they wait for the reconnect). */
  get online(): boolean {
    return this.link !== null && !this.link.closed;
  }

  /**
   * Queues a chat request (it gets its id here) and resolves once its reply has been handled by `done`,
   * or sooner when waiting for it is pointless for whoever typed it: the connection is down (it waits
   * for the reconnect) or the server asked for a long wait. The message stays queued either way.
   */
  add(request: ChatRequest, done: (outcome: SendOutcome) => void): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push({ request: { ...request, id: `${this.idPrefix}.${this.nextId++}` }, done, release: resolve });
      if (!this.online || this.stalled) resolve();
      if (this.online) void this.pump();
    });
  }

  /** The link is logged in and has caught up: send what waits, in order. */
  resume(link: Link): void {
    this.link = link;
    this.stateChanged();
    void this.pump();
  }

  /** The connection is gone: what is queued waits for resume(). */
  pause(): void {
    this.link = null;
    for (const entry of this.queue) entry.release();
    this.wake();
    this.stateChanged();
  }

  /** Resolves at the next resume(), pause() or abandon(): a command waiting for the reconnect looks again. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.stateWaiters.push(resolve));
  }

  private stateChanged(): void {
    for (const waiter of this.stateWaiters.splice(0)) waiter();
  }

  /**
   * Resolves when nothing is queued, or the connection is down (what is left waits for the reconnect), or
   * the server asked for a long wait.
   */
  async sentOrPaused(): Promise<void> {
    while (this.queue.length > 0 && this.online && !this.stalled)
      await new Promise<void>((resolve) => this.emptyWaiters.push(resolve));
  }

  /** Resolves when nothing is queued, across reconnects. */
  async empty(): Promise<void> {
    while (this.queue.length > 0) await new Promise<void>((resolve) => this.emptyWaiters.push(resolve));
  }

  /** Gives up on what is queued (the session ends); returns how many messages were not sent. */
  abandon(): number {
    const left = this.queue.splice(0);
    for (const entry of left) entry.release();
    this.wake();
    this.stateChanged();
    return left.length;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && this.link !== null && !this.link.closed) {
        const entry = this.queue[0]!;
        const link = this.link;
        let reply: SendOutcome;
        try {
          reply = await pacedRequest(link, entry.request, Infinity, (ms) => {
            this.stalled = true;
            this.hooks.longWait(ms, this.queue.length);
            for (const waiting of this.queue) waiting.release();
            this.wake();
          });
        } catch (err) {
          // The connection closed before the reply: the message stays first, and goes again (same id)
          // on the link that resume() brings; the server recognises it if it did arrive.
          if (link.closed) continue;
          // Anything else would fail again at once: the message is given up, and said so, not retried in a loop.
          reply = { status: 'error', code: 'not_sent', text: `not sent: ${(err as Error).message}` };
        } finally {
          this.stalled = false;
        }
        // abandon() may have emptied the queue while the reply was on its way.
        if (this.queue[0] !== entry) continue;
        this.queue.shift();
        entry.done(reply);
        entry.release();
      }
    } finally {
      this.pumping = false;
      this.wake();
    }
  }

  /** Wakes whoever waits for the queue to empty or the connection to go; they check again. */
  private wake(): void {
    for (const waiter of this.emptyWaiters.splice(0)) waiter();
  }
}
