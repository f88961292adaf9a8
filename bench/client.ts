/**
 * A fast line client for the load generator. Received bytes are decoded as latin1 (the bench's own
 * text is ASCII) and split at newlines without copying each line: the handler gets the chunk string
 * and the line's bounds, plus one timestamp per socket read. Output queued with `queue` is written
 * with one socket write per client per event-loop turn. Over WebSocket (`transport` 'ws', issue #14)
 * the same objects travel one per text frame, so workloads read and write lines either way.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';

/** How a bench client reaches the server: the line protocol over TCP, or the WebSocket endpoint on the same port. */
export type Transport = 'tcp' | 'ws';

/** Called for each received line: `data.slice(start, end)` is the line (no newline), read at `t` ms. */
export type LineHandler = (client: LineClient, data: string, start: number, end: number, t: number) => void;

const ignore: LineHandler = () => {};

/** Clients with queued output, written together in the next check phase. */
const dirty: LineClient[] = [];
let flushScheduled = false;
/** Runs just before the queued output is written (the fan-out workload refills its windows here). */
let beforeFlush: (() => void) | null = null;

export function setBeforeFlush(hook: (() => void) | null): void {
  beforeFlush = hook;
}

/** Asks for a flush at the end of this event-loop turn, even if nothing is queued yet. */
export function scheduleFlush(): void {
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushAll);
  }
}

function flushAll(): void {
  if (beforeFlush) beforeFlush();
  for (let i = 0; i < dirty.length; i++) dirty[i]!.flush();
  dirty.length = 0;
  flushScheduled = false;
}

export class LineClient {
  /** The TCP socket, or for a WebSocket client the socket under it (set once it is open). */
  private readonly sock: net.Socket | null;
  private readonly ws: WebSocket | null;
  /** Set once the socket closed (for any reason). */
  closed = false;
  /** Why it closed, when the close was not ours. */
  closeReason: string | null = null;
  handler: LineHandler = ignore;
  /** Called once when the socket closes without `destroy()` having been called by us. */
  onUnexpectedClose: ((client: LineClient) => void) | null = null;
  private rest = '';
  private out = '';
  private queued = false;
  private ours = false;

  constructor(
    readonly id: number,
    readonly name: string,
    port: number,
    onConnect: (client: LineClient) => void,
    transport: Transport = 'tcp',
  ) {
    if (transport === 'ws') {
      this.sock = null;
      // No compression: the server refuses it, and the TCP client has none either.
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
      this.ws = ws;
      ws.on('open', () => onConnect(this));
      ws.on('message', (data: Buffer) => {
        const text = data.toString('latin1');
        this.handler(this, text, 0, text.length, performance.now());
      });
      ws.on('error', (err: NodeJS.ErrnoException) => {
        this.closeReason ??= `websocket error ${err.code ?? err.message}`;
      });
      ws.on('close', (code: number, reason: Buffer) =>
        this.onClose(`closed by the server (${code} ${reason.toString()})`),
      );
      return;
    }
    this.ws = null;
    const sock = net.createConnection({ host: '127.0.0.1', port });
    this.sock = sock;
    sock.setNoDelay(true);
    sock.setEncoding('latin1');
    sock.on('connect', () => onConnect(this));
    sock.on('data', (chunk: string) => this.onData(chunk));
    sock.on('error', (err: NodeJS.ErrnoException) => {
      this.closeReason ??= `socket error ${err.code ?? err.message}`;
    });
    sock.on('close', () => this.onClose('closed by the server'));
  }

  private onClose(why: string): void {
    this.closed = true;
    if (!this.ours) {
      this.closeReason ??= why;
      this.onUnexpectedClose?.(this);
    }
  }

  private onData(chunk: string): void {
    // A long line (a 350 KB fetch reply) comes in several reads: keep the pieces until its newline
    // arrives, so it is joined and scanned once, not again on every read.
    let nl = chunk.indexOf('\n');
    if (nl === -1) {
      this.rest += chunk;
      return;
    }
    const t = performance.now();
    nl += this.rest.length;
    const data = this.rest.length > 0 ? this.rest + chunk : chunk;
    const handler = this.handler;
    let start = 0;
    do {
      if (nl > start) handler(this, data, start, nl, t);
      start = nl + 1;
    } while ((nl = data.indexOf('\n', start)) !== -1);
    this.rest = start < data.length ? data.slice(start) : '';
  }

  /** Writes at once: one or more whole lines, each ending with a newline. */
  write(text: string): void {
    if (this.closed) return;
    if (this.sock) {
      this.sock.write(text);
      return;
    }
    // One object per frame; the newline is the line protocol's framing, not part of the object.
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.ws!.send(text.slice(start, nl));
      start = nl + 1;
    }
  }

  /** Appends to this turn's output; written by the next flush. */
  queue(text: string): void {
    this.out += text;
    if (!this.queued) {
      this.queued = true;
      dirty.push(this);
      scheduleFlush();
    }
  }

  flush(): void {
    this.queued = false;
    if (this.out.length > 0) {
      const text = this.out;
      this.out = '';
      this.write(text);
    }
  }

  /** Closes from our side; not reported as a disconnect. */
  destroy(): void {
    this.ours = true;
    if (this.sock) this.sock.destroy();
    else this.ws!.terminate();
  }
}
