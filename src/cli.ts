#!/usr/bin/env node
/** The `classchat` command. Each subcommand lives with the part of the system it runs. */
import { chat } from './client/main.js';
import { admin } from './server/admin/main.js';
import { cert } from './server/cert.js';
import { serve } from './server/main.js';

const USAGE = `usage: classchat <command> [options]

commands:
  serve     run a ClassChat server (classchat serve --help for its options)
  chat      connect to a server and chat (classchat chat --help)
  admin     manage accounts on the server machine (classchat admin --help)
  cert      make a self-signed TLS certificate for a server (classchat cert --help)

Start a server with "classchat serve", then "classchat chat --user Alice", or use any
line-based TCP tool: nc 127.0.0.1 5555, then {"status":"register","sender":"Alice"}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'chat':
      return chat(rest);
    case 'admin':
      return admin(rest);
    case 'cert':
      return cert(rest);
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`classchat: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
