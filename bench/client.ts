/**
 * A fast line client for the load generator. Received bytes are decoded as latin1 (the bench's own
 * text is ASCII) and split at newlines without copying each line: the handler gets the chunk string
 * and the line's bounds, plus one timestamp per socket read. Output queued with `queue` is written
 * with one socket write per client per event-loop turn. Over WebSocket (`transport` 'ws', issue #14)
 * the same objects travel one per text frame, so workloads read and write lines either way.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { FrameReader, framesOf, handshake } from './ws-framing.js';

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
  private readonly sock: net.Socket;
  /** For a WebSocket client: its frames in, and whether its handshake is done. */
  private readonly frames: FrameReader | null;
  private upgraded = false;
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
    this.frames = transport === 'ws' ? new FrameReader() : null;
    const sock = net.createConnection({ host: '127.0.0.1', port });
    this.sock = sock;
    sock.setNoDelay(true);
    sock.setEncoding('latin1');
    if (transport === 'ws') {
      const { request, accept } = handshake(port);
      sock.on('connect', () => sock.write(request));
      sock.on('data', (chunk: string) => this.onWsData(chunk, accept, onConnect));
    } else {
      sock.on('connect', () => onConnect(this));
      sock.on('data', (chunk: string) => this.onData(chunk));
    }
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

  /** The handshake's answer, then frames: each text frame is a line to the handler. */
  private onWsData(chunk: string, accept: string, onConnect: (client: LineClient) => void): void {
    if (!this.upgraded) {
      this.rest += chunk;
      const end = this.rest.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = this.rest.slice(0, end);
      chunk = this.rest.slice(end + 4);
      this.rest = '';
      if (!head.startsWith('HTTP/1.1 101') || !head.includes(`Sec-WebSocket-Accept: ${accept}`)) {
        this.closeReason = `the WebSocket upgrade was refused: ${head.split('\r\n')[0]}`;
        this.sock.destroy();
        return;
      }
      this.upgraded = true;
      onConnect(this);
      if (chunk.length === 0) return;
    }
    const t = performance.now();
    const handler = this.handler;
    const code = this.frames!.push(chunk, (data, start, end) => handler(this, data, start, end, t));
    if (code !== null) {
      this.closeReason ??= `closed by the server (WebSocket close ${code})`;
      this.sock.destroy();
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

  /** Writes at once: one or more whole lines, each ending with a newline (over WebSocket, a frame each). */
  write(text: string): void {
    if (this.closed) return;
    if (this.frames) this.sock.write(framesOf(text), 'latin1');
    else this.sock.write(text);
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
    this.sock.destroy();
  }
}
