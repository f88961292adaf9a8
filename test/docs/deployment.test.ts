// Issue #15: docs/operations.md shows the three-node deployment's files (deploy/three-node/) in full, and
// test/server/cluster/three-nodes.test.ts runs those files: so the page must show them exactly. Each file
// is shown once, in the fenced block right after the line that names it, and the block equals the file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The repository's root: this file runs as dist/test/docs/deployment.test.js. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DIR = 'deploy/three-node';
const PAGE = fs.readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');

/** The fenced blocks of `markdown` that follow a line naming a file: `path`: → contents. */
function shownFiles(markdown: string): [string, string][] {
  const shown: [string, string][] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const label = /^`([^`]+)`:$/.exec(lines[i]!);
    if (!label || lines[i + 1] !== '' || !lines[i + 2]?.startsWith('```')) continue;
    const end = lines.indexOf('```', i + 3);
    assert.notEqual(end, -1, `the block after ${label[1]} is closed`);
    shown.push([label[1]!, lines.slice(i + 3, end).join('\n') + '\n']);
  }
  return shown;
}

test('#15 operations.md shows every file of deploy/three-node once, exactly as it is', () => {
  const files = fs.readdirSync(path.join(ROOT, DIR)).sort();
  const shown = shownFiles(PAGE);
  assert.deepEqual(
    shown.map(([name]) => name).sort(),
    files.map((f) => `${DIR}/${f}`),
    'each file is shown once, and nothing else is shown as a file',
  );
  for (const [name, block] of shown)
    assert.equal(block, fs.readFileSync(path.join(ROOT, name), 'utf8'), `${name} as shown in operations.md`);
});

test('#15 the three-node unit restarts a node whatever ended it, and takes its settings from the environment file', () => {
  const unit = fs.readFileSync(path.join(ROOT, DIR, 'classchat@.service'), 'utf8');
  for (const line of [
    'Restart=always',
    'EnvironmentFile=/etc/classchat/classchat.env',
    'Environment=CLASSCHAT_PORT=%i',
    'ExecStart=/usr/local/bin/classchat serve',
  ])
    assert.ok(unit.split('\n').includes(line), line);
  const env = fs.readFileSync(path.join(ROOT, DIR, 'classchat.env'), 'utf8');
  for (const key of ['CLASSCHAT_STORE=postgres://', 'CLASSCHAT_BUS=redis://'])
    assert.ok(
      env.split('\n').some((l) => l.startsWith(key)),
      key,
    );
});

const analyze = spawnSync('systemd-analyze', ['--version']).error === undefined;

test(
  '#15 systemd-analyze finds nothing wrong in the three-node unit',
  { skip: analyze ? false : 'systemd-analyze is not installed' },
  () => {
    const unit = path.join(ROOT, DIR, 'classchat@.service');
    // An instance of the template, as systemctl would load it; the binary and env file need not exist.
    const result = spawnSync('systemd-analyze', ['verify', `${unit}:classchat@5555.service`], { encoding: 'utf8' });
    const problems = result.stderr
      .split('\n')
      .filter((l) => l.includes('classchat@') && !/No such file|not executable|does not exist/.test(l));
    assert.deepEqual(problems, [], result.stderr);
  },
);
