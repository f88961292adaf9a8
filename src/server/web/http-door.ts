/**
 * The HTTP side of the server's one port (issue #14): a Node HTTP server that never listens. The
 * sniffer (sniff.ts) hands it the sockets whose first bytes are an HTTP request line, already counted
 * against the connection caps at their TCP accept. It serves the app's files (respond.ts) and hands
 * WebSocket upgrades to upgrade.ts. Hardened: bounded headers and request time, no bodies, keep-alive
 * sockets closed at shutdown.
 */
import http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { socketRemote } from '../guards/admission.js';
import type { Limits } from '../limits.js';
import type { AppFiles } from './app-files.js';
import { rawResponse } from './headers.js';
import { respond } from './respond.js';

/** Largest request head. Node's default is 16 KiB; our requests carry no cookies or auth headers, nginx allows 8 KiB a line. */
const MAX_HEADER_BYTES = 8 * 1024;
/** Most header fields in a request; a browser sends about 20. */
const MAX_HEADER_FIELDS = 64;

/** What Node's parser and timers report, answered as Node itself would (its answer is skipped once we listen). */
const CLIENT_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
};

export class HttpDoor {
  private readonly server: http.Server;
  /** Every socket this door holds (keep-alive ones too), to close them at shutdown. */
  private readonly sockets = new Set<net.Socket>();
  private closing = false;

  constructor(
    files: AppFiles,
    limits: Pick<Limits, 'httpRequestMs' | 'httpKeepAliveMs' | 'idleTimeoutMs'>,
    private readonly log: Logger,
    /** Gets each upgrade request's socket (upgrade.ts); the HTTP server lets go of it. */
    upgrade: (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => void,
  ) {
    this.server = http.createServer(
      {
        maxHeaderSize: MAX_HEADER_BYTES,
        // Headers and the whole request share one bound: a request here has no body.
        headersTimeout: limits.httpRequestMs,
        requestTimeout: limits.httpRequestMs,
        // How often Node checks those two; a quarter of the bound, as the idle sweep does.
        connectionsCheckingInterval: Math.max(20, Math.min(1000, Math.floor(limits.httpRequestMs / 4))),
        requireHostHeader: true,
      },
      (req, res) => {
        if (this.closing) res.setHeader('Connection', 'close');
        respond(req, res, files);
      },
    );
    this.server.keepAliveTimeout = limits.httpKeepAliveMs;
    this.server.maxHeadersCount = MAX_HEADER_FIELDS;
    // A socket with nothing moving either way (a response the peer never reads) goes like an idle connection.
    this.server.timeout = limits.idleTimeoutMs;
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => this.clientError(err, socket));
    this.server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      this.sockets.delete(socket); // the WebSocket's now, closed by the chat's shutdown
      if (this.closing) socket.destroy();
      else upgrade(req, socket, head);
    });
    // Node enforces headersTimeout and requestTimeout with a timer it starts when the server starts
    // listening; this one never listens (its sockets come from the chat's port), so it is told it does.
    // Without this a request that never finishes its headers would hold its socket for good.
    this.server.emit('listening');
  }

  /** Serves HTTP on `socket`, whose first bytes are unread again (sniff.ts) and which is paused. */
  handle(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    this.server.emit('connection', socket);
    socket.resume();
  }

  /**
   * Shutdown: stops the HTTP server's timer and ends every socket (a browser holds keep-alive sockets
   * open until the server closes them, which would hold the port's close). One that has not closed
   * within `graceMs` is destroyed.
   */
  close(graceMs: number): void {
    this.closing = true;
    this.server.close(); // clears Node's timeout timer and closes idle keep-alive sockets
    for (const socket of this.sockets) {
      socket.end();
      setTimeout(() => socket.destroy(), graceMs).unref();
    }
  }

  /** A request Node's parser refused, or one too slow: answered as Node would, logged at debug. */
  private clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    const remote = socketRemote(socket as net.Socket);
    this.log.debug({ remote, err: err.code ?? err.message }, 'bad HTTP request');
    if (err.code !== 'ECONNRESET' && socket.writable && (socket as net.Socket).bytesWritten === 0) {
      const [status, reason] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'Bad Request'];
      // Destroyed once written: destroying at once could drop the answer on a TLS socket.
      socket.once('finish', () => socket.destroy());
      socket.end(rawResponse(status, reason, reason.toLowerCase()));
    } else socket.destroy();
  }
}
