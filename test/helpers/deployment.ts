/**
 * The three-node deployment's files (deploy/three-node, docs/operations.md) run as written (#15): the
 * systemd unit's ExecStart and environment, and HAProxy with its config. A test replaces only what
 * names this machine (addresses, ports, the data directory), and only keys the files already set.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withTimeout } from './expect.js';
import { spawnCli, type ChildServer } from './server.js';

/** The repository's deploy/three-node, from dist/test/helpers. */
export const DEPLOY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy/three-node');

const REQUIRED = process.env.CLASSCHAT_TEST_REQUIRE_SERVICES === '1';
const HAPROXY = process.env.CLASSCHAT_TEST_HAPROXY ?? 'haproxy';
const haproxyInstalled = spawnSync(HAPROXY, ['-v']).error === undefined;
if (!haproxyInstalled && REQUIRED) throw new Error('CLASSCHAT_TEST_REQUIRE_SERVICES=1 but haproxy is not installed');

/** The `skip` of a test that runs HAProxy: false when it is installed, else why not. */
export const HAPROXY_SKIP = haproxyInstalled ? false : 'haproxy is not installed (Debian: apt-get install haproxy)';

/** KEY=VALUE lines, as systemd's EnvironmentFile and Debian's /etc/default files hold them. */
export function readEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) throw new Error(`${file}: not KEY=VALUE: ${line}`);
    env[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return env;
}

/** `base` with `overrides`, each of which `base` must already set (so the file is what is tested). */
export function replaceKeys(
  base: Record<string, string>,
  overrides: Record<string, string>,
  file: string,
): Record<string, string> {
  for (const key of Object.keys(overrides))
    if (!(key in base)) throw new Error(`${file} does not set ${key}, which this test replaces`);
  return { ...base, ...overrides };
}

/** The [Service] settings of a systemd unit this test needs, with `%i` replaced by `instance`. */
export interface UnitService {
  /** ExecStart split on spaces (the unit uses no quoting). */
  execStart: string[];
  /** Environment= settings. */
  environment: Record<string, string>;
  /** EnvironmentFile= paths (on the target machine). */
  environmentFiles: string[];
  /** Every setting, for checks of the rest (Restart=always…). */
  settings: [string, string][];
}

export function readUnit(file: string, instance: string): UnitService {
  const service: UnitService = { execStart: [], environment: {}, environmentFiles: [], settings: [] };
  let section = '';
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim().replaceAll('%i', instance);
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    if (section !== 'Service') continue;
    const eq = line.indexOf('=');
    const [key, value] = [line.slice(0, eq), line.slice(eq + 1)];
    service.settings.push([key, value]);
    if (key === 'ExecStart') service.execStart = value.split(/\s+/);
    if (key === 'EnvironmentFile') service.environmentFiles.push(value.replace(/^-/, ''));
    if (key === 'Environment') {
      const inner = value.indexOf('=');
      service.environment[value.slice(0, inner)] = value.slice(inner + 1);
    }
  }
  return service;
}

/**
 * Runs a node as the unit would: ExecStart's arguments (its executable is the installed `classchat`,
 * here the built CLI), with Environment= overridden by the EnvironmentFile= contents (systemd's order),
 * `files` standing in for those paths, then `overrides`.
 */
export function startUnitNode(
  unit: UnitService,
  files: Record<string, Record<string, string>>,
  overrides: Record<string, string>,
  dataDir: string,
): Promise<ChildServer> {
  const [executable, ...args] = unit.execStart;
  if (path.basename(executable ?? '') !== 'classchat') throw new Error(`ExecStart runs ${executable}, not classchat`);
  let env: Record<string, string> = { ...unit.environment };
  for (const file of unit.environmentFiles) {
    const contents = files[file];
    if (contents === undefined) throw new Error(`the unit reads ${file}, which the test was not given`);
    env = { ...env, ...contents };
  }
  env = replaceKeys(env, overrides, 'the unit and its environment files');
  // Nothing of the test's own CLASSCHAT_* settings leaks in: the node sees what systemd would give it.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CLASSCHAT_')));
  return spawnCli(args, dataDir, 15_000, { ...inherited, ...env });
}

export interface Haproxy {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Runs haproxy in the foreground on `config` with `env`; resolves once `port` answers a chat ping. */
export async function startHaproxy(config: string, env: Record<string, string>, port: number): Promise<Haproxy> {
  const child = spawn(HAPROXY, ['-db', '-f', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const haproxy: Haproxy = {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  try {
    await withTimeout(
      (async () => {
        for (;;) {
          if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}:\n${out}`);
          if (await answersPing(port)) return;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })(),
      10_000,
      `haproxy on port ${port} to reach a node`,
    );
  } catch (err) {
    await haproxy.stop();
    throw err;
  }
  return haproxy;
}

/** True when a chat ping on `port` is answered pong (false on a refused or closed connection). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let got = '';
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
    socket.on('connect', () => socket.write('{"status":"ping"}\n'));
    socket.on('data', (chunk) => {
      got += chunk.toString();
      if (got.includes('pong')) done(true);
    });
  });
}
