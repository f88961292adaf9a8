// Brute force (issue #4): at most 3 failed logins a minute per connection, and per name a lock with
// backoff after repeated failures from any connection of one address (issue #11.10: per address and
// name, test/server/auth/lockout.test.ts); the replies never tell a wrong name from a
// wrong password.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { expectError } from '../../helpers/expect.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { DEFAULT_LIMITS } from '../../../src/server/limits.js';

let server: TestServer;
before(
  async () =>
    (server = await startServer({
      limits: {
        loginFailuresPerMinute: DEFAULT_LIMITS.loginFailuresPerMinute,
        accountFailuresBeforeLock: DEFAULT_LIMITS.accountFailuresBeforeLock,
      },
    })),
);
after(() => server.stop());

const PASSWORD = 'the right password';

async function account(name: string): Promise<void> {
  const c = await TestClient.connect(server.port, name);
  await c.ok({ status: 'register', sender: name, password: PASSWORD });
  await c.ok({ status: 'exit' });
}

test('brute force: after 3 failed logins a connection gets rate_limited, even with the right password', async () => {
  await account('Target1');
  const c = await TestClient.connect(server.port, 'guesser');
  for (let i = 0; i < DEFAULT_LIMITS.loginFailuresPerMinute; i++)
    await expectError(c, { status: 'login', sender: 'Target1', password: `guess ${i} wrong` }, 'auth_failed');
  const limited = await expectError(c, { status: 'login', sender: 'Target1', password: PASSWORD }, 'rate_limited');
  assert.ok(limited.retry_after_ms > 0 && limited.retry_after_ms <= 60_000, JSON.stringify(limited));
  // Another connection (below the per-name lock) still logs in.
  const owner = await TestClient.connect(server.port, 'owner');
  await owner.ok({ status: 'login', sender: 'Target1', password: PASSWORD });
  await owner.close();
  await c.close();
});

test('brute force: failures spread over connections lock the name, and the lock applies to the right password too', async () => {
  await account('Target2');
  const lock = DEFAULT_LIMITS.accountFailuresBeforeLock;
  for (let i = 0; i < lock; i++) {
    const c = await TestClient.connect(server.port, `spread${i}`);
    await expectError(c, { status: 'login', sender: 'Target2', password: `guess ${i} wrong` }, 'auth_failed');
    await c.close();
  }
  const owner = await TestClient.connect(server.port, 'owner2');
  const locked = await expectError(owner, { status: 'login', sender: 'Target2', password: PASSWORD }, 'rate_limited');
  assert.ok(locked.retry_after_ms >= 25_000, `locked for about 30 s at first: ${locked.retry_after_ms}`);
  // Other names are not affected.
  await account('Bystander2');
  await owner.ok({ status: 'login', sender: 'Bystander2', password: PASSWORD });
  await owner.close();
});

test('brute force: an unknown name is locked the same way, so a lock does not reveal that an account exists', async () => {
  const lock = DEFAULT_LIMITS.accountFailuresBeforeLock;
  const replies = [];
  for (let i = 0; i <= lock; i++) {
    const c = await TestClient.connect(server.port, `ghost${i}`);
    replies.push(await c.request({ status: 'login', sender: 'NobodyHere', password: `guess ${i} wrong` }));
    await c.close();
  }
  assert.deepEqual(
    replies.map((r) => r.code),
    [...Array(lock).fill('auth_failed'), 'rate_limited'],
  );
});
