/**
 * Binds the chat's one port, plain TCP or TLS, and hands each accepted socket to whatever server is
 * ready: a trusted proxy's PROXY header first (#15, proxy-gate.ts), then admission (counted from the TCP accept, issue #11.8), then the socket itself (for TLS once
 * its handshake is done). Every protocol arrives here: line clients, browsers over HTTP and WebSocket.
 */
import type net from 'node:net';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config.js';
import { DataDirLock } from '../store/data-dir-lock.js';
import { listenError } from './listen-error.js';
import { ProxyGate } from './proxy-gate.js';
import { listenTcp } from './tcp.js';
import { listenTls, type TlsCredentials } from './tls.js';

/** The server as the port sees it. */
export interface PortHost {
  /** Counts `socket` against the connection caps; false after closing one it refuses (`explain`: say why first). */
  admit(socket: net.Socket, explain: boolean): boolean;
  /** An admitted socket (TLS: after its handshake). */
  open(socket: net.Socket): void;
}

/**
 * Binds the port; sockets go to the host `ready()` returns, or are closed while it is null. `beforeLock`:
 * the data directory is not ours yet, so a port in use may be its own server's (said by the refusal).
 */
export async function listenChatPort(
  config: ServerConfig,
  credentials: TlsCredentials | null,
  log: Logger,
  ready: () => PortHost | null,
  beforeLock = false,
): Promise<net.Server> {
  // #15: a trusted proxy's socket first gives its client's address (its PROXY header), then is admitted.
  const gate = new ProxyGate(config.proxyFrom ?? [], log);
  try {
    return credentials
      ? await listenTls(
          config.host,
          config.port,
          credentials,
          config.limits.tlsHandshakeMs,
          log,
          (raw, handshake) =>
            gate.take(raw, (known) => {
              const host = ready();
              // A TLS client cannot read a plain-text refusal, and a handshake would cost the work the cap saves.
              if (host === null) known.destroy();
              else if (host.admit(known, false)) handshake(known);
            }),
          (socket) => {
            const host = ready();
            if (host) host.open(socket);
            else socket.destroy();
          },
        )
      : await listenTcp(config.host, config.port, (raw) =>
          gate.take(raw, (socket) => {
            const host = ready();
            if (host === null) socket.destroy();
            else if (host.admit(socket, true)) host.open(socket);
          }),
        );
  } catch (err) {
    // The same command run twice: the data directory's refusal names the running server's pid.
    const held =
      beforeLock && (err as NodeJS.ErrnoException).code === 'EADDRINUSE' && config.dataDir !== ':memory:'
        ? DataDirLock.holder(config.dataDir)
        : null;
    throw held ?? listenError(config.host, config.port, err);
  }
}
