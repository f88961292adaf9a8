// The terminal client signing up and logging in (issue #11.4), as a script (piped stdin): a returning
// user is asked the password once; a new one chooses it twice, again until both agree; an invite code
// comes from --invite, and a script without the code a server needs ends with the server's reason.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { ChatProcess } from '../helpers/chat-process.js';
import { testConfigDir } from '../helpers/config-dir.js';
import { CLI, runAdmin, startServer, type TestServer } from '../helpers/server.js';
import { TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';

let accounts: TestServer;
let invites: TestServer;
const running: ChatProcess[] = [];
before(async () => {
  accounts = await startServer({ auth: 'accounts' });
  invites = await startServer({ auth: 'claim', signup: 'invite' });
});
after(async () => {
  await accounts.stop();
  await invites.stop();
});
afterEach(() => {
  for (const p of running.splice(0)) p.kill();
});

function chat(port: number, args: string[]): ChatProcess {
  const p = ChatProcess.start(port, args);
  running.push(p);
  return p;
}

const count = (p: ChatProcess, pattern: RegExp) => p.lines.filter((l) => pattern.test(l)).length;

test('#11.4 the client asks a new user the password twice (again when they differ) and a returning one once', async () => {
  const signUp = chat(accounts.port, ['--user', 'Sid']);
  signUp.type('first password', 'not the same one', 'first password', 'first password', '/exit');
  await signUp.waitFor(/welcome, Sid/);
  assert.equal(await signUp.exit(), 0);
  assert.equal(count(signUp, /^choose a password for Sid/), 2, signUp.lines.join('\n'));
  assert.equal(count(signUp, /^type the password for Sid again/), 2);
  assert.equal(count(signUp, /passwords differ/), 1);
  assert.equal(count(signUp, /^password for Sid/), 0);
  // A password account's token stays in memory: on disk it would be a second, longer-lived password.
  const tokens = path.join(testConfigDir(), 'tokens');
  assert.doesNotMatch(fs.existsSync(tokens) ? fs.readFileSync(tokens, 'utf8') : '', /Sid/);

  const logIn = chat(accounts.port, ['--user', 'Sid']);
  logIn.type('first password', '/exit');
  await logIn.waitFor(/welcome, Sid/);
  assert.equal(await logIn.exit(), 0);
  assert.equal(count(logIn, /^password for Sid/), 1, logIn.lines.join('\n'));
  assert.equal(count(logIn, /choose a password|again/), 0, 'a returning user is not asked for a new password');
});

test("#11.4 the client takes --invite; without the code a script ends with the server's reason", async () => {
  const made = await runAdmin(invites.dataDir, ['invite']);
  const code = /^invite code: (\S+)$/m.exec(made.stdout)?.[1];
  assert.ok(code, made.stdout + made.stderr);
  const without = chat(invites.port, ['--user', 'Tia']);
  without.type('/exit');
  assert.equal(await without.exit(), 1);
  assert.match(without.stderr, /invite code/);
  const invited = chat(invites.port, ['--user', 'Tia', '--invite', code]);
  invited.type('/exit');
  await invited.waitFor(/welcome, Tia/);
  assert.equal(await invited.exit(), 0);
});

const skipTmux = TMUX_SKIP;

test(
  '#11.4 in a terminal the client asks for the invite code the server needs, and again when it is wrong',
  { skip: skipTmux },
  async () => {
    const made = await runAdmin(invites.dataDir, ['invite']);
    const code = /^invite code: (\S+)$/m.exec(made.stdout)?.[1];
    assert.ok(code, made.stdout + made.stderr);
    const term = TmuxSession.start([process.execPath, CLI, 'chat', '--port', String(invites.port), '--user', 'Una'], {
      NO_COLOR: '1',
    });
    try {
      await term.waitFor((l) => l.some((x) => x.startsWith('invite code:')), 'the invite prompt');
      term.type('not-a-code');
      term.press('Enter');
      await term.waitFor((l) => l.some((x) => x.includes('unknown, used up or expired')), 'the refusal');
      await term.waitFor((l) => l.filter((x) => x.startsWith('invite code:')).length === 2, 'the prompt again');
      term.type(code);
      term.press('Enter');
      await term.waitFor((l) => l.at(-1) === '[everyone]>', 'the chat prompt after signing up');
      term.type('/exit');
      term.press('Enter');
    } finally {
      term.kill();
    }
  },
);
