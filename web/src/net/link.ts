/**
 * One WebSocket to the server (issue #14): one JSON object per text frame, the line protocol's objects
 * (docs/protocol.md). Requests get an `id` and their reply is matched by `ref`; whatever else arrives is
 * pushed (chat, events, the error line that says why the server closes). Typed by the protocol map.
 */
import type { ReplyOf, WireObject } from '../../../src/protocol/messages.js';
import { isWireObject } from '../../../src/protocol/messages.js';
import type { RequestId, RequestOf, RequestStatus } from '../../../src/protocol/requests.js';
import { FrameTooLarge, LinkClosed, MAX_FRAME_BYTES, utf8Length } from './frame.js';

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
  /** The WebSocket close code, once closed (1009: the server refused a frame as too big). */
  private closeCode = 0;
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
    this.ws.addEventListener('close', (event) => this.onClose(event.code));
  }

  /**
   * Sends `request` and resolves with its reply; `onReply` runs as the reply is read, before any line
   * that follows it (a login's waiting messages). `id`: one the caller keeps across resends (the outbox).
   * Rejects when the connection closes first (LinkClosed), and at once, sending nothing, when the frame
   * would pass the server's limit (FrameTooLarge): the server would close the connection over it.
   */
  request<S extends RequestStatus>(
    request: RequestOf<S>,
    onReply?: (reply: ReplyOf<S>) => void,
    id: RequestId = `${this.prefix}${this.nextId++}`,
  ): Promise<ReplyOf<S>> {
    if (this.closed) return Promise.reject(new LinkClosed(this.closeCode));
    const frame = JSON.stringify({ ...request, id });
    const bytes = utf8Length(frame);
    if (bytes > MAX_FRAME_BYTES) return Promise.reject(new FrameTooLarge(bytes));
    return new Promise((resolve, reject) => {
      this.waiting.set(String(id), {
        resolve: (line) => {
          const reply = line as ReplyOf<S>;
          onReply?.(reply);
          resolve(reply);
        },
        reject,
      });
      this.ws.send(frame);
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

  private onClose(code: number): void {
    if (this.closed) return;
    this.closed = true;
    this.closeCode = code;
    const err = new LinkClosed(code);
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
    this.handlers.closed(this.closeReason);
  }
}
