/**
 * A TCP proxy on loopback that a test can cut and restore (#15): between one server and PostgreSQL,
 * so that the database becomes unreachable for that server alone. Cut, it resets every connection
 * through it and resets new ones at once (as a database host that went away); restored, it forwards again.
 * It can also lose one commit's answer: the COMMIT reaches PostgreSQL, which commits, and the connection is
 * reset before its answer comes back (the case where a client cannot know whether it was stored).
 */
import net from 'node:net';
import { RUN_STATEMENT } from '../../src/server/store/drivers/postgres-message-run.js';

/** A simple-protocol COMMIT as the pg client sends it: the query text, NUL-terminated. */
const COMMIT_QUERY = Buffer.from('COMMIT\0');
const ROLLBACK_QUERY = Buffer.from('ROLLBACK\0');
/** What opens a transaction of several statements (the driver's BEGIN, alone or before its lock). */
const BEGIN_QUERY = /^BEGIN[;\0]/;
/**
 * The message run's prepared statement, named in its Parse and in every Bind: sent outside a
 * transaction it is a commit of its own (a tick of messages only, postgres-driver.ts).
 */
const RUN_STATEMENT_NAME = Buffer.from(`${RUN_STATEMENT}\0`);

export class CutProxy {
  private cutOff = false;
  /** Connections reset at once because the proxy was cut: how often the server tried to reach the database. */
  refused = 0;
  private readonly sockets = new Set<net.Socket>();
  private loseCommitAnswer = false;
  /** Commits that reached PostgreSQL and whose answer the proxy dropped, resetting the connection. */
  lostAnswers = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  /** Listens on 127.0.0.1 and a free port, forwarding to 127.0.0.1:`targetPort`. */
  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<CutProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const proxy = new CutProxy(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (client) => proxy.forward(client, targetPort, targetHost));
    return proxy;
  }

  get isCut(): boolean {
    return this.cutOff;
  }

  /** Resets every connection through the proxy, and every new one until restore(). */
  cut(): void {
    this.cutOff = true;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  /**
   * The next commit through the proxy (a COMMIT, or a message run sent as its own transaction) is
   * committed, and its connection reset instead of answered.
   */
  loseNextCommitAnswer(): void {
    this.loseCommitAnswer = true;
  }

  restore(): void {
    this.cutOff = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(client: net.Socket, port: number, host: string): void {
    client.on('error', () => {});
    if (this.cutOff) {
      this.refused++;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect({ port, host });
    upstream.on('error', () => {});
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.once('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    let swallowing = false;
    let inTransaction = false;
    client.on('data', (chunk: Buffer) => {
      const commits = chunk.includes(COMMIT_QUERY) || (!inTransaction && chunk.includes(RUN_STATEMENT_NAME));
      if (this.loseCommitAnswer && commits) {
        this.loseCommitAnswer = false;
        swallowing = true;
      }
      // A simple query ('Q', length, text): BEGIN opens a transaction, COMMIT ends it.
      if (chunk[0] === 0x51 && BEGIN_QUERY.test(chunk.subarray(5, 12).toString('latin1'))) inTransaction = true;
      if (chunk.includes(COMMIT_QUERY) || chunk.includes(ROLLBACK_QUERY)) inTransaction = false;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!swallowing) {
        client.write(chunk);
        return;
      }
      // PostgreSQL answered the COMMIT, so it is done: the client never hears of it.
      this.lostAnswers++;
      client.resetAndDestroy();
      upstream.destroy();
    });
  }
}
