// Issue #11.10: nobody can lock someone else out. A valid token always logs in, and failures from one
// address lock that address out of the name, not the owner at theirs.
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
        loopbackOneHost: 0,
      },
    })),
);
after(() => server.stop());

const PASSWORD = 'the right password';
const ATTACKER = '127.0.0.2';
const OWNER = '127.0.0.5';

/** `count` wrong passwords at `name` from `address`, on as many connections as the per-connection limit needs. */
async function failFrom(address: string, name: string, count: number): Promise<void> {
  for (let done = 0; done < count;) {
    const c = await TestClient.connectFrom(server.port, address, `guesser@${address}`);
    for (let i = 0; i < DEFAULT_LIMITS.loginFailuresPerMinute && done < count; i++, done++) {
      await expectError(c, { status: 'login', sender: name, password: `guess ${done} from ${address}` }, 'auth_failed');
    }
    await c.close();
  }
}

test("#11.10 5 wrong passwords from 5 connections on another address stop neither the owner's token login nor their password login", async () => {
  const first = await TestClient.connectFrom(server.port, OWNER, 'owner');
  const { token } = await first.ok({ status: 'register', sender: 'Victim10', password: PASSWORD });
  first.socket.destroy(); // a dropped connection: the token stays valid for the reconnect
  await first.closed;

  const lock = DEFAULT_LIMITS.accountFailuresBeforeLock;
  for (let i = 0; i < lock; i++) {
    const c = await TestClient.connectFrom(server.port, ATTACKER, `attacker${i}`);
    await expectError(c, { status: 'login', sender: 'Victim10', password: `guess ${i} wrong` }, 'auth_failed');
    await c.close();
  }
  // The attacker's address is locked out of the name (the lock still works)...
  const attacker = await TestClient.connectFrom(server.port, ATTACKER, 'attacker-last');
  const locked = await expectError(
    attacker,
    { status: 'login', sender: 'Victim10', password: PASSWORD },
    'rate_limited',
  );
  assert.ok(locked.retry_after_ms >= 25_000, `locked for about 30 s at first: ${locked.retry_after_ms}`);
  await attacker.close();

  // ...but the owner reconnects with the token, even from the attacker's address (a valid token always logs in)...
  const fromThere = await TestClient.connectFrom(server.port, ATTACKER, 'owner-elsewhere');
  await fromThere.ok({ status: 'login', sender: 'Victim10', token });
  await fromThere.close();
  const reconnect = await TestClient.connectFrom(server.port, OWNER, 'owner-token');
  await reconnect.ok({ status: 'login', sender: 'Victim10', token });
  await reconnect.close();
  // ...and logs in with the password from their own address.
  const withPassword = await TestClient.connectFrom(server.port, OWNER, 'owner-password');
  const reply = await withPassword.ok({ status: 'login', sender: 'Victim10', password: PASSWORD });
  assert.equal(typeof reply.token, 'string');
  await withPassword.close();
});

test('#11.10 once a name has failed from many addresses, each further address gets one try before its lock; the owner is not refused', async () => {
  const owner = await TestClient.connectFrom(server.port, OWNER, 'owner');
  await owner.ok({ status: 'register', sender: 'Popular10', password: PASSWORD });
  await owner.close();
  // nameFailuresUnderAttack failures spread over addresses, each below its own lock.
  const attackers = DEFAULT_LIMITS.nameFailuresUnderAttack / (DEFAULT_LIMITS.accountFailuresBeforeLock - 1);
  for (let a = 0; a < attackers; a++)
    await failFrom(`127.0.1.${a + 1}`, 'Popular10', DEFAULT_LIMITS.accountFailuresBeforeLock - 1);
  const late = await TestClient.connectFrom(server.port, '127.0.2.1', 'late');
  await expectError(late, { status: 'login', sender: 'Popular10', password: 'one guess' }, 'auth_failed');
  await expectError(late, { status: 'login', sender: 'Popular10', password: PASSWORD }, 'rate_limited');
  await late.close();
  const back = await TestClient.connectFrom(server.port, OWNER, 'owner-back');
  await back.ok({ status: 'login', sender: 'Popular10', password: PASSWORD });
  await back.close();
});
