/**
 * The idle workload holds 10,000 sockets in this one process. If the soft open-file limit is lower
 * than that needs and the hard limit allows more, the bench re-runs itself under
 * `bash -c 'ulimit -n <hard>; exec node ...'` (once; the environment marks the second run).
 */
import { spawn } from 'node:child_process';
import { openFileLimits } from './proc.js';

const MARK = 'CLASSCHAT_BENCH_FD_RAISED';
/** Raise the soft limit when it is below this (10,000 sockets plus headroom). */
export const WANTED_FDS = 25_000;

/**
 * Resolves with an exit code when the bench was re-run with a higher limit (the caller should exit
 * with it), or null to carry on in this process.
 */
export function reexecWithMoreFds(): Promise<number> | null {
  const limits = openFileLimits();
  if (!limits || limits.soft >= WANTED_FDS || limits.hard <= limits.soft || process.env[MARK]) return null;
  const script = 'ulimit -n "$(ulimit -Hn)" && exec "$@"';
  const child = spawn('bash', ['-c', script, 'bash', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [MARK]: '1' },
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

/** The soft limit now, for the report and the idle workload's check. */
export function softFdLimit(): number {
  return openFileLimits()?.soft ?? Infinity;
}
