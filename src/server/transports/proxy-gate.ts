/**
 * --proxy-from (#15): a connection from a trusted proxy (HAProxy with send-proxy-v2) must start with a
 * PROXY protocol header, whose client address then stands for the socket's in admission, every
 * per-address limit, exemption and log line. Read at the TCP accept, before admission and before TLS
 * (the proxy relays the TLS bytes behind it). Any other socket passes untouched: a header from an
 * address not on the list is never read as one (the door closes it, sniff.ts).
 */
import type net from 'node:net';
import type { Logger } from 'pino';
import { addressList, onList } from '../guards/address-list.js';
import { peerAddress, RELAYED_FROM } from '../guards/admission.js';
import { parseProxyHeader, V1_MAX_BYTES, V2_MAX_BYTES } from './proxy-header.js';

/** The proxy writes its header at once, before relaying anything; a slower one is not a proxy we know. */
export const PROXY_HEADER_MS = 5000;
/** No valid header is longer (the bounds of proxy-header.ts); past this the bytes are refused. */
const MAX_HEADER_BYTES = Math.max(V1_MAX_BYTES, V2_MAX_BYTES);

/** Marks the proxy's own connections (v2 LOCAL: its health checks), which the server logs at debug. */
export const PROXY_LOCAL = Symbol('classchat.proxyLocal');

/** Whether `socket` is a trusted proxy's own connection (a health check), not a client's. */
export function isProxyLocal(socket: net.Socket): boolean {
  return (socket as net.Socket & { [PROXY_LOCAL]?: boolean })[PROXY_LOCAL] === true;
}

export class ProxyGate {
  private readonly trusted: net.BlockList;
  private readonly any: boolean;
  /** `proxyFrom`: addresses and CIDR ranges (--proxy-from); throws on a malformed one. */
  constructor(
    proxyFrom: readonly string[],
    private readonly log: Logger,
    private readonly deadlineMs = PROXY_HEADER_MS,
  ) {
    this.trusted = addressList(proxyFrom);
    this.any = proxyFrom.length > 0;
  }

  /**
   * Calls `next(socket)` once the socket's client is known: at once for a socket not from a trusted
   * proxy, after its header for one that is. A trusted socket without a valid header within the
   * deadline is logged and destroyed, and `next` is never called.
   */
  take(socket: net.Socket, next: (socket: net.Socket) => void): void {
    if (!this.any || !onList(this.trusted, peerAddress(socket))) {
      next(socket);
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    const timer = setTimeout(() => fail(`no PROXY protocol header within ${this.deadlineMs} ms`), this.deadlineMs);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const fail = (reason: string) => {
      done();
      this.log.warn({ proxy: `${peerAddress(socket)}:${socket.remotePort}`, reason }, 'connection from a proxy closed');
      socket.destroy();
    };
    const onError = (err: Error) => {
      done();
      this.log.debug({ err: err.message }, 'proxy socket failed before its PROXY header');
    };
    const onClose = () => done();
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      const head = chunks.length === 1 ? chunk : Buffer.concat(chunks);
      const header = parseProxyHeader(head.subarray(0, MAX_HEADER_BYTES));
      if (header.kind === 'incomplete') {
        if (received >= MAX_HEADER_BYTES) fail('PROXY protocol header too long');
        return;
      }
      if (header.kind === 'bad') {
        fail(header.reason);
        return;
      }
      done();
      // Whoever takes the socket next attaches its own reader; it resumes it (sniff.ts, TLS).
      socket.pause();
      if (head.length > header.length) socket.unshift(head.subarray(header.length));
      const marked = socket as net.Socket & { [RELAYED_FROM]?: unknown; [PROXY_LOCAL]?: boolean };
      if (header.kind === 'proxy') marked[RELAYED_FROM] = { address: header.address, port: header.port };
      else marked[PROXY_LOCAL] = true;
      next(socket);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  }
}
