/**
 * A small request/reply client for the soak test: one request in flight at a time, from a chosen
 * loopback source address (127.0.0.x), so the per-address limits see the attack as the issue did.
 * A reply is the next `ok` or `error` line; pushed lines (chat messages, system events) are skipped
 * without parsing, since a `rooms` reply over 20,000 rooms is about a megabyte.
 */
import net from 'node:net';

export interface Reply {
  /** `closed` when the connection ended (or failed) before a reply; `timeout` when none came in time. */
  status: 'ok' | 'error' | 'closed' | 'timeout';
  /** The error's code (`auth_failed`, `rate_limited`, ...), or why the connection closed. */
  code: string;
}

const OK = '{"status":"ok"';
const ERROR = '{"status":"error"';
const CODE = /"code":"([a-z_]+)"/;

export class Conn {
  private pieces: string[] = [];
  private waiting: ((reply: Reply) => void) | null = null;
  private closedWhy: string | null = null;

  private constructor(private readonly sock: net.Socket) {
    sock.setNoDelay(true);
    sock.setEncoding('latin1');
    sock.on('data', (chunk: string) => this.onData(chunk));
    sock.on('error', (err: NodeJS.ErrnoException) => {
      this.closedWhy ??= err.code ?? err.message;
    });
    sock.on('close', () => {
      this.closedWhy ??= 'closed by the server';
      this.settle({ status: 'closed', code: this.closedWhy });
    });
  }

  /** Connects from `from` to 127.0.0.1:port; rejects on error or after `timeoutMs`. */
  static open(port: number, from: string, timeoutMs: number): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const sock = net.createConnection({ host: '127.0.0.1', port, localAddress: from });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`connect from ${from} timed out`));
      }, timeoutMs);
      sock.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        resolve(new Conn(sock));
      });
    });
  }

  get closed(): boolean {
    return this.closedWhy !== null;
  }

  /** Sends one request line (with its newline) and resolves with its reply; closes the connection on a timeout. */
  request(line: string, timeoutMs: number): Promise<Reply> {
    if (this.closedWhy !== null) return Promise.resolve({ status: 'closed', code: this.closedWhy });
    if (this.waiting) throw new Error('one request at a time');
    return new Promise((resolve) => {
      // A reply that comes after the timeout would be taken for the next request's: close instead.
      const timer = setTimeout(() => {
        this.settle({ status: 'timeout', code: 'timeout' });
        this.destroy();
      }, timeoutMs);
      this.waiting = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
      this.sock.write(line);
    });
  }

  destroy(): void {
    this.closedWhy ??= 'closed by us';
    this.sock.destroy();
  }

  private settle(reply: Reply): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.(reply);
  }

  private onData(chunk: string): void {
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf('\n', start)) !== -1) {
      // Only the line's first bytes are needed: its status and, for an error, its code.
      const head =
        this.pieces.length > 0
          ? (this.pieces.join('') + chunk.slice(start, nl)).slice(0, 300)
          : chunk.slice(start, Math.min(nl, start + 300));
      this.pieces = [];
      start = nl + 1;
      if (head.startsWith(OK)) this.settle({ status: 'ok', code: '' });
      else if (head.startsWith(ERROR)) this.settle({ status: 'error', code: CODE.exec(head)?.[1] ?? 'error' });
    }
    // Keep at most the head of an unfinished line: a megabyte reply needs only its start.
    if (start < chunk.length && this.pieces.join('').length < 300) this.pieces.push(chunk.slice(start));
  }
}
