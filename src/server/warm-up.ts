/**
 * Warming the message path before the first client (issue #16). V8 runs a function in its interpreter
 * until the function has been called often enough to be worth compiling. So a fresh server sends its
 * first few hundred messages several times slower than later ones, and those messages are the tail of
 * a class's first minutes (the peer bench's window-1 probes count them; they exclude no warm-up).
 *
 * Before the server listens (once its port, data directory and store are checked and opened), a
 * throwaway server in the same process runs the paths a class uses: an in-memory store, two clients on
 * real loopback sockets, private and room messages one at a time, each in its own tick as at low load.
 * Every module-level function and class method is shared with the real server, and so is what V8
 * learned and compiled for it. The throwaway server is then shut down, and one memory-reducing
 * collection gives back what it and start-up left. It touches nothing of the real server: no data
 * directory, no port a client knows, no users. `--warm-up 0` turns it off.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import pino, { type Logger } from 'pino';
import type { ServerConfig } from './config.js';
import { memoryReducingGc } from './idle-collection.js';

/** What warm-up needs of a server: ClassChatServer.start, passed in so that this file does not import it. */
export type StartServer = (config: ServerConfig, log: Logger) => Promise<WarmServer>;

interface WarmServer {
  readonly port: number;
  shutdown(): Promise<void>;
}

/** Each wait for an answer; a warm-up that stalls is abandoned, never the server's start. */
const STEP_TIMEOUT_MS = 5000;
/** The throwaway server's shutdown, at most (a local process holding a connection to it must not hold the start). */
const SHUTDOWN_TIMEOUT_MS = 1000;

/**
 * Runs `messages` messages through a throwaway server, stops it, and gives back the memory it used;
 * logs how long each took, or why it stopped early.
 */
export async function warmUp(config: ServerConfig, messages: number, log: Logger, start: StartServer): Promise<void> {
  const started = performance.now();
  let server: WarmServer | null = null;
  const clients: WarmClient[] = [];
  let warmedMs: number | null = null;
  try {
    server = await start(throwawayConfig(config), pino({ level: 'silent' }));
    // Names no one could have guessed: another local process registering one first would stop it early.
    const tag = Math.floor(Math.random() * 1e9).toString(36);
    const ada = await WarmClient.register(server.port, `WarmAda${tag}`);
    clients.push(ada);
    const bo = await WarmClient.register(server.port, `WarmBo${tag}`);
    clients.push(bo);
    await ada.request(
      `"status":"create","receiver":"WarmRoom${tag}","members":["WarmBo${tag}"]`,
      bo,
      '"event":"created"',
    );
    for (let i = 0; i < messages; i++) {
      const text = `warm-up ${i}`;
      const mark = `"text":"${text}"`;
      if (i % 3 === 2) await ada.request(`"status":"group","receiver":"WarmRoom${tag}",${mark}`, bo, mark);
      else if (i % 3 === 1) await bo.request(`"status":"private","receiver":"WarmAda${tag}",${mark}`, ada, mark);
      else await ada.request(`"status":"private","receiver":"WarmBo${tag}",${mark}`, bo, mark);
    }
    warmedMs = Math.round(performance.now() - started);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'warm-up stopped early; the server starts all the same');
  } finally {
    for (const client of clients) client.close();
    if (server) await shutDown(server, log);
  }
  // What start-up and the throwaway server left (module loading, the warm-up's garbage, a grown young
  // generation) is given back before the first client: 77 MB resident at start instead of 101, measured.
  const collecting = performance.now();
  await new Promise<void>((resolve) => memoryReducingGc(() => resolve()));
  const collectMs = Math.round(performance.now() - collecting);
  if (warmedMs !== null) log.info({ messages, ms: warmedMs, collectMs }, 'warmed up the message path');
}

/** Stops the throwaway server, waiting at most SHUTDOWN_TIMEOUT_MS; a failure is logged, never thrown. */
async function shutDown(server: WarmServer, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_TIMEOUT_MS).unref()));
  try {
    await Promise.race([server.shutdown(), late]);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'the warm-up server did not stop cleanly');
  } finally {
    clearTimeout(timer);
  }
}

/** The real server's limits, without the ones two clients sending as fast as they can would hit. */
function throwawayConfig(config: ServerConfig): ServerConfig {
  return {
    ...config,
    host: '127.0.0.1',
    port: 0,
    dataDir: ':memory:',
    store: undefined,
    bus: undefined,
    tls: undefined,
    auth: 'open',
    signup: 'open',
    proxyFrom: [],
    warmUp: 0,
    limits: {
      ...config.limits,
      floodBurst: 1e9,
      floodRate: 1e9,
      storedBytesPerHour: 1e15,
      storedBytesPerHourPerAddress: 1e15,
    },
  };
}

/**
 * A client that sends one request at a time and waits for its reply (found by its id) and, when the
 * request reaches another client, for that client's copy (found by its text).
 */
class WarmClient {
  private buffered = '';
  private nextId = 1;
  /** What this client waits to see in a line it receives, and whom to tell. */
  private waiting: { mark: string; done: () => void } | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => {});
  }

  static async register(port: number, name: string): Promise<WarmClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.setNoDelay(true);
    const client = new WarmClient(socket);
    await client.request(`"status":"register","sender":"${name}"`);
    return client;
  }

  /**
   * Sends the request whose fields are `fields` (JSON text without braces); resolves once this client
   * has its reply and `other`, if given, a line with `seen` in it.
   */
  async request(fields: string, other?: WarmClient, seen = ''): Promise<void> {
    const id = this.nextId++;
    const answered = Promise.all([this.see(`"ref":${id},`), other?.see(seen)]);
    this.socket.write(`{${fields},"id":${id}}\n`);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to {${fields.slice(0, 60)}}`)), STEP_TIMEOUT_MS);
    });
    try {
      await Promise.race([answered, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private see(mark: string): Promise<void> {
    return new Promise((done) => (this.waiting = { mark, done }));
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let newline: number;
    while ((newline = this.buffered.indexOf('\n')) !== -1) {
      const line = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      const waiting = this.waiting;
      if (waiting !== null && line.includes(waiting.mark)) {
        this.waiting = null;
        waiting.done();
      }
    }
  }
}
