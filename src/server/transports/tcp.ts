/** The TCP transport: accepts sockets and hands each to the server. One JSON object per line. */
import net from 'node:net';

/** Listens on host:port; resolves once listening. */
export function listenTcp(host: string, port: number, onSocket: (socket: net.Socket) => void): Promise<net.Server> {
  // noDelay: a chat line should leave at once, not wait for Nagle's timer (peer-bench README, "Surprises" 4).
  // keepAlive: a client whose network vanished is noticed by the kernel instead of holding its name for good.
  const server = net.createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000 }, onSocket);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
