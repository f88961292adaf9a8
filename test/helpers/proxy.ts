/**
 * A TCP proxy on loopback between a client and a server, for simulating a network that loses what the
 * server sent and then drops the connection.
 */
import net from 'node:net';

export class LossyProxy {
  /** While true, bytes from the server are dropped instead of forwarded. */
  blackhole = false;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<LossyProxy> {
    let proxy!: LossyProxy;
    const server = net.createServer((client) => {
      const upstream = net.connect({ port: targetPort, host: '127.0.0.1' });
      const pair: [net.Socket, net.Socket] = [client, upstream];
      proxy.pairs.add(pair);
      client.pipe(upstream);
      upstream.on('data', (chunk) => {
        if (!proxy.blackhole) client.write(chunk);
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
        proxy.pairs.delete(pair);
      };
      client.on('close', close).on('error', close);
      upstream.on('close', close).on('error', close);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new LossyProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
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
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
