// The start-up every command shares (src/cli-args.ts, issue #13): the same refusal of a bad flag and
// the same --help, checked on every command that uses it by running the built command.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseCommandLine, UsageError } from '../src/cli-args.js';
import { CLI } from './helpers/server.js';

/** dist/bench/, beside dist/src/ (CLI is dist/src/cli.js). */
const BENCH = path.resolve(path.dirname(CLI), '../bench');

interface Command {
  /** How the command names itself in its messages. */
  name: string;
  /** The script and the arguments before the flags. */
  argv: string[];
  /** The first line of its usage. */
  usage: string;
}

const COMMANDS: Command[] = [
  { name: 'classchat serve', argv: [CLI, 'serve'], usage: 'usage: classchat serve [options]' },
  { name: 'classchat chat', argv: [CLI, 'chat'], usage: 'usage: classchat chat [options]' },
  { name: 'classchat admin', argv: [CLI, 'admin'], usage: 'usage: classchat admin <command> [options] [NAME]' },
  { name: 'classchat cert', argv: [CLI, 'cert'], usage: 'usage: classchat cert [options]' },
  { name: 'bench', argv: [path.join(BENCH, 'run.js')], usage: 'usage: npm run bench -- [options]' },
  {
    name: 'cpuprofile',
    argv: [path.join(BENCH, 'cpuprofile.js')],
    usage: 'usage: node dist/bench/cpuprofile.js FILE.cpuprofile [--top 25]',
  },
];

function run(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, argv, { timeout: 10_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr });
    });
  });
}

for (const command of COMMANDS) {
  test(`#13. ${command.name}: an unknown flag gets one line naming it, then the usage, and exit code 2`, async () => {
    const result = await run([...command.argv, '--nope']);
    assert.equal(result.code, 2, result.stderr);
    const [first, ...rest] = result.stderr.trimEnd().split('\n');
    assert.match(first!, new RegExp(`^${command.name}: Unknown option '--nope'`));
    assert.equal(rest[0], command.usage, 'the usage follows the reason');
    assert.equal(result.stdout, '');
  });

  test(`#13. ${command.name}: --help and -h print the usage to stdout and exit 0`, async () => {
    for (const flag of ['--help', '-h']) {
      const result = await run([...command.argv, flag]);
      assert.equal(result.code, 0, `${flag}: ${result.stderr}`);
      assert.equal(result.stdout.split('\n')[0], command.usage, flag);
      assert.equal(result.stderr, '', flag);
    }
  });
}

test('#13. parseCommandLine refuses a flag without its value and an argument the command does not take', () => {
  const options = { port: { type: 'string' }, json: { type: 'boolean' } } as const;
  assert.throws(() => parseCommandLine(['--port'], options), UsageError);
  assert.throws(() => parseCommandLine(['--json=yes'], options), UsageError);
  assert.throws(() => parseCommandLine(['extra'], options), /Unexpected argument 'extra'/);
  const parsed = parseCommandLine(['--port', '7', 'extra'], options, true);
  assert.deepEqual(
    { port: parsed.values.port, json: parsed.values.json, positionals: parsed.positionals, help: parsed.help },
    { port: '7', json: undefined, positionals: ['extra'], help: false },
  );
  assert.equal(parseCommandLine(['-h'], options).help, true);
});

test('#13. the shared start-up imports only node built-ins, so neither side pulls in the other', () => {
  const source = fs.readFileSync(path.resolve(path.dirname(CLI), '../../src/cli-args.ts'), 'utf8');
  const imports = [...source.matchAll(/^import\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  assert.deepEqual(imports, ['node:util']);
});
