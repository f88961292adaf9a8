/**
 * A test client over a real TCP socket: sends JSON lines, and waits (with a timeout, never a fixed
 * sleep) for replies by ref or for events matching a predicate. request() and ok() take and give raw
 * JSON (`Obj`), for tests of what is on the wire, malformed input included; reply() and okReply() take a
 * well-formed request and give its reply typed by the map (src/protocol/messages.ts), after checking
 * that the server's reply is what the map says (issue #14).
 */
import net from 'node:net';
import tls from 'node:tls';
import type { OkReplyOf, ReplyOf } from '../../src/protocol/messages.js';
import type { RequestId, RequestOf, RequestStatus } from '../../src/protocol/requests.js';
import { replyMismatch } from './map-schemas.js';

/** A message off the wire, as untyped JSON: tests check the bytes the server sent, not the types it meant. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- deliberate: the raw path reads the wire as sent; the typed path (reply, okReply) returns the map's types
export type Obj = Record<string, any>;

/** A request as the typed helpers take it: well-formed for its status, with an optional `id`. */
export type TypedRequest<S extends RequestStatus> = RequestOf<S> & { id?: RequestId };

const DEFAULT_TIMEOUT_MS = 3000;

interface Waiter {
  match: (m: Obj) => boolean;
  resolve: (m: Obj) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class TestClient {
  /** Everything received, in order. */
  readonly received: Obj[] = [];
  /** Received but not yet taken by a wait. */
  private unclaimed: Obj[] = [];
  private waiters: Waiter[] = [];
  private buffer = '';
  private nextId = 1;
  /** Answer the server's ping events with a ping request, as a live client does. */
  answerPings = false;
  /** The token the name got at register (claim mode) or login, for TestClient.back; null in open mode. */
  token: string | null = null;
  /** The reply that put this client online, when made by TestClient.back. */
  welcome: Obj | null = null;
  readonly closed: Promise<void>;
  isClosed = false;

  private constructor(
    readonly socket: net.Socket,
    readonly label: string,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
  }

  /** Connects over plain TCP, or over TLS with `tlsOptions` (resolving once the handshake is done). */
  static connect(port: number, label = 'client', tlsOptions?: tls.ConnectionOptions): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = tlsOptions
        ? tls.connect({ port, host: '127.0.0.1', ...tlsOptions }, () => resolve(new TestClient(socket, label)))
        : net.connect({ port, host: '127.0.0.1' }, () => resolve(new TestClient(socket, label)));
      socket.once('error', reject);
    });
  }

  /** Connects over plain TCP from the loopback address `localAddress` (e.g. 127.0.0.2), to test per-address limits. */
  static connectFrom(port: number, localAddress: string, label = localAddress): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () =>
        resolve(new TestClient(socket, label)),
      );
      socket.once('error', reject);
    });
  }

  /** Connects (over TLS with `tlsOptions`) and registers `name`; fails the test if registration is refused. */
  static async as(port: number, name: string, tlsOptions?: tls.ConnectionOptions): Promise<TestClient> {
    const client = await TestClient.connect(port, name, tlsOptions);
    const reply = await client.request({ status: 'register', sender: name });
    if (reply.status !== 'ok') throw new Error(`register ${name} failed: ${JSON.stringify(reply)}`);
    client.token = typeof reply.token === 'string' ? reply.token : null;
    return client;
  }

  /**
   * Comes back as `earlier`'s name the way a client does (issue #11.1): with the token its register got
   * (claim mode), or by registering the name again where the server hands out none (open mode).
   */
  static async back(port: number, earlier: TestClient, extra: Obj = {}): Promise<TestClient> {
    const client = await TestClient.connect(port, earlier.label);
    await client.comeBackAs(earlier, extra);
    return client;
  }

  /** On this connection, comes back as `earlier`'s name (see back) and resolves with the ok reply. */
  async comeBackAs(
    earlier: TestClient,
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

  private onData(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      const message = JSON.parse(line) as Obj;
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
  }

  /** Writes raw text (for malformed-input tests). */
  raw(text: string | Buffer): void {
    this.socket.write(text);
  }

  send(request: Obj): void {
    this.socket.write(JSON.stringify(request) + '\n');
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

  async close(): Promise<void> {
    if (!this.isClosed) this.socket.destroy();
    await this.closed;
  }
}

/**
 * The clients of one test, by name. `as(name)` registers a name the first time; later (after a
 * disconnect or a restart) it comes back with the token that name got, as a client does (issue #11.1).
 * `closeAll` closes every client made so far.
 */
export class Cast {
  private readonly open: TestClient[] = [];
  private readonly latest = new Map<string, TestClient>();

  constructor(private readonly port: () => number) {}

  async as(name: string): Promise<TestClient> {
    const earlier = this.latest.get(name);
    const client = earlier ? await TestClient.back(this.port(), earlier) : await TestClient.as(this.port(), name);
    this.latest.set(name, client);
    this.open.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    for (const client of this.open.splice(0)) await client.close();
  }
}
