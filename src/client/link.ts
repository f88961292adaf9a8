/**
 * One connection to a ClassChat server: newline-delimited JSON, requests matched to replies by id,
 * everything else delivered as events. Reconnecting is the session's job (link-keeper.ts).
 */
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { LineDecoder, type LineSink } from '../protocol/line-decoder.js';
import { isWireObject, type ReplyOf, type WireObject } from '../protocol/messages.js';
import type { RequestOf, RequestStatus } from '../protocol/requests.js';
import { dial, type DialTarget, type ServerCertificate } from './dial.js';

/** A request with the `id` it must keep: a repeat on a new connection is recognised by it (see Link.request). */
export type Outgoing<S extends RequestStatus> = RequestOf<S> & { id?: string };

/** Replies and events can be large (a history page); the server's own line limit is for requests. */
const MAX_REPLY_LINE = 64 * 1024 * 1024;

interface Waiter {
  resolve: (reply: WireObject) => void;
  reject: (err: Error) => void;
  /** Runs as the reply is read, before any line after it (the promise resolves later). */
  atOnce?: ((reply: WireObject) => void) | undefined;
}

export interface LinkEvents {
  /** A line that answers no request of this link: a pushed message or event (narrowed by the session). */
  message: [WireObject];
  close: [];
}

export class Link extends EventEmitter<LinkEvents> implements LineSink {
  private readonly waiting = new Map<string, Waiter>();
  private readonly decoder = new LineDecoder(MAX_REPLY_LINE, MAX_REPLY_LINE);
  private nextId = 1;
  closed = false;

  private constructor(
    private readonly socket: net.Socket,
    /** The server's TLS certificate; null over plain TCP. */
    readonly certificate: ServerCertificate | null,
  ) {
    super();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.decoder.push(chunk, this));
    socket.on('error', () => {}); // 'close' follows and says everything the session needs
    socket.on('close', () => {
      this.closed = true;
      for (const { reject } of this.waiting.values()) reject(new Error('connection closed'));
      this.waiting.clear();
      this.emit('close');
    });
  }

  /** Connects, or rejects with a ConnectError like `cannot reach 127.0.0.1:5555: connection refused`. */
  static async connect(target: DialTarget, timeoutMs = 10_000): Promise<Link> {
    const { socket, certificate } = await dial(target, timeoutMs);
    return new Link(socket, certificate);
  }

  onLine(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return; // not ours to fix; the server only sends JSON
    }
    // Likewise: every line the server sends is an object with a `status`.
    if (!isWireObject(message)) return;
    const ref = typeof message.ref === 'string' ? message.ref : undefined;
    const waiter = ref !== undefined ? this.waiting.get(ref) : undefined;
    if (ref !== undefined && waiter) {
      this.waiting.delete(ref);
      waiter.atOnce?.(message);
      waiter.resolve(message);
    } else {
      this.emit('message', message);
    }
  }

  onTooLarge(): void {}

  /**
   * Sends a request and resolves with its reply (ok or error); rejects if the connection closes first.
   * The id is the link's own next one, unless `body` brings one: a request repeated on a new
   * connection keeps its id, so the server recognises it (an upload whose last reply was lost).
   * The reply is typed by the map in src/protocol/messages.ts: the server answers a request of status S
   * with ReplyOf<S> (docs/protocol.md), and the one cast from the wire's object to it is here.
   */
  request<S extends RequestStatus>(body: RequestOf<S>, atOnce?: (reply: ReplyOf<S>) => void): Promise<ReplyOf<S>> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    const id =
      'id' in body && typeof body.id === 'string' && !this.waiting.has(body.id) ? body.id : `c${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, {
        resolve: (reply) => resolve(reply as ReplyOf<S>),
        reject,
        atOnce: atOnce && ((reply) => atOnce(reply as ReplyOf<S>)),
      });
      this.socket.write(JSON.stringify({ ...body, id }) + '\n');
    });
  }

  /**
   * Resolves once the socket's write buffer has drained below its high-water mark (at once if it
   * is not full, or if the connection is closed: the next request then rejects). File transfers
   * wait on it before reading more of a file, so a slow network never makes the client buffer a
   * whole file in memory (design.md 4.9).
   */
  drained(): Promise<void> {
    if (this.closed || !this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Requests still waiting for their reply. */
  get outstanding(): number {
    return this.waiting.size;
  }

  close(): void {
    this.socket.destroy();
  }
}
