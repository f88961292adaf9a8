/**
 * A TCP proxy on loopback between a client and a server, for simulating a network that loses what the
 * server sent (or, past a threshold, what the client sends) and then drops the connection.
 */
import net from 'node:net';

export class LossyProxy {
  /** While true, bytes from the server are dropped instead of forwarded. */
  blackhole = false;
  /** Bytes from clients beyond this total are dropped instead of forwarded (a stall mid-upload). */
  holdUpstreamAfter = Infinity;
  /** Bytes forwarded from clients so far. */
  upstreamBytes = 0;
  /**
   * When set, the first line from the server that matches it is forwarded whole and everything after
   * it is dropped (blackhole turns on): a network that fails just after a given reply arrived.
   */
  blackholeAfter: RegExp | null = null;
  /** What the blackhole dropped (latin1): to wait until the server has written a given message. */
  dropped = '';
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private onHeld: (() => void) | null = null;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<LossyProxy> {
    const server = await listenOnLoopback();
    const proxy = new LossyProxy(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (client: net.Socket) => {
      const upstream = net.connect({ port: targetPort, host: '127.0.0.1' });
      const pair: [net.Socket, net.Socket] = [client, upstream];
      proxy.pairs.add(pair);
      // Once a connection starts dropping it drops everything after: forwarding a later, smaller read
      // would splice two half-lines into one (TCP never does that).
      let holding = false;
      client.on('data', (chunk: Buffer) => {
        if (holding || proxy.upstreamBytes + chunk.length > proxy.holdUpstreamAfter) {
          holding = true;
          proxy.onHeld?.();
          return;
        }
        proxy.upstreamBytes += chunk.length;
        if (!upstream.write(chunk)) {
          client.pause();
          upstream.once('drain', () => client.resume());
        }
      });
      // Set once blackholeAfter matched in a chunk that did not hold the end of its line.
      let cutAtNewline = false;
      upstream.on('data', (chunk: Buffer) => {
        if (proxy.blackhole) {
          proxy.dropped += chunk.toString('latin1');
          return;
        }
        let start = -1;
        if (cutAtNewline) start = 0;
        else if (proxy.blackholeAfter) {
          const match = proxy.blackholeAfter.exec(chunk.toString('latin1'));
          if (match) start = match.index;
        }
        if (start === -1) {
          client.write(chunk);
          return;
        }
        const end = chunk.indexOf(0x0a, start);
        if (end === -1) {
          cutAtNewline = true;
          client.write(chunk);
          return;
        }
        client.write(chunk.subarray(0, end + 1));
        cutAtNewline = false;
        proxy.blackholeAfter = null;
        proxy.blackhole = true;
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
        proxy.pairs.delete(pair);
      };
      client.on('close', close).on('error', close);
      upstream.on('close', close).on('error', close);
    });
    return proxy;
  }

  /** Resolves when the first client bytes past holdUpstreamAfter have been dropped. */
  held(): Promise<void> {
    return new Promise(
      (resolve) =>
        (this.onHeld = () => {
          this.onHeld = null;
          resolve();
        }),
    );
  }

  /** Stops (or resumes) reading what the server sends, so it backs up in the server, as a stalled reader's would. */
  stallDownstream(stalled: boolean): void {
    for (const [, upstream] of this.pairs) {
      if (stalled) upstream.pause();
      else upstream.resume();
    }
  }

  /**
   * The network goes down: every connection is cut and new ones are refused (the client's reconnects
   * fail with "connection refused") until up().
   */
  down(): Promise<void> {
    this.cutAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The network is back: connections are taken again, on the same port. */
  up(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Cuts every connection through the proxy, as a network failure would. */
  cutAll(): void {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  close(): Promise<void> {
    this.cutAll();
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A TCP proxy on loopback that carries what the server sends at most `bytesPerSecond`, as a real
 * network link does (issue #11.11: a client reading at full speed over a classroom network). The
 * loopback kernel would otherwise buffer tens of MiB for a client that reads, which no network does.
 */
export class RateLimitedLink {
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, bytesPerSecond: number): Promise<RateLimitedLink> {
    const server = await listenOnLoopback();
    const link = new RateLimitedLink(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (client: net.Socket) => {
      const upstream = net.connect({ port: targetPort, host: '127.0.0.1' });
      link.sockets.add(client).add(upstream);
      client.pipe(upstream);
      // Reads from the server pause whenever they run ahead of the link's speed.
      const started = performance.now();
      let carried = 0;
      upstream.on('data', (chunk: Buffer) => {
        carried += chunk.length;
        client.write(chunk);
        const ahead = (carried / bytesPerSecond) * 1000 - (performance.now() - started);
        if (ahead > 1) {
          upstream.pause();
          setTimeout(() => upstream.resume(), ahead);
        }
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
        link.sockets.delete(client);
        link.sockets.delete(upstream);
      };
      client.on('close', close).on('error', close);
      upstream.on('close', close).on('error', close);
    });
    return link;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A TCP server listening on a free loopback port, with no connection handler yet. The caller adds one
 * before it next yields to the event loop, so no connection arrives unhandled (and only the caller knows
 * the port).
 */
async function listenOnLoopback(): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
