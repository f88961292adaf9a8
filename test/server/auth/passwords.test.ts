// Password hashing (issue #4): scrypt with OWASP's parameters by default, verified in constant time,
// and at most a few hashes at once with a bounded queue.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PasswordHasher } from '../../../src/server/auth/passwords.js';
import { DEFAULT_SCRYPT_COST } from '../../../src/server/config.js';

test('passwords: the default cost is OWASP scrypt N=2^17, r=8, p=1, and such a hash verifies', async () => {
  assert.equal(DEFAULT_SCRYPT_COST, 17);
  const hasher = new PasswordHasher(DEFAULT_SCRYPT_COST, 1);
  const hash = await hasher.hash('correct horse battery');
  assert.match(hash, /^scrypt\$17\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.equal(await hasher.verify('correct horse battery', hash), true);
  assert.equal(await hasher.verify('correct horse batterY', hash), false);
});

test('passwords: two hashes of one password differ (salted); a hash made at another cost still verifies', async () => {
  const cheap = new PasswordHasher(8, 2);
  const a = await cheap.hash('same password');
  const b = await cheap.hash('same password');
  assert.notEqual(a, b);
  const other = new PasswordHasher(10, 2);
  assert.equal(await other.verify('same password', a), true);
  assert.equal(await other.verify('same password', null), false, 'no account: false, after the decoy work');
});

test('passwords: at most maxConcurrent hashes run at once and the queue behind them is bounded', async () => {
  const hasher = new PasswordHasher(12, 1);
  const attempts = Array.from({ length: 100 }, (_, i) =>
    hasher.hash(`password ${i}`).then(
      () => 'ok',
      (err: Error & { code?: string }) => err.code ?? 'other',
    ),
  );
  const results = await Promise.all(attempts);
  const refused = results.filter((r) => r === 'rate_limited').length;
  assert.equal(results.filter((r) => r === 'ok').length, 65, 'one running and 64 queued');
  assert.equal(refused, 35);
});

test('#11.9 hashes are shared fairly: one owner holds at most its share, and owners take turns for free slots', async () => {
  const hasher = new PasswordHasher(10, 1, 4);
  const order: string[] = [];
  const run = (owner: string, i: number) =>
    hasher.hash(`password ${i}`, owner).then(
      () => order.push(owner),
      (err: Error & { code?: string }) => order.push(`${owner}:${err.code}`),
    );
  // The flooder asks first, 10 times; the others once each, after it.
  const attempts = [...Array.from({ length: 10 }, (_, i) => run('flood', i)), run('alice', 0), run('bob', 0)];
  await Promise.all(attempts);
  assert.equal(
    order.filter((o) => o === 'flood:rate_limited').length,
    6,
    `past its share of 4 the flooder is refused: ${order.join(', ')}`,
  );
  const served = order.filter((o) => !o.includes(':'));
  // One running (flood), then turns: the flooder's next, alice, bob, ...: neither waits behind all of the flooder's.
  assert.ok(served.indexOf('alice') <= 2 && served.indexOf('bob') <= 3, `served in turns: ${served.join(', ')}`);
});
