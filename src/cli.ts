#!/usr/bin/env node
/**
 * The `classchat` command. Each subcommand lives with the part of the system it runs, and is imported
 * only when it runs: `serve` and `admin` pull in the SQLite driver, an optional dependency that a
 * client-only install lacks (issue #13), so `chat` must never import their modules.
 */
import { sqliteDriverProblem } from './server/store/sqlite-driver.js';

const USAGE = `usage: classchat <command> [options]

commands:
  serve     run a ClassChat server (classchat serve --help for its options)
  chat      connect to a server and chat (classchat chat --help)
  admin     manage accounts on the server machine (classchat admin --help)
  cert      make a self-signed TLS certificate for a server (classchat cert --help)
  migrate   apply the database schema and exit, e.g. before several servers share PostgreSQL
            (classchat migrate --help)

Start a server with "classchat serve", then "classchat chat --user Alice", or use any
line-based TCP tool: nc 127.0.0.1 5555, then {"status":"register","sender":"Alice"}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      if (!(await driverLoads(command))) return 1;
      return (await import('./server/main.js')).serve(rest);
    case 'chat':
      return (await import('./client/main.js')).chat(rest);
    case 'admin':
      if (!(await driverLoads(command))) return 1;
      return (await import('./server/admin/main.js')).admin(rest);
    case 'cert':
      return (await import('./server/cert.js')).cert(rest);
    case 'migrate':
      // No SQLite check: migrating a PostgreSQL database needs only pg (a SQLite one reports its own error).
      return (await import('./server/migrate.js')).migrate(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`classchat: unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}

/** True when the SQLite driver loads; otherwise false, after one line on stderr saying what to install. */
async function driverLoads(command: string): Promise<boolean> {
  const problem = await sqliteDriverProblem();
  if (problem !== undefined) process.stderr.write(`classchat ${command}: ${problem}\n`);
  return problem === undefined;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`classchat: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
