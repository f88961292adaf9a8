// Issue #12.5: a claimed name (no password, held by its token) protects itself with a password:
// `password` without the current one, from the connection logged in as that name. Once set, the
// password is the credential: every token is revoked but the one the reply carries, and the name
// can no longer be taken by register. A name that has a password needs it to change it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SqliteStore } from '../../../src/server/store/sqlite.js';
import { TestClient } from '../../helpers/client.js';
import { expectError } from '../../helpers/expect.js';
import { startServer, tempDataDir, type TestServer } from '../../helpers/server.js';

let server: TestServer;
let openServer: TestServer;
before(async () => {
  server = await startServer({ auth: 'claim' });
  openServer = await startServer({ auth: 'open' });
});
after(async () => {
  await server.stop();
  await openServer.stop();
});

test('#12.5 a claimed name sets its first password without a current one: the claim token stops working; the new token and the password log in', async () => {
  const ada = await TestClient.connect(server.port, 'Ada');
  const claimed = await ada.ok({ status: 'register', sender: 'Ada' });
  const claimToken = claimed.token as string;
  await expectError(ada, { status: 'password', new_password: 'short' }, 'weak_password');
  const set = await ada.ok({ status: 'password', new_password: 'ada first password' });
  assert.equal(typeof set.token, 'string');
  assert.notEqual(set.token, claimToken);
  assert.match(set.text, /Ada now has a password/);
  // Set once: from now on the current password is needed to change it.
  const again = await expectError(ada, { status: 'password', new_password: 'another password' }, 'password_required');
  assert.equal(again.account, true);
  await ada.close();

  const other = await TestClient.connect(server.port, 'other');
  await expectError(other, { status: 'login', sender: 'Ada', token: claimToken }, 'auth_failed');
  const registered = await expectError(other, { status: 'register', sender: 'Ada' }, 'password_required');
  assert.equal(registered.account, true, 'the name now belongs to an account: log in');
  await other.ok({ status: 'login', sender: 'Ada', token: set.token });
  await other.close();
  const withPassword = await TestClient.connect(server.port, 'Ada');
  const login = await withPassword.ok({ status: 'login', sender: 'Ada', password: 'ada first password' });
  // And it is an ordinary password account now: changing it needs the current one.
  await expectError(
    withPassword,
    { status: 'password', password: 'not the password', new_password: 'ada second password' },
    'auth_failed',
  );
  await withPassword.ok({ status: 'password', password: 'ada first password', new_password: 'ada second password' });
  await withPassword.close();
  const stale = await TestClient.connect(server.port, 'stale');
  for (const token of [set.token, login.token])
    await expectError(stale, { status: 'login', sender: 'Ada', token }, 'auth_failed');
  await stale.close();
});

test('#12.5 a first password goes to the connection\'s own name whatever "sender" says, and needs a registered name', async () => {
  const victim = await TestClient.as(server.port, 'Bea');
  const mallory = await TestClient.as(server.port, 'Mal');
  const before = await TestClient.connect(server.port, 'nobody');
  await expectError(before, { status: 'password', new_password: 'a password for nobody' }, 'not_registered');
  await before.close();
  await mallory.ok({ status: 'password', sender: 'Bea', new_password: 'mallory password' });
  await mallory.close();
  await victim.close();
  // Bea's name is still held by her token, without a password; Mal's has the password.
  const check = await TestClient.connect(server.port, 'check');
  await expectError(check, { status: 'login', sender: 'Bea', password: 'mallory password' }, 'auth_failed');
  await check.ok({ status: 'login', sender: 'Bea', token: victim.token });
  await check.close();
  const mal = await TestClient.connect(server.port, 'Mal');
  await mal.ok({ status: 'login', sender: 'Mal', password: 'mallory password' });
  await mal.close();
});

test('#12.5 in open mode a name no account owns gets its first password the same way, and then belongs to that account', async () => {
  const cy = await TestClient.as(openServer.port, 'Cy');
  await cy.ok({ status: 'password', new_password: 'cy first password' });
  await cy.close();
  const impostor = await TestClient.connect(openServer.port, 'impostor');
  await expectError(impostor, { status: 'register', sender: 'Cy' }, 'password_required');
  await impostor.ok({ status: 'login', sender: 'Cy', password: 'cy first password' });
  await impostor.close();
});

test('#12.5 the store sets a first password only on a name without one, and "while claimed" only while a token holds it', async () => {
  const store = new SqliteStore({ dataDir: tempDataDir() });
  try {
    const now = new Date().toISOString();
    const id = await store.insertUser({ name: 'Dee', key: 'dee', passwordHash: null, role: 'user' }, now);
    // Released or revoked by `classchat admin` while the hash was computed: no token holds the name.
    assert.equal(store.setFirstPassword(id, 'hash-1', true), false);
    await store.insertToken('token-hash', id, now);
    assert.equal(store.setFirstPassword(id, 'hash-1', true), true);
    assert.equal(store.setFirstPassword(id, 'hash-2', true), false, 'a password set meanwhile wins');
    assert.equal(store.setFirstPassword(id, 'hash-2', false), false);
    assert.equal((await store.findUser('dee'))?.passwordHash, 'hash-1');
    store.commit();
  } finally {
    await store.close();
  }
});
