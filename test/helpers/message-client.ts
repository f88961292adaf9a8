/**
 * What every test client shares, whatever carries its messages (a TCP line socket in client.ts, a
 * WebSocket in ws-client.ts): everything received, in order; waits for replies by ref and for events
 * matching a predicate, with a timeout, never a fixed sleep.
 */
import type { OkReplyOf, ReplyOf } from '../../src/protocol/messages.js';
import type { RequestId, RequestOf, RequestStatus } from '../../src/protocol/requests.js';
import { replyMismatch } from './map-schemas.js';

/** A message off the wire, as untyped JSON: tests check the bytes the server sent, not the types it meant. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- deliberate: the raw path reads the wire as sent; the typed path (reply, okReply) returns the map's types
export type Obj = Record<string, any>;

/** A request as the typed helpers take it: well-formed for its status, with an optional `id`. */
export type TypedRequest<S extends RequestStatus> = RequestOf<S> & { id?: RequestId };

export const DEFAULT_TIMEOUT_MS = 3000;

interface Waiter {
  match: (m: Obj) => boolean;
  resolve: (m: Obj) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export abstract class MessageClient {
  /** Everything received, in order. */
  readonly received: Obj[] = [];
  /** Received but not yet taken by a wait. */
  private unclaimed: Obj[] = [];
  private waiters: Waiter[] = [];
  private nextId = 1;
  /** Answer the server's ping events with a ping request, as a live client does. */
  answerPings = false;
  /** The token the name got at register (claim mode) or login, for TestClient.back; null in open mode. */
  token: string | null = null;
  /** The reply that put this client online, when made by TestClient.back. */
  welcome: Obj | null = null;

  constructor(readonly label: string) {}

  /** Sends one request object. */
  abstract send(request: Obj): void;

  /** Takes one message off the wire: recorded, then handed to a waiter or kept unclaimed. */
  protected receive(message: Obj): void {
    this.received.push(message);
    if (this.answerPings && message.status === 'system' && message.event === 'ping') this.send({ status: 'ping' });
    const i = this.waiters.findIndex((w) => w.match(message));
    if (i === -1) {
      this.unclaimed.push(message);
    } else {
      const [waiter] = this.waiters.splice(i, 1);
      clearTimeout(waiter!.timer);
      waiter!.resolve(message);
    }
  }

  /** On this connection, comes back as `earlier`'s name (see back) and resolves with the ok reply. */
  async comeBackAs(
    earlier: MessageClient,
    extra: Obj = {},
    timeoutMs = DEFAULT_TIMEOUT_MS,
    name = earlier.label,
  ): Promise<Obj> {
    const request = earlier.token
      ? { status: 'login', sender: name, token: earlier.token }
      : { status: 'register', sender: name };
    const reply = await this.request({ ...request, ...extra }, timeoutMs);
    if (reply.status !== 'ok') throw new Error(`coming back as ${name} failed: ${JSON.stringify(reply)}`);
    this.token = earlier.token;
    this.welcome = reply;
    return reply;
  }

  /** Sends a request with its own `id`, or a fresh one, and resolves with its reply (ok or error). */
  request(request: Obj, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Obj> {
    const id = request.id ?? `${this.label}-${this.nextId++}`;
    const reply = this.waitFor((m) => m.ref === id, timeoutMs, `reply to ${JSON.stringify(request).slice(0, 120)}`);
    this.send({ ...request, id });
    return reply;
  }

  /** Like request, but fails unless the reply is ok. */
  async ok(request: Obj, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Obj> {
    const reply = await this.request(request, timeoutMs);
    if (reply.status !== 'ok')
      throw new Error(`${this.label}: expected ok for ${JSON.stringify(request)}, got ${JSON.stringify(reply)}`);
    return reply;
  }

  /**
   * Sends a well-formed request and resolves with its reply (ok or error) typed by the map; fails when
   * the reply is not the map's reply to that status (a field missing, extra or of another type).
   */
  async reply<S extends RequestStatus>(request: TypedRequest<S>, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ReplyOf<S>> {
    const reply = await this.request(request, timeoutMs);
    const mismatch = replyMismatch(request.status, reply);
    if (mismatch !== null)
      throw new Error(`${this.label}: the reply to ${request.status} is not what the typed map says: ${mismatch}`);
    return reply as ReplyOf<S>;
  }

  /** Like reply, but fails unless the reply is ok. */
  async okReply<S extends RequestStatus>(
    request: TypedRequest<S>,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<OkReplyOf<S>> {
    const reply = await this.reply(request, timeoutMs);
    if (reply.status !== 'ok')
      throw new Error(`${this.label}: expected ok for ${JSON.stringify(request)}, got ${JSON.stringify(reply)}`);
    return reply;
  }

  /** Resolves with the first received object (already received or future) matching `match`, and claims it. */
  waitFor(match: (m: Obj) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS, what = 'a matching message'): Promise<Obj> {
    const i = this.unclaimed.findIndex(match);
    if (i !== -1) return Promise.resolve(this.unclaimed.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(
            new Error(
              `${this.label}: timed out after ${timeoutMs} ms waiting for ${what}; unclaimed: ${JSON.stringify(this.unclaimed).slice(0, 500)}`,
            ),
          );
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Waits for an event (not a reply) with the given status, optionally matching more fields. */
  event(status: string, fields: Obj = {}, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Obj> {
    return this.waitFor(
      (m) => m.status === status && m.ref === undefined && Object.entries(fields).every(([k, v]) => m[k] === v),
      timeoutMs,
      `${status} event ${JSON.stringify(fields)}`,
    );
  }

  /** Unclaimed events so far (to assert that something did NOT arrive, after a later barrier). */
  pending(): Obj[] {
    return [...this.unclaimed];
  }
}
