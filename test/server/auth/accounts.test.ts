// Accounts (issue #4): register with a password, login with password or token, tokens revoked by exit
// and by a password change, open and accounts modes, and a login that replaces a dead connection.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { assertPrivateFlows, expectClosed, expectError } from '../../helpers/expect.js';
import { LogCapture } from '../../helpers/log.js';
import { startServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
const log = new LogCapture();
// Open mode: these tests are about password accounts beside names anyone may use (the seeds); claim
// mode, the default, has its own tests (name-claim.test.ts).
before(async () => (server = await startServer({ log: log.logger, auth: 'open' })));
after(() => server.stop());

const PASSWORD = 'correct horse battery';

async function signUp(name: string, password = PASSWORD): Promise<{ client: TestClient; token: string }> {
  const client = await TestClient.connect(server.port, name);
  const reply = await client.ok({ status: 'register', sender: name, password });
  assert.equal(typeof reply.token, 'string');
  assert.ok(reply.token.length >= 40, 'a token with enough entropy');
  return { client, token: reply.token };
}

test('accounts: register with a password creates an account that owns the name', async () => {
  const { client } = await signUp('Owner1');
  await client.ok({ status: 'exit' });
  const other = await TestClient.connect(server.port, 'thief');
  const refused = await expectError(other, { status: 'register', sender: 'owner1' }, 'password_required');
  assert.equal(refused.account, true);
  await expectError(other, { status: 'register', sender: 'Owner1', password: 'another password' }, 'password_required');
  const ok = await other.ok({ status: 'login', sender: 'Owner1', password: PASSWORD });
  assert.equal(ok.sender, 'Owner1');
  assert.equal(ok.role, 'user');
  await other.close();
});

test('accounts: a wrong password and an unknown name get the same auth_failed reply', async () => {
  await (await signUp('Owner2')).client.ok({ status: 'exit' });
  const a = await TestClient.connect(server.port, 'guess-a');
  const wrongPassword = await expectError(
    a,
    { status: 'login', sender: 'Owner2', password: 'wrong password!' },
    'auth_failed',
  );
  const b = await TestClient.connect(server.port, 'guess-b');
  const unknownName = await expectError(
    b,
    { status: 'login', sender: 'NoSuchOwner', password: 'wrong password!' },
    'auth_failed',
  );
  assert.equal(wrongPassword.text, unknownName.text);
  assert.deepEqual(Object.keys(wrongPassword).sort(), Object.keys(unknownName).sort());
  await a.close();
  await b.close();
});

test('accounts: a short password gets weak_password and creates nothing', async () => {
  const c = await TestClient.connect(server.port, 'weak');
  await expectError(c, { status: 'register', sender: 'WeakOne', password: 'short' }, 'weak_password');
  await c.ok({ status: 'register', sender: 'WeakOne' }); // still free, in open mode
  await c.close();
});

test('accounts: a token logs in again after a dropped connection, without the password', async () => {
  const { client, token } = await signUp('Tokened');
  const friend = await TestClient.as(server.port, 'TokenFriend');
  await client.close(); // dropped, not exit
  const again = await TestClient.connect(server.port, 'Tokened');
  const reply = await again.ok({ status: 'login', sender: 'Tokened', token });
  assert.equal(reply.token, undefined, 'the same token stays valid; no new one is issued');
  await assertPrivateFlows(friend, again);
  await again.close();
  await friend.close();
});

test('accounts: exit revokes the session token', async () => {
  const { client, token } = await signUp('Exiter');
  await client.ok({ status: 'exit' });
  const again = await TestClient.connect(server.port, 'Exiter');
  await expectError(again, { status: 'login', sender: 'Exiter', token }, 'auth_failed');
  await again.close();
});

test('accounts: a token works only for its own name', async () => {
  const { client, token } = await signUp('TokenOwner');
  await client.close();
  const other = await TestClient.connect(server.port, 'x');
  await expectError(other, { status: 'login', sender: 'Owner1', token }, 'auth_failed');
  await other.close();
});

test('accounts: a password change revokes every token and the old password', async () => {
  const { client: first, token: oldToken } = await signUp('Changer');
  await first.close();
  const second = await TestClient.connect(server.port, 'Changer');
  const login = await second.ok({ status: 'login', sender: 'Changer', password: PASSWORD });
  await expectError(
    second,
    { status: 'password', password: 'not the password', new_password: 'brand new secret' },
    'auth_failed',
  );
  const changed = await second.ok({ status: 'password', password: PASSWORD, new_password: 'brand new secret' });
  assert.equal(typeof changed.token, 'string');
  await second.close();
  const third = await TestClient.connect(server.port, 'Changer');
  for (const token of [oldToken, login.token])
    await expectError(third, { status: 'login', sender: 'Changer', token }, 'auth_failed');
  await expectError(third, { status: 'login', sender: 'Changer', password: PASSWORD }, 'auth_failed');
  await third.close();
  const fourth = await TestClient.connect(server.port, 'Changer');
  await fourth.ok({ status: 'login', sender: 'Changer', token: changed.token });
  await fourth.close();
});

test('accounts: logging in where the name is already online closes the other connection with replaced', async () => {
  const { client: stale } = await signUp('Roamer');
  const fresh = await TestClient.connect(server.port, 'Roamer');
  await fresh.ok({ status: 'login', sender: 'Roamer', password: PASSWORD });
  const notice = await stale.waitFor((m) => m.code === 'replaced', 3000, 'the replaced notice');
  assert.equal(notice.status, 'error');
  await expectClosed(stale);
  const friend = await TestClient.as(server.port, 'RoamFriend');
  await assertPrivateFlows(friend, fresh);
  await fresh.close();
  await friend.close();
});

test('accounts: a name used in open mode can be made an account by registering it with a password', async () => {
  const guest = await TestClient.as(server.port, 'WasGuest');
  await guest.ok({ status: 'exit' });
  const { client } = await signUp('WasGuest');
  await client.ok({ status: 'exit' });
  const other = await TestClient.connect(server.port, 'x');
  await expectError(other, { status: 'register', sender: 'WasGuest' }, 'password_required');
  await other.close();
});

test('accounts: login needs exactly one of password and token', async () => {
  const c = await TestClient.connect(server.port, 'x');
  await expectError(c, { status: 'login', sender: 'Owner1' }, 'bad_request');
  await expectError(c, { status: 'login', sender: 'Owner1', password: PASSWORD, token: 'abc' }, 'bad_request');
  await c.close();
});

test('accounts: passwords and tokens are never logged', async () => {
  const secret = 'never-log-this-password';
  const { client, token } = await signUp('Logged', secret);
  await client.close();
  const c = await TestClient.connect(server.port, 'x');
  await expectError(c, { status: 'login', sender: 'Logged', password: `${secret}-wrong` }, 'auth_failed');
  await c.ok({ status: 'login', sender: 'Logged', token });
  await c.close();
  const logLines = log.entries.map((entry) => JSON.stringify(entry));
  assert.ok(logLines.length > 10, 'the server logged at debug level');
  assert.ok(
    logLines.some((line) => line.includes('Logged')),
    'the user name is in the log',
  );
  for (const line of logLines) {
    assert.equal(line.includes(secret), false, `a password in the log: ${line}`);
    assert.equal(line.includes(token), false, `a token in the log: ${line}`);
  }
});

test('accounts mode: everyone must have an account; register without a password asks for one', async () => {
  const strict = await startServer({ auth: 'accounts' });
  const c = await TestClient.connect(strict.port, 'x');
  const refused = await expectError(c, { status: 'register', sender: 'Newcomer' }, 'password_required');
  assert.equal(refused.account, false, 'no account yet: the client should offer to create one');
  await c.ok({ status: 'register', sender: 'Newcomer', password: PASSWORD });
  const d = await TestClient.connect(strict.port, 'y');
  await expectError(d, { status: 'register', sender: 'Other' }, 'password_required');
  await expectError(d, { status: 'who' }, 'not_registered');
  await c.close();
  await d.close();
  await strict.stop();
});
