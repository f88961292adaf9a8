/**
 * `GET /ws` with `Upgrade: websocket` (issue #14): the Origin check (origin.ts), then the handshake by
 * the ws library, then the socket is the chat's. A refusal is a short HTTP answer and a closed socket.
 */
import type { IncomingMessage } from 'node:http';
import type net from 'node:net';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { socketAddress, socketRemote } from '../guards/admission.js';
import { rawResponse } from './headers.js';
import { originAllowed } from './origin.js';
import { requestPath, WEBSOCKET_PATH } from './respond.js';

/** Where an accepted WebSocket goes, with the peer's IP address (what the per-address caps count). */
export type OpenWebSocket = (ws: WebSocket, socket: net.Socket, address: string) => void;

export class WebSocketDoor {
  private readonly wss: WebSocketServer;

  constructor(
    /** Other origins whose pages may connect (normalized, from --web-origins). */
    private readonly origins: readonly string[],
    /** Largest message, in bytes: the line protocol's maxLineBytes, the same bound for the same objects. */
    maxPayload: number,
    private readonly log: Logger,
    private readonly open: OpenWebSocket,
  ) {
    // No compression: a chat frame is small, and permessage-deflate costs each connection its own zlib
    // state (ws's own advice for many connections). No tracking: the server keeps its own connection set.
    this.wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false });
  }

  /** Takes over `socket` from the HTTP server for an upgrade request (Node's 'upgrade' event). */
  upgrade(req: IncomingMessage, socket: net.Socket, head: Buffer): void {
    // Node's HTTP server stopped listening to this socket; an error before ws takes it must not go uncaught.
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'WebSocket handshake socket failed'));
    if (requestPath(req.url) !== WEBSOCKET_PATH) {
      refuse(socket, 404, 'Not Found', 'not found');
      return;
    }
    if (!originAllowed(req, this.origins)) {
      const remote = socketRemote(socket);
      this.log.info({ remote, origin: req.headers.origin }, 'WebSocket refused: a page from another origin');
      refuse(socket, 403, 'Forbidden', 'a page from another origin may not open this chat (see --web-origins)');
      return;
    }
    const address = socketAddress(socket);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, socket, address));
  }
}

/** Answers with `status` and closes once the answer is written (as ws does for a bad handshake). */
function refuse(socket: net.Socket, status: number, reason: string, text: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(rawResponse(status, reason, text));
}
