// /help (issue #12.7): every command is listed with its syntax, and every line fits an 80-column
// terminal, also when commands with a long syntax or help are added.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { helpText, HELP_WIDTH } from '../../src/client/help.js';
import { SLASH_COMMANDS } from '../../src/client/parse.js';

function assertFits(text: string): void {
  for (const line of text.split('\n'))
    assert.ok(line.length <= HELP_WIDTH, `${line.length} columns: ${JSON.stringify(line)}`);
}

test('#12.7 /help fits 80 columns and lists every command with its syntax and aliases', () => {
  const text = helpText();
  assert.equal(HELP_WIDTH, 80);
  assertFits(text);
  for (const c of SLASH_COMMANDS) {
    assert.ok(text.includes(c.syntax), c.syntax);
    for (const alias of c.aliases) assert.ok(text.includes(`/${alias}`), alias);
  }
  // A syntax that fits keeps its help on the same line.
  assert.match(text, /^ {2}\/files \[room\|user\] +files sent to you/m);
});

test('#12.7 /help stays within 80 columns when a command with a long syntax and a long help is added', () => {
  const added = [
    ...SLASH_COMMANDS,
    {
      name: 'kick',
      aliases: ['boot'],
      syntax: '/kick <user> [room] [reason, which may be long]',
      help: 'remove a user from a room (its owner or an admin), or from the server (an admin), saying why',
    },
    { name: 'x', aliases: [], syntax: '/x', help: 'a'.repeat(120) },
  ];
  const text = helpText(added);
  assertFits(text);
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l === '  /kick <user> [room] [reason, which may be long]');
  assert.ok(at > 0, 'a syntax too long for the column has a line of its own');
  assert.match(lines[at + 1]!, /^ +remove a user from a room/);
  assert.ok(
    text.replace(/\s+/g, ' ').includes('or from the server (an admin), saying why (also /boot)'),
    'the help wraps onto the next lines, nothing is cut',
  );
});
