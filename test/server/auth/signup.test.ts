// Sign-up in accounts mode and who may sign up (issue #11.4): a returning user is told to log in (the
// server says account:true), not to make a new password; --signup closed lets in only the accounts the
// instructor made; --signup invite needs a code from `classchat admin invite`, one use per sign-up,
// until it expires.
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'node:test';
import { createInvite } from '../../../src/server/auth/signup.js';
import { TestClient } from '../../helpers/client.js';
import { expectError } from '../../helpers/expect.js';
import { runAdmin, startServer } from '../../helpers/server.js';

const PASSWORD = 'a good long password';

test('#11.4 in accounts mode a returning user is told to log in (account:true), a new name to sign up (account:false)', async () => {
  const server = await startServer({ auth: 'accounts' });
  try {
    const first = await TestClient.connect(server.port, 'first');
    await first.ok({ status: 'register', sender: 'Returning', password: PASSWORD });
    await first.ok({ status: 'exit' });
    const back = await TestClient.connect(server.port, 'back');
    const known = await expectError(back, { status: 'register', sender: 'returning' }, 'password_required');
    assert.equal(known.account, true, 'the name has an account: log in');
    assert.match(known.text, /"status":"login","sender":"Returning"/);
    const fresh = await expectError(back, { status: 'register', sender: 'BrandNew' }, 'password_required');
    assert.equal(fresh.account, false, 'no account yet: sign up');
    await back.ok({ status: 'login', sender: 'Returning', password: PASSWORD });
    await back.close();
  } finally {
    await server.stop();
  }
});

test('#11.4 --signup closed refuses a new name but lets an account the instructor made log in', async () => {
  for (const auth of ['accounts', 'claim'] as const) {
    const server = await startServer({ auth, signup: 'closed' });
    try {
      const made = await runAdmin(server.dataDir, ['add-user', 'Student1'], `${PASSWORD}\n`);
      assert.equal(made.code, 0, made.stderr);
      const stranger = await TestClient.connect(server.port, 'stranger');
      const refused = await expectError(
        stranger,
        { status: 'register', sender: 'Stranger', password: PASSWORD },
        'signup_closed',
      );
      assert.match(refused.text, /instructor/);
      if (auth === 'claim') await expectError(stranger, { status: 'register', sender: 'Stranger' }, 'signup_closed');
      else await expectError(stranger, { status: 'register', sender: 'Stranger' }, 'password_required');
      // Nothing was made for the refused name: it is still unknown to a password login.
      await expectError(stranger, { status: 'login', sender: 'Stranger', password: PASSWORD }, 'auth_failed');
      const student = await TestClient.connect(server.port, 'student');
      const welcome = await student.ok({ status: 'login', sender: 'Student1', password: PASSWORD });
      assert.equal(welcome.sender, 'Student1');
      await Promise.all([stranger.close(), student.close()]);
    } finally {
      await server.stop();
    }
  }
});

/** Makes an invite code with `classchat admin invite` and returns it. */
async function invite(dataDir: string, args: string[]): Promise<string> {
  const made = await runAdmin(dataDir, ['invite', ...args]);
  assert.equal(made.code, 0, made.stderr);
  const code = /^invite code: (\S+)$/m.exec(made.stdout)?.[1];
  assert.ok(code, `a code in: ${made.stdout}`);
  return code;
}

test('#11.4 --signup invite: a code works once per use and not after it expires', async () => {
  const server = await startServer({ auth: 'claim', signup: 'invite' });
  try {
    const code = await invite(server.dataDir, ['--uses', '2', '--days', '1']);
    const c = await TestClient.connect(server.port, 'c');
    const asked = await expectError(c, { status: 'register', sender: 'NoCode' }, 'invite_required');
    assert.match(asked.text, /"invite"/);
    await expectError(c, { status: 'register', sender: 'NoCode', invite: 'made-up-code' }, 'bad_invite');
    // A refusal for another reason (a name online) takes no use of the code.
    const online = await TestClient.connect(server.port, 'online');
    await online.ok({ status: 'register', sender: 'Uma', invite: code });
    await expectError(c, { status: 'register', sender: 'Uma', invite: code }, 'name_taken');
    await c.ok({ status: 'register', sender: 'Vic', invite: code }); // the second and last use
    const third = await TestClient.connect(server.port, 'third');
    await expectError(third, { status: 'register', sender: 'Wes', invite: code }, 'bad_invite');
    // A name the server knows needs no code: Uma comes back with her token.
    const uma = await TestClient.connect(server.port, 'uma');
    await online.ok({ status: 'exit' });
    await uma.ok({ status: 'login', sender: 'Uma', token: online.received.find((m) => m.sender === 'Uma')!.token });
    // A password sign-up needs a code too, and is refused before its password is hashed.
    await expectError(third, { status: 'register', sender: 'Wes', password: PASSWORD }, 'invite_required');

    const expiring = await invite(server.dataDir, ['--uses', '5']);
    await third.ok({ status: 'register', sender: 'Wes', password: PASSWORD, invite: expiring });
    const db = new Database(path.join(server.dataDir, 'classchat.db'));
    db.prepare('UPDATE invites SET expires_at = ?').run(new Date(Date.now() - 1000).toISOString());
    db.close();
    const late = await TestClient.connect(server.port, 'late');
    await expectError(late, { status: 'register', sender: 'Xia', invite: expiring }, 'bad_invite');
    await Promise.all([c.close(), third.close(), uma.close(), late.close()]);
  } finally {
    await server.stop();
  }
});

test('#11.4 --signup closed or invite with --auth open is refused at start-up', async () => {
  const { parseServeArgs, ConfigError } = await import('../../../src/server/config.js');
  assert.throws(() => parseServeArgs(['--auth', 'open', '--signup', 'closed'], {}), ConfigError);
  assert.throws(() => parseServeArgs(['--signup', 'maybe'], {}), ConfigError);
  assert.equal(parseServeArgs([], {}).signup, 'open');
  assert.equal(parseServeArgs([], { CLASSCHAT_SIGNUP: 'invite' }).signup, 'invite');
});

test('an invite code never starts with "-", so `--invite CODE` is never read as an option (a flake of #11.4)', () => {
  const codes: string[] = [];
  const store = { insertInvite: () => undefined };
  for (let i = 0; i < 2000; i++) codes.push(createInvite(store, 1, 1).code);
  const bad = codes.filter((code) => !/^[0-9A-Za-z]/.test(code));
  assert.deepEqual(bad, [], 'codes that start with a character an option parser takes for a flag');
  assert.equal(new Set(codes).size, codes.length, 'every code is new');
});
