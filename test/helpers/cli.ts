/** The built `classchat` command run to completion, for what exits on its own (cert, a refused serve). */
import { execFile } from 'node:child_process';
import { CLI } from './server.js';

export interface CliResult {
  /** The exit code; null if it had to be killed. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `classchat ...args` with `env` added to this process's environment; kills it after `timeoutMs`. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 10_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      // Without the start's warm-up (issue #16): 0.6 s a server; warm-up.test.ts turns it on.
      { env: { ...process.env, CLASSCHAT_WARM_UP: '0', ...env }, timeout: timeoutMs },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
