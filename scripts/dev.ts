/**
 * `npm run dev`: work on the server with it running. tsc rebuilds on every change to src/ (watch mode), and
 * node restarts the server whenever a compiled file it loaded changes (`node --watch`). Arguments after `--`
 * go to `classchat serve` (default data directory: .dev-data, so a dev server never opens a real class's data).
 */
import { spawn, type ChildProcess } from 'node:child_process';

const serveArgs = process.argv.slice(2);
if (!serveArgs.includes('--data')) serveArgs.push('--data', '.dev-data');

const children: ChildProcess[] = [];
let server: ChildProcess | undefined;

const tsc = spawn(
  process.execPath,
  ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--watch', '--preserveWatchOutput'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
children.push(tsc);

// Start the server after tsc's first clean build, so it never runs half-written output; later builds are
// picked up by node --watch on its own.
tsc.stdout.setEncoding('utf8');
tsc.stdout.on('data', (chunk: string) => {
  process.stdout.write(chunk);
  if (!server && /Found 0 errors/.test(chunk)) {
    server = spawn(process.execPath, ['--watch', 'dist/src/cli.js', 'serve', ...serveArgs], { stdio: 'inherit' });
    children.push(server);
    server.on('exit', (code) => stop(code ?? 0));
  }
});
tsc.on('exit', (code) => stop(code ?? 1));

function stop(code: number): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  process.exitCode = code;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(0));
