/**
 * The server's one port as a browser sees it too (issue #14): every admitted socket comes here first;
 * its first bytes send it to the line protocol (the chat's Connection) or to HTTP, where `GET /ws` may
 * become a WebSocket. Built once per server; closed at shutdown.
 */
import type net from 'node:net';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { socketRemote } from '../guards/admission.js';
import type { Limits } from '../limits.js';
import { defaultWebDir, loadAppFiles, type AppFiles } from './app-files.js';
import { HttpDoor } from './http-door.js';
import { Sniffer, type Protocol } from './sniff.js';
import { WebSocketDoor } from './upgrade.js';

/** The server, as the door hands it sockets. */
export interface DoorHost {
  /**
   * A socket of JSON lines becomes a connection; `silent`: it sent nothing before the registration
   * deadline; `since`: when the door took it (clockNow), from which that deadline counts.
   */
  openLine(socket: net.Socket, silent: boolean, since: number): void;
  /** An accepted WebSocket becomes a connection. */
  openWebSocket(ws: WebSocket, socket: net.Socket, address: string): void;
}

export interface DoorConfig {
  limits: Limits;
  /** Other origins whose pages may open the WebSocket (normalized). */
  webOrigins?: readonly string[];
  /** The web app's files; dist/web by default. */
  webDir?: string;
}

export class Door {
  private readonly sniffer: Sniffer;
  private readonly http: HttpDoor;

  constructor(config: DoorConfig, log: Logger, host: DoorHost) {
    const files = readApp(config.webDir ?? defaultWebDir(), log);
    const websockets = new WebSocketDoor(
      config.webOrigins ?? [],
      config.limits.maxLineBytes,
      log,
      (ws, socket, address) => host.openWebSocket(ws, socket, address),
    );
    this.http = new HttpDoor(files, config.limits, log, (req, socket, head) => websockets.upgrade(req, socket, head));
    this.sniffer = new Sniffer(
      config.limits.registerTimeoutMs,
      log,
      (socket: net.Socket, protocol: Protocol, since: number) => {
        if (protocol === 'http') this.http.handle(socket);
        else if (protocol === 'proxy') refuseProxyHeader(socket, log);
        else host.openLine(socket, protocol === 'silent', since);
      },
    );
  }

  /** Takes an admitted socket (for TLS, once its handshake is done) and routes it by its first bytes. */
  take(socket: net.Socket): void {
    this.sniffer.take(socket);
  }

  /**
   * Shutdown, before the connections are told: sockets still silent become connections (so they are
   * told too), HTTP sockets are ended, destroyed after `graceMs`.
   */
  close(graceMs: number): void {
    this.sniffer.flush();
    this.http.close(graceMs);
  }
}

/**
 * A PROXY header that no trusted proxy's gate read (#15): from a client, it would be a claim to be
 * someone else. Never believed; closed, with a line saying why, since a proxy left off --proxy-from
 * by mistake looks just like this.
 */
function refuseProxyHeader(socket: net.Socket, log: Logger): void {
  log.warn(
    { remote: socketRemote(socket) },
    'a PROXY protocol header from an address not in --proxy-from: connection closed',
  );
  socket.destroy();
}

/** The app's files, or null (not built, or unreadable: chat over the line protocol goes on either way). */
function readApp(dir: string, log: Logger): AppFiles {
  try {
    const files = loadAppFiles(dir);
    if (files === null) log.info({ dir }, 'the web app is not built: browsers get a page saying so (npm run build)');
    return files;
  } catch (err) {
    log.error({ err, dir }, 'cannot read the web app: browsers get the not-built page');
    return null;
  }
}
