// Issue #12.5: a name's own account commands in the terminal client, against a real server. /register
// gives a claimed name a password (the server's `password` without a current one); /password changes
// it. Both ask without echo in a terminal (tmux) and read input lines in a script; afterwards the session
// keeps working and reconnects with the token the reply carried, and the claim token saved on disk is
// forgotten. An invite server's sign-up is explained in the client's words (--invite), not in JSON.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { ChatProcess } from '../helpers/chat-process.js';
import { TestClient } from '../helpers/client.js';
import { expectError } from '../helpers/expect.js';
import { LossyProxy } from '../helpers/proxy.js';
import { CLI, runAdmin, startServer, type TestServer } from '../helpers/server.js';
import { TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';

let claim: TestServer;
let accounts: TestServer;
let invites: TestServer;
const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-account-client-'));
const tokensFile = path.join(configDir, 'tokens');
const cleanup: (() => unknown)[] = [];
before(async () => {
  claim = await startServer();
  accounts = await startServer({ auth: 'accounts' });
  invites = await startServer({ signup: 'invite' });
});
after(async () => {
  await claim.stop();
  await accounts.stop();
  await invites.stop();
  fs.rmSync(configDir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function chat(port: number, args: string[], env: NodeJS.ProcessEnv = {}): ChatProcess {
  const p = ChatProcess.start(port, args, { CLASSCHAT_CONFIG_DIR: configDir, ...env });
  cleanup.push(() => p.kill());
  return p;
}

async function through(server: TestServer): Promise<LossyProxy> {
  const proxy = await LossyProxy.start(server.port);
  cleanup.push(() => proxy.close());
  return proxy;
}

const savedTokens = () => (fs.existsSync(tokensFile) ? fs.readFileSync(tokensFile, 'utf8') : '');
const count = (p: ChatProcess, pattern: RegExp) => p.lines.filter((l) => pattern.test(l)).length;

test('#12.5 /register in a script gives a claimed name a password: the saved token is forgotten, the session reconnects, and the next start logs in with the password', async () => {
  const proxy = await through(claim);
  const reg = chat(proxy.port, ['--user', 'Reggie']);
  await reg.waitFor(/welcome, Reggie/);
  assert.match(savedTokens(), /Reggie/, 'a claimed name keeps its token on disk');
  reg.type('/register', 'reggie password', 'not the same', 'reggie password', 'reggie password');
  await reg.waitFor(/Reggie is protected by your password now/);
  assert.equal(count(reg, /^choose a password for Reggie/), 2, reg.lines.join('\n'));
  assert.equal(count(reg, /passwords differ/), 1);
  assert.doesNotMatch(savedTokens(), /Reggie/, 'the claim token no longer works, and the password is the credential');
  reg.type('/register');
  await reg.waitFor(/Reggie already has a password: \/password changes it/);

  // The server revoked every token but the reply's: the reconnect logs in with that one.
  const mark = reg.lines.length;
  proxy.cutAll();
  await reg.waitFor(/reconnected as Reggie/, mark, 20_000);
  const sam = await TestClient.as(claim.port, 'Sammy');
  await sam.ok({ status: 'private', receiver: 'Reggie', text: 'still there?' });
  await reg.waitFor(/<Sammy> still there\?/, mark);
  await sam.close();
  reg.type('/exit');
  assert.equal(await reg.exit(), 0);

  const impostor = await TestClient.connect(claim.port, 'impostor');
  await expectError(impostor, { status: 'register', sender: 'Reggie' }, 'password_required');
  await impostor.close();
  const back = chat(claim.port, ['--user', 'Reggie']);
  back.type('reggie password', '/exit');
  await back.waitFor(/welcome, Reggie/);
  assert.equal(await back.exit(), 0);
  assert.equal(count(back, /^password for Reggie/), 1, back.lines.join('\n'));
});

test('#12.5 /password in a script asks the current password and the new one twice; the session stays reconnectable and the old password stops working', async () => {
  const proxy = await through(accounts);
  const pat = chat(proxy.port, ['--user', 'Pat'], { CLASSCHAT_PASSWORD: 'pat password 1' });
  await pat.waitFor(/welcome, Pat/);
  pat.type('/password', 'not my password', 'pat password 2', 'pat password 2');
  await pat.waitFor(/current password is wrong; password not changed/);
  pat.type('/password', 'pat password 1', 'pat password 2', 'pat password 2');
  await pat.waitFor(/^password changed; your other sessions must log in again$/);
  assert.equal(count(pat, /^current password for Pat/), 2, pat.lines.join('\n'));
  assert.equal(count(pat, /^choose a new password for Pat/), 2);
  assert.equal(count(pat, /^type the new password for Pat again/), 2);
  pat.type('/register');
  await pat.waitFor(/Pat already has a password: \/password changes it/);

  const mark = pat.lines.length;
  proxy.cutAll();
  await pat.waitFor(/reconnected as Pat/, mark, 20_000);
  pat.type('/who');
  await pat.waitFor(/^online \(\d+\): .*Pat/, mark);
  pat.type('/exit');
  assert.equal(await pat.exit(), 0);

  const check = await TestClient.connect(accounts.port, 'check');
  await expectError(check, { status: 'login', sender: 'Pat', password: 'pat password 1' }, 'auth_failed');
  await check.ok({ status: 'login', sender: 'Pat', password: 'pat password 2' });
  await check.close();
});

test('#12.5 a script without the invite code a server needs is told to give --invite; a name signed up with it protects itself with /register, no code asked', async () => {
  const without = chat(invites.port, ['--user', 'Ivo']);
  without.type('/exit');
  assert.equal(await without.exit(), 1);
  const said = without.lines.join('\n') + without.stderr; // the reason goes to stderr (issue #12.4)
  assert.match(said, /needs an invite code to sign up a new name: start classchat chat with --invite CODE/);
  assert.doesNotMatch(said, /[{}"]/, 'no raw JSON');

  const made = await runAdmin(invites.dataDir, ['invite']);
  const code = /^invite code: (\S+)$/m.exec(made.stdout)?.[1];
  assert.ok(code, made.stdout + made.stderr);
  const wrong = chat(invites.port, ['--user', 'Ivo', '--invite', 'not-a-code']);
  wrong.type('/exit');
  assert.equal(await wrong.exit(), 1);
  assert.match(
    wrong.lines.join('\n') + wrong.stderr,
    /unknown, used up or expired: start classchat chat with --invite CODE/,
  );

  const ivo = chat(invites.port, ['--user', 'Ivo', '--invite', code]);
  ivo.type('/register', 'ivo password', 'ivo password', '/exit');
  await ivo.waitFor(/Ivo is protected by your password now/);
  assert.equal(await ivo.exit(), 0);
  assert.doesNotMatch(ivo.lines.join('\n'), /invite/);
});

const skipTmux = TMUX_SKIP;

test(
  '#12.5 in a terminal /register and /password ask without showing what is typed, and keep it out of the input history',
  { skip: skipTmux },
  async () => {
    const term = TmuxSession.start([process.execPath, CLI, 'chat', '--port', String(claim.port), '--user', 'Tamsin'], {
      NO_COLOR: '1',
      CLASSCHAT_CONFIG_DIR: configDir,
    });
    cleanup.push(() => term.kill());
    const answer = async (prompt: string, text: string, times = 1) => {
      await term.waitFor((l) => l.filter((x) => x.startsWith(prompt)).length >= times, `the prompt "${prompt}"`);
      term.type(text);
      term.press('Enter');
    };
    await term.waitFor((l) => l.at(-1) === '[everyone]>', 'the chat prompt');
    term.type('/register');
    term.press('Enter');
    await answer('choose a password for Tamsin', 'tamsin secret one');
    await answer('type the password for Tamsin again', 'tamsin secret one');
    await term.waitFor(
      (l) => l.some((x) => x.includes('Tamsin is protected by your password now')),
      'the password set',
    );
    term.type('/password');
    term.press('Enter');
    await answer('current password for Tamsin', 'tamsin secret one');
    await answer('choose a new password for Tamsin', 'tamsin secret two');
    await answer('type the new password for Tamsin again', 'tamsin secret two');
    let screen = await term.waitFor(
      (l) => l.some((x) => x.startsWith('password changed')) && l.at(-1) === '[everyone]>',
      'the password changed',
    );
    assert.equal(
      screen.some((x) => x.includes('secret')),
      false,
      `a password was shown:\n${screen.join('\n')}`,
    );
    // Up recalls the last command typed, never a password.
    term.press('Up');
    screen = await term.waitFor((l) => l.at(-1) !== '[everyone]>', 'the recalled line');
    assert.equal(screen.at(-1), '[everyone]> /password');
    term.press('Up');
    screen = await term.waitFor((l) => l.at(-1) === '[everyone]> /register', 'the line before');
    term.press('C-u');
    term.type('/exit');
    term.press('Enter');
    const check = await TestClient.connect(claim.port, 'check');
    await check.ok({ status: 'login', sender: 'Tamsin', password: 'tamsin secret two' });
    await check.close();
  },
);

test('#12.5 in a terminal an invite server asks for the code in words, without JSON', { skip: skipTmux }, async () => {
  const term = TmuxSession.start([process.execPath, CLI, 'chat', '--port', String(invites.port), '--user', 'Uma'], {
    NO_COLOR: '1',
    CLASSCHAT_CONFIG_DIR: configDir,
  });
  cleanup.push(() => term.kill());
  const screen = await term.waitFor((l) => l.some((x) => x.startsWith('invite code:')), 'the invite prompt');
  assert.ok(
    screen.some((x) =>
      x.includes('this server needs an invite code to sign up a new name (ask the instructor for one)'),
    ),
    screen.join('\n'),
  );
  assert.equal(
    screen.some((x) => /[{}"]/.test(x)),
    false,
    `raw JSON on the screen:\n${screen.join('\n')}`,
  );
  term.press('C-d');
});
