/**
 * One port, two protocols (issue #14): a socket's first bytes say whether it is a browser (an HTTP
 * request line: an uppercase method, then a space) or the line protocol (a JSON object, so `{` or
 * white space first). The line protocol's server never speaks first, so waiting for the client's first
 * bytes changes nothing for `nc` or the terminal client. The bytes read are put back (unshift) for
 * whoever takes the socket.
 */
import type net from 'node:net';
import type { Logger } from 'pino';
import { clockNow } from '../guards/idle-sweep.js';
import { isProxyHeaderStart, looksLikeProxyHeader } from '../transports/proxy-header.js';

/**
 * What a socket speaks; 'silent': nothing arrived within the deadline; 'proxy': a PROXY protocol header
 * that no trusted proxy's gate took (#15), so a client trying to choose its own address.
 */
export type Protocol = 'http' | 'lines' | 'silent' | 'proxy';

/** Methods are short ("OPTIONS" is 7 letters); past this without a space it is not a request line. */
const MAX_METHOD_BYTES = 16;

/** What `head` (the first bytes) says: 'http', 'lines', 'proxy', or null while it could still be any. */
export function classify(head: Buffer): 'http' | 'lines' | 'proxy' | null {
  // Before the others: "PROXY " reads as a request line, and v2's signature as white space.
  if (looksLikeProxyHeader(head)) return isProxyHeaderStart(head) ? 'proxy' : null;
  for (let i = 0; i < head.length; i++) {
    const byte = head[i]!;
    if (byte === 0x20) return i > 0 ? 'http' : 'lines';
    const upper = byte >= 0x41 && byte <= 0x5a; // A-Z
    // After the first letter a method token may hold '-' or '_' (M-SEARCH); a JSON line never starts so.
    if (!upper && !(i > 0 && (byte === 0x2d || byte === 0x5f))) return 'lines';
    if (i >= MAX_METHOD_BYTES) return 'lines';
  }
  return null;
}

/** Where a sniffed socket goes: paused, with its first bytes unread again; `since`: when it was taken (clockNow). */
export type Route = (socket: net.Socket, protocol: Protocol, since: number) => void;

export class Sniffer {
  /** Sockets whose first bytes have not come yet, each with what hands it on. */
  private readonly waiting = new Map<net.Socket, (protocol: Protocol) => void>();

  constructor(
    /**
     * How long a socket may stay silent: the registration deadline, which the line protocol counts
     * from the first bytes on (a socket is a connection only from then), so a silent socket is bounded too.
     */
    private readonly timeoutMs: number,
    private readonly log: Logger,
    private readonly route: Route,
  ) {}

  /** Reads `socket` until its first bytes decide, or the deadline passes, then routes it. */
  take(socket: net.Socket): void {
    const since = clockNow();
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      timer.refresh();
      const decided = classify(chunks.length === 1 ? chunk : Buffer.concat(chunks));
      if (decided !== null) handOn(decided);
    };
    // A timer of its own rather than socket.setTimeout(): Node keeps a socket's cleared Timeout (and its
    // bound callback) in the socket for good, about 250 bytes for every idle connection (#16), and
    // refreshes it on every read. Refreshed on each chunk, as the socket's own would be.
    const timer = setTimeout(() => handOn('silent'), this.timeoutMs).unref();
    const onError = (err: Error) => this.log.debug({ err: err.message }, 'socket failed before its first bytes');
    const forget = () => {
      this.waiting.delete(socket);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', forget);
      clearTimeout(timer);
    };
    const handOn = (protocol: Protocol) => {
      forget();
      socket.pause();
      if (chunks.length > 0) socket.unshift(Buffer.concat(chunks));
      this.route(socket, protocol, since);
    };
    this.waiting.set(socket, handOn);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', forget);
    // A socket that passed a PROXY header (proxy-gate.ts) was paused with the rest put back.
    socket.resume();
  }

  /**
   * Shutdown: every socket still waiting goes to the line protocol now, where it gets the shutdown
   * notice every connection gets (as it did when every socket was a connection from its accept).
   */
  flush(): void {
    for (const handOn of [...this.waiting.values()]) handOn('lines');
  }
}
