/**
 * Runs the built server (dist/src/cli.js) as a child process on 127.0.0.1, a free port and a fresh
 * temporary data directory (persistence on), with its open-file limit raised to the hard limit.
 * Ready once the port is listening (read from /proc/net/tcp, so no probe connection is made).
 * Stopped with SIGTERM (SIGKILL after a grace period); the data directory is removed afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The server built from this checkout: dist/src/cli.js beside dist/bench/. */
export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli.js');
const START_TIMEOUT_MS = 10_000;
/**
 * Accounts and every limit stay on (issue #4: figures with them on), with the limits set above what
 * the load generator does on purpose: it sends faster than any person, all from one address, with
 * more connections than the default cap. The checks still run on every message.
 *
 * Every client signs up with a password, at a token scrypt cost: logins are not measured, and at
 * cost 10 (1 MiB a hash) glibc keeps the freed hash buffers in its per-thread arenas, which showed
 * up as +0.35 KiB "per idle connection" (3.89 against 3.54 at cost 4). At the real cost (2^17, 128 MiB)
 * each buffer is above glibc's mmap threshold and goes back to the system when freed.
 */
export const BENCH_SERVER_ARGS = [
  '--auth',
  'accounts',
  '--scrypt-cost',
  '4',
  '--max-concurrent-hashes',
  '4',
  '--flood-burst',
  '1000000000',
  '--flood-rate',
  '1000000000',
  '--stored-bytes-per-hour',
  '1000000000000',
  '--exempt',
  '127.0.0.1,::1',
  '--max-connections',
  '1000000',
];

/** The server waits up to 5 s for clients after SIGTERM; give it a little more. */
const STOP_TIMEOUT_MS = 10_000;
const OUTPUT_KEEP = 4000;

export interface ServerOptions {
  /** Write a V8 CPU profile of the server into this directory (node --cpu-prof). */
  profileDir?: string | undefined;
  /** Appended to the serve arguments (a later flag wins over the bench's own). */
  extraArgs?: string[];
  /** Replaces BENCH_SERVER_ARGS (the soak test runs default limits, bench/soak). */
  baseArgs?: string[];
  /** A data directory prepared beforehand (seeded); removed at stop like the bench's own. */
  dataDir?: string;
  /** The cli.js to run: this checkout's (CLI) by default, another commit's build for --compare. */
  cli?: string;
}

export interface Stopped {
  /** "exit 0", "exit 1", "signal SIGKILL", ... */
  exit: string;
  stopMs: number;
}

export class ServerProcess {
  private output = '';
  private exited: Promise<Stopped>;
  private exitedAt = 0;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly dataDir: string,
  ) {
    const keep = (chunk: Buffer) => {
      this.output += chunk.toString();
      if (this.output.length > OUTPUT_KEEP * 2) this.output = this.output.slice(-OUTPUT_KEEP);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.exitedAt = Date.now();
        resolve({ exit: signal ? `signal ${signal}` : `exit ${code}`, stopMs: 0 });
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** What the server printed (at --log-level warn: warnings and errors only), last few KB. */
  get log(): string {
    return this.output.length > OUTPUT_KEEP ? '...' + this.output.slice(-OUTPUT_KEEP) : this.output;
  }

  static async start(options: ServerOptions = {}): Promise<ServerProcess> {
    const port = await freePort();
    const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-bench-'));
    const nodeArgs = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [];
    const args = [
      ...nodeArgs,
      options.cli ?? CLI,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--data',
      dataDir,
      '--log-level',
      'warn',
      ...(options.baseArgs ?? BENCH_SERVER_ARGS),
      ...(options.extraArgs ?? []),
    ];
    // bash raises the soft fd limit and then becomes node (exec), so the child's pid is the server's.
    const child = spawn(
      'bash',
      ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'bash', process.execPath, ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const server = new ServerProcess(child, port, dataDir);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!isListening(port)) {
      if (server.exitedAt) throw new Error(`the server exited during start-up:\n${server.log}`);
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(
          `the server did not listen on 127.0.0.1:${port} within ${START_TIMEOUT_MS / 1000} s:\n${server.log}`,
        );
      }
      await sleep(50);
    }
    return server;
  }

  /** SIGTERM, then SIGKILL if it has not exited in time; removes the data directory. */
  async stop(): Promise<Stopped> {
    const t = Date.now();
    if (!this.exitedAt) this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        if (!this.exitedAt) this.child.kill('SIGKILL');
        resolve();
      }, STOP_TIMEOUT_MS);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    const result = await this.exited;
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    return { exit: result.exit, stopMs: this.exitedAt - t };
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** True when a socket listens on 127.0.0.1:port (state 0A in /proc/net/tcp). */
function isListening(port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  try {
    for (const line of fs.readFileSync('/proc/net/tcp', 'latin1').split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f[1] === local && f[3] === '0A') return true;
    }
    return false;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
