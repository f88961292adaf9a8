/**
 * A test client over a real TCP socket: sends JSON lines, and waits (with a timeout, never a fixed
 * sleep) for replies by ref or for events matching a predicate. request() and ok() take and give raw
 * JSON (`Obj`), for tests of what is on the wire, malformed input included; reply() and okReply() take a
 * well-formed request and give its reply typed by the map (src/protocol/messages.ts), after checking
 * that the server's reply is what the map says (issue #14).
 */
import net from 'node:net';
import tls from 'node:tls';
import { MessageClient, type Obj } from './message-client.js';

export { MessageClient, type Obj, type TypedRequest } from './message-client.js';

export class TestClient extends MessageClient {
  private buffer = '';
  readonly closed: Promise<void>;
  isClosed = false;

  private constructor(
    readonly socket: net.Socket,
    label: string,
  ) {
    super(label);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
  }

  /** Connects over plain TCP, or over TLS with `tlsOptions` (resolving once the handshake is done). */
  static connect(port: number, label = 'client', tlsOptions?: tls.ConnectionOptions): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = tlsOptions
        ? tls.connect({ port, host: '127.0.0.1', ...tlsOptions }, () => resolve(new TestClient(socket, label)))
        : net.connect({ port, host: '127.0.0.1' }, () => resolve(new TestClient(socket, label)));
      socket.once('error', reject);
    });
  }

  /** Connects over plain TCP from the loopback address `localAddress` (e.g. 127.0.0.2), to test per-address limits. */
  static connectFrom(port: number, localAddress: string, label = localAddress): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () =>
        resolve(new TestClient(socket, label)),
      );
      socket.once('error', reject);
    });
  }

  /**
   * Connects as a load balancer would relay a client (#15): from `localAddress`, writing `header` (a
   * PROXY protocol header, test/helpers/proxy-header.ts) first, then the client's own bytes (inside
   * TLS with `tlsOptions`).
   */
  static connectVia(
    port: number,
    header: Buffer,
    options: { localAddress?: string; label?: string; tls?: tls.ConnectionOptions } = {},
  ): Promise<TestClient> {
    const label = options.label ?? 'relayed';
    return new Promise((resolve, reject) => {
      const raw = net.connect({ port, host: '127.0.0.1', localAddress: options.localAddress ?? '127.0.0.1' }, () => {
        raw.write(header);
        if (!options.tls) {
          resolve(new TestClient(raw, label));
          return;
        }
        const secure = tls.connect({ socket: raw, ...options.tls }, () => resolve(new TestClient(secure, label)));
        secure.once('error', reject);
      });
      raw.once('error', reject);
    });
  }

  /** Connects (over TLS with `tlsOptions`) and registers `name`; fails the test if registration is refused. */
  static async as(port: number, name: string, tlsOptions?: tls.ConnectionOptions): Promise<TestClient> {
    const client = await TestClient.connect(port, name, tlsOptions);
    const reply = await client.request({ status: 'register', sender: name });
    if (reply.status !== 'ok') throw new Error(`register ${name} failed: ${JSON.stringify(reply)}`);
    client.token = typeof reply.token === 'string' ? reply.token : null;
    return client;
  }

  /**
   * Comes back as `earlier`'s name the way a client does (issue #11.1): with the token its register got
   * (claim mode), or by registering the name again where the server hands out none (open mode).
   */
  static async back(port: number, earlier: MessageClient, extra: Obj = {}): Promise<TestClient> {
    const client = await TestClient.connect(port, earlier.label);
    await client.comeBackAs(earlier, extra);
    return client;
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      this.receive(JSON.parse(line) as Obj);
    }
  }

  /** Writes raw text (for malformed-input tests). */
  raw(text: string | Buffer): void {
    this.socket.write(text);
  }

  send(request: Obj): void {
    this.socket.write(JSON.stringify(request) + '\n');
  }

  async close(): Promise<void> {
    if (!this.isClosed) this.socket.destroy();
    await this.closed;
  }
}

/**
 * The clients of one test, by name. `as(name)` registers a name the first time; later (after a
 * disconnect or a restart) it comes back with the token that name got, as a client does (issue #11.1).
 * `closeAll` closes every client made so far.
 */
export class Cast {
  private readonly open: TestClient[] = [];
  private readonly latest = new Map<string, TestClient>();

  constructor(private readonly port: () => number) {}

  async as(name: string): Promise<TestClient> {
    const earlier = this.latest.get(name);
    const client = earlier ? await TestClient.back(this.port(), earlier) : await TestClient.as(this.port(), name);
    this.latest.set(name, client);
    this.open.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    for (const client of this.open.splice(0)) await client.close();
  }
}
