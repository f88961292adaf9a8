/**
 * One WebSocket to the server (issue #14): one JSON object per text frame, the line protocol's objects
 * (docs/protocol.md). Requests get an `id` and their reply is matched by `ref`; whatever else arrives is
 * pushed (chat, events, the error line that says why the server closes). Typed by the protocol map.
 */
import type { ReplyOf, WireObject } from '../../../src/protocol/messages.js';
import { isWireObject } from '../../../src/protocol/messages.js';
import type { RequestId, RequestOf, RequestStatus } from '../../../src/protocol/requests.js';

/** The address of the app's WebSocket: the page's own host, /ws. */
export function socketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

export interface LinkHandlers {
  /** A line that answers no request of ours: chat, a system event, or a closing error. */
  pushed(line: WireObject): void;
  /** The socket closed (or never opened); `reason`: the server's closing error text, if it sent one. */
  closed(reason: { code: string; text: string } | null): void;
}

interface Waiter {
  resolve(reply: WireObject): void;
  reject(err: Error): void;
}

let linkCount = 0;

/** A connection; open() resolves once the socket is open (rejects if it fails first). */
export class Link {
  private readonly ws: WebSocket;
  private readonly waiting = new Map<string, Waiter>();
  private readonly prefix = `r${++linkCount}.`;
  private nextId = 1;
  private closeReason: { code: string; text: string } | null = null;
  closed = false;
  readonly open: Promise<void>;

  constructor(
    url: string,
    private readonly handlers: LinkHandlers,
  ) {
    this.ws = new WebSocket(url);
    this.open = new Promise((resolve, reject) => {
      this.ws.addEventListener('open', () => resolve(), { once: true });
      this.ws.addEventListener('close', () => reject(new Error('could not connect')), { once: true });
    });
    this.ws.addEventListener('message', (event) => this.receive(event.data));
    this.ws.addEventListener('close', () => this.onClose());
  }

  /**
   * Sends `request` and resolves with its reply; `onReply` runs as the reply is read, before any line
   * that follows it (a login's waiting messages). `id`: one the caller keeps across resends (the outbox).
   * Rejects when the connection closes first.
   */
  request<S extends RequestStatus>(
    request: RequestOf<S>,
    onReply?: (reply: ReplyOf<S>) => void,
    id: RequestId = `${this.prefix}${this.nextId++}`,
  ): Promise<ReplyOf<S>> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      this.waiting.set(String(id), {
        resolve: (line) => {
          const reply = line as ReplyOf<S>;
          onReply?.(reply);
          resolve(reply);
        },
        reject,
      });
      this.ws.send(JSON.stringify({ ...request, id }));
    });
  }

  /** Closes the socket (the server sees a dropped connection). */
  close(): void {
    this.ws.close();
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let line: unknown;
    try {
      line = JSON.parse(data);
    } catch {
      return;
    }
    if (!isWireObject(line)) return;
    const ref = line.ref;
    const waiter = typeof ref === 'string' || typeof ref === 'number' ? this.waiting.get(String(ref)) : undefined;
    if (waiter && (line.status === 'ok' || line.status === 'error')) {
      this.waiting.delete(String(ref));
      waiter.resolve(line);
      return;
    }
    if (line.status === 'error' && ref === undefined)
      this.closeReason = { code: String(line.code), text: String(line.text) };
    this.handlers.pushed(line);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    const err = new Error('connection closed');
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
    this.handlers.closed(this.closeReason);
  }
}
