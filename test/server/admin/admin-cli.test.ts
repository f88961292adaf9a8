// `classchat admin` (issue #4): creates users, resets passwords (revoking tokens) and grants admin,
// working on the database directly, also while the server runs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { expectError } from '../../helpers/expect.js';
import { runAdmin, startServer, tempDataDir, type TestServer } from '../../helpers/server.js';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test('admin cli: add-user creates an account the user can log in to, while the server runs', async () => {
  const result = await runAdmin(server.dataDir, ['add-user', 'Teacher', '--admin'], 'instructor password\n');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /created admin Teacher/);
  const c = await TestClient.connect(server.port, 'Teacher');
  const reply = await c.ok({ status: 'login', sender: 'Teacher', password: 'instructor password' });
  assert.equal(reply.role, 'admin');
  await c.close();
  // A name that exists is refused, with a clear message and exit code 1.
  const again = await runAdmin(server.dataDir, ['add-user', 'teacher'], 'whatever password\n');
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists/);
});

test('admin cli: new users get ids from the database, so users the server adds meanwhile do not collide', async () => {
  const first = await TestClient.as(server.port, 'BeforeCli');
  assert.equal((await runAdmin(server.dataDir, ['add-user', 'FromCli'], 'cli user password\n')).code, 0);
  const second = await TestClient.as(server.port, 'AfterCli');
  const list = await runAdmin(server.dataDir, ['list-users']);
  assert.equal(list.code, 0, list.stderr);
  for (const name of ['BeforeCli', 'FromCli', 'AfterCli']) assert.match(list.stdout, new RegExp(`^${name}\\s`, 'm'));
  assert.match(list.stdout, /^FromCli\s+user\s+account$/m);
  assert.match(list.stdout, /^AfterCli\s+user\s+no account$/m);
  await first.close();
  await second.close();
});

test("admin cli: reset-password sets a new password and revokes the user's tokens", async () => {
  const c = await TestClient.connect(server.port, 'Forgetful');
  const { token } = await c.ok({ status: 'register', sender: 'Forgetful', password: 'first password' });
  await c.close();
  const result = await runAdmin(server.dataDir, ['reset-password', 'Forgetful'], 'second password\n');
  assert.equal(result.code, 0, result.stderr);
  const d = await TestClient.connect(server.port, 'Forgetful');
  await expectError(d, { status: 'login', sender: 'Forgetful', token }, 'auth_failed');
  await expectError(d, { status: 'login', sender: 'Forgetful', password: 'first password' }, 'auth_failed');
  await d.ok({ status: 'login', sender: 'Forgetful', password: 'second password' });
  await d.close();
});

test('admin cli: grant-admin takes effect at the next login; revoke-admin undoes it', async () => {
  const c = await TestClient.connect(server.port, 'Assistant');
  await c.ok({ status: 'register', sender: 'Assistant', password: 'assistant password' });
  await expectError(c, { status: 'mute', receiver: 'Assistant', seconds: 1 }, 'forbidden');
  await c.close();
  assert.equal((await runAdmin(server.dataDir, ['grant-admin', 'Assistant'])).code, 0);
  const d = await TestClient.connect(server.port, 'Assistant');
  assert.equal((await d.ok({ status: 'login', sender: 'Assistant', password: 'assistant password' })).role, 'admin');
  await d.close();
  assert.equal((await runAdmin(server.dataDir, ['revoke-admin', 'Assistant'])).code, 0);
  const e = await TestClient.connect(server.port, 'Assistant');
  assert.equal((await e.ok({ status: 'login', sender: 'Assistant', password: 'assistant password' })).role, 'user');
  await e.close();
});

test('admin cli: bad input gets a clear message and a non-zero exit, never a stack trace', async () => {
  const cases: [string[], string, RegExp][] = [
    [['grant-admin', 'NoSuchUser'], '', /no user named NoSuchUser/],
    [['add-user', 'bad name!'], 'a fine password\n', /not a valid name/],
    [['add-user', 'ShortPw'], 'short\n', /at least 8 characters/],
    [['frobnicate'], '', /unknown command/],
  ];
  for (const [args, stdin, message] of cases) {
    const result = await runAdmin(server.dataDir, args, stdin);
    assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  }
  const empty = tempDataDir();
  const wrongDir = await runAdmin(path.join(empty, 'nothing-here'), ['list-users']);
  assert.equal(wrongDir.code, 1);
  assert.match(wrongDir.stderr, /no ClassChat database/);
  fs.rmSync(empty, { recursive: true, force: true });
});
