/**
 * `npm run dev`: work on the server with it running. tsc rebuilds on every change to src/ (watch mode), and
 * node restarts the server whenever a compiled file it loaded changes (`node --watch`). Arguments after `--`
 * go to `classchat serve` (default data directory: .dev-data, so a dev server never opens a real class's data).
 */
import { spawn, type ChildProcess } from 'node:child_process';

const serveArgs = process.argv.slice(2);
const dataGiven =
  serveArgs.some((arg) => arg === '--data' || arg.startsWith('--data=')) || !!process.env.CLASSCHAT_DATA;
if (!dataGiven) serveArgs.push('--data', '.dev-data');

// Each child runs in its own process group (detached), so Ctrl-C reaches this process alone and each child
// is told once: a server that got the terminal's SIGINT and then ours would take the second as "exit now"
// and cut its graceful shutdown short.
const children: ChildProcess[] = [];
let server: ChildProcess | undefined;
let stopping = false;

const tsc = spawn(
  process.execPath,
  ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--watch', '--preserveWatchOutput'],
  { stdio: ['ignore', 'pipe', 'inherit'], detached: true },
);
children.push(tsc);

// Start the server after tsc's first clean build, so it never runs half-written output; later builds are
// picked up by node --watch on its own.
tsc.stdout.setEncoding('utf8');
tsc.stdout.on('data', (chunk: string) => {
  process.stdout.write(chunk);
  if (!server && !stopping && /Found 0 errors/.test(chunk)) {
    server = spawn(process.execPath, ['--watch', 'dist/src/cli.js', 'serve', ...serveArgs], {
      stdio: 'inherit',
      detached: true,
    });
    children.push(server);
    server.on('exit', (code) => stop(code ?? 1));
  }
});
tsc.on('exit', (code) => stop(code ?? 1));

/** Stops both children once; the exit code is the first reason to stop (0 for Ctrl-C), not the children's. */
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(0));
