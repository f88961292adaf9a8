/** The TCP transport: accepts sockets and hands each to the server. One JSON object per line. */
import net from 'node:net';

/** Socket options for every stream transport (TCP here, and TLS, which runs over TCP). */
export const SOCKET_OPTIONS = {
  // noDelay: a chat line should leave at once, not wait for Nagle's timer (peer-bench README, "Surprises" 4).
  noDelay: true,
  // keepAlive: a client whose network vanished is noticed by the kernel instead of holding its name for good.
  keepAlive: true,
  keepAliveInitialDelay: 60_000,
} as const satisfies net.ServerOpts;

/** Listens on host:port; resolves once listening. */
export function listenTcp(host: string, port: number, onSocket: (socket: net.Socket) => void): Promise<net.Server> {
  return listen(net.createServer(SOCKET_OPTIONS, onSocket), host, port);
}

/** Starts `server` listening on host:port; resolves with it once listening, rejects on an error (EADDRINUSE). */
export function listen<S extends net.Server>(server: S, host: string, port: number): Promise<S> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
