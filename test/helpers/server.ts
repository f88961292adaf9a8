/**
 * Real servers for tests: in-process on a free loopback port (fast), or as a child process running the
 * built CLI (for restart and signal tests). Each gets a fresh data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import type { Clock } from '../../src/server/chat/chat.js';
import { DEFAULT_LIMITS, type ServerConfig } from '../../src/server/config.js';
import type { IdleCollectionSettings } from '../../src/server/idle-collection.js';
import { ClassChatServer } from '../../src/server/server.js';
import { parseStoreUrl } from '../../src/server/store/open-store.js';
import { deferredStore } from './deferred-store.js';

export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli.js');

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-test-'));
}

export interface TestServer {
  port: number;
  dataDir: string;
  server: ClassChatServer;
  stop(): Promise<void>;
}

/** A port nothing listens on right now (for a server that must come back on the same port). */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface StartOptions {
  dataDir?: string;
  limits?: Partial<ServerConfig['limits']>;
  /** Serve TLS with these PEM files instead of plain TCP. */
  tls?: ServerConfig['tls'];
  /** Where the server logs; by default nowhere (TEST_LOG_LEVEL=debug shows it). */
  log?: Logger;
  auth?: ServerConfig['auth'];
  signup?: ServerConfig['signup'];
  exempt?: string[];
  /** --proxy-from (#15): load balancers whose connections start with a PROXY protocol header. */
  proxyFrom?: string[];
  /** log2 of scrypt's N; TEST_SCRYPT_COST by default. */
  scryptCost?: number;
  /** The chat domain's clock (ms since the epoch), to move time on without waiting; Date.now by default. */
  clock?: Clock;
  /** The web app's files (issue #14); dist/web by default. */
  webDir?: string;
  /** --web-origins, normalized. */
  webOrigins?: string[];
  /** --store: a postgres:// URL (e.g. from freshPostgresSchema()); SQLite in dataDir by default. */
  store?: string;
  /** --bus: a redis:// URL joining this server to the others on the same `store` (#15). */
  bus?: string;
  /** Put before the bus's channels and the registry's keys (uniqueName() per test). */
  busPrefix?: string;
  /**
   * A store with PostgreSQL's timing on SQLite (#15, test/helpers/deferred-store.ts): message ids and
   * new conversations' ids are told only after their commit. CLASSCHAT_TEST_DEFERRED_STORE=1 makes it
   * the default, to run any test on the domain's asynchronous path.
   */
  deferredStore?: boolean;
  /** The idle collection's timing (issue #16, src/server/idle-collection.ts), shorter for a test. */
  idleCollection?: Partial<IdleCollectionSettings>;
}

/**
 * Tests of other things send faster than a person types; the flood limit is tested on its own
 * (test/server/guards/flood.test.ts) with the default values, the stored-bytes budgets in
 * test/server/guards/stored-bytes.test.ts (issue #11.12).
 */
const UNTHROTTLED: Partial<ServerConfig['limits']> = {
  floodBurst: 1_000_000,
  floodRate: 1_000_000,
  storedBytesPerHour: 1e15,
  storedBytesPerHourPerAddress: 1e15,
};

/** Password hashing cost for tests: the real scrypt, cheap enough to run hundreds of times. */
export const TEST_SCRYPT_COST = 10;

/** Starts a server in this process on 127.0.0.1 and a free port. */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDataDir();
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    store: parseStoreUrl(options.store),
    ...(options.bus !== undefined && { bus: options.bus }),
    ...(options.busPrefix !== undefined && { busPrefix: options.busPrefix }),
    logLevel: 'silent',
    logFormat: 'json',
    sync: 'normal',
    // The product default (issue #11.1); a test about something else that needs the seeds' "anyone may
    // be anyone" asks for auth: 'open' explicitly.
    auth: options.auth ?? 'claim',
    signup: options.signup ?? 'open',
    scryptCost: options.scryptCost ?? TEST_SCRYPT_COST,
    exempt: options.exempt ?? [],
    proxyFrom: options.proxyFrom ?? [],
    tls: options.tls,
    webDir: options.webDir,
    webOrigins: options.webOrigins,
    limits: { ...DEFAULT_LIMITS, ...UNTHROTTLED, ...options.limits },
  };
  const server = await ClassChatServer.start(
    config,
    options.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    undefined,
    options.clock,
    {
      ...((options.deferredStore ?? process.env.CLASSCHAT_TEST_DEFERRED_STORE === '1') && { wrapStore: deferredStore }),
      ...(options.idleCollection && { idleCollection: options.idleCollection }),
    },
  );
  const stop = async () => {
    await server.shutdown();
    // A directory the caller passed in may be reused (restart tests); only our own is removed.
    if (options.dataDir === undefined) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { port: server.port, dataDir, server, stop };
}

export interface ChildServer {
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** Everything the server printed (JSON log lines). */
  output(): string;
  /** What the server wrote to stderr alone (an uncaught error's stack would be here). */
  stderr(): string;
  /** Resolves with the exit code once the server exits by itself or is stopped. */
  exited: Promise<number | null>;
  /** Sends SIGTERM (or `signal`) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `classchat serve` as a child process and resolves once it listens. */
export function spawnServer(
  dataDir: string,
  extraArgs: string[] = [],
  timeoutMs = 10_000,
  env: NodeJS.ProcessEnv = {},
): Promise<ChildServer> {
  return spawnCli(
    ['serve', '--port', '0', '--data', dataDir, '--log-format', 'json', ...extraArgs],
    dataDir,
    timeoutMs,
    { ...process.env, ...env },
  );
}

/**
 * Runs the built CLI with exactly `args` and `env` (a server whose settings come from the environment, as
 * a systemd unit gives them) and resolves once it logs `listening` in JSON.
 */
export function spawnCli(
  args: string[],
  dataDir: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv,
): Promise<ChildServer> {
  // Without the start's warm-up (issue #16) unless asked for: it adds 0.6 s to every server.
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { CLASSCHAT_WARM_UP: '0', ...env },
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"msg":"listening"/.test(out) ? /"port":(\d+)[^\n]*"msg":"listening"/.exec(out) : null;
      if (match) {
        clearTimeout(timer);
        resolve({
          port: Number(match[1]),
          dataDir,
          child,
          output: () => out,
          stderr: () => err,
          exited,
          stop: (signal = 'SIGTERM') => {
            child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      err += chunk.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
}

/** Runs `classchat admin` on a data directory; `stdin` is the password line for --password-stdin. */
export function runAdmin(
  dataDir: string,
  args: string[],
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [CLI, 'admin', ...args, '--data', dataDir, '--scrypt-cost', String(TEST_SCRYPT_COST), '--password-stdin'],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
