/**
 * A redis-server of a test's own (#15), on a free loopback port with nothing persisted, so that a test
 * may kill and restart it without disturbing the machine's Redis. Skipped with the reason when
 * redis-server is not installed, unless CLASSCHAT_TEST_REQUIRE_SERVICES=1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { withTimeout } from './expect.js';

const REQUIRED = process.env.CLASSCHAT_TEST_REQUIRE_SERVICES === '1';
const installed = spawnSync('redis-server', ['--version']).error === undefined;
if (!installed && REQUIRED) throw new Error('CLASSCHAT_TEST_REQUIRE_SERVICES=1 but redis-server is not installed');

/** The `skip` of a test that runs its own redis-server: false when it is installed, else why not. */
export const REDIS_SERVER_SKIP = installed
  ? false
  : 'redis-server is not installed (Debian: apt-get install redis-server)';

/** A redis-server on `port` with nothing persisted; resolves once it accepts connections. */
export async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready: ${output}`)));
  });
  try {
    await withTimeout(ready, 10_000, 'redis-server to start');
  } catch (err) {
    await killProcess(child);
    throw err;
  }
  return child;
}

/** SIGKILLs `child` (unless it already exited) and resolves once it has exited. */
export async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
