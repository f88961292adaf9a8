// Issue #11.5: a login with a huge `sender` is refused before any lookup and remembers nothing; the
// login guard's memory is bounded in bytes; failures are limited per address, not only per connection.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestClient, type Obj } from '../../helpers/client.js';
import { expectError } from '../../helpers/expect.js';
import { startServer } from '../../helpers/server.js';
import { DEFAULT_LIMITS } from '../../../src/server/limits.js';

const MIB = 1024 * 1024;
const PASSWORD = 'the right password';

test('#11.5 5,000 logins with a 60 KB sender and a wrong token get invalid_name and leave the guard and RSS bounded', async () => {
  const server = await startServer({ limits: { loginFailuresPerMinute: DEFAULT_LIMITS.loginFailuresPerMinute } });
  try {
    const ATTEMPTS = 5000;
    const PER_CONNECTION = DEFAULT_LIMITS.loginFailuresPerMinute; // what one connection may fail before its own limit
    const WORKERS = 20;
    const padding = 'x'.repeat(60 * 1024);
    const codes = new Map<string, number>();
    let next = 0;
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    // Fresh connections, as in the report: each makes the attempts its connection allows, then closes.
    const worker = async () => {
      while (next < ATTEMPTS) {
        const c = await TestClient.connect(server.port, 'huge-sender');
        for (let i = 0; i < PER_CONNECTION && next < ATTEMPTS; i++) {
          const reply: Obj = await c.request(
            { status: 'login', sender: `${next++}${padding}`, token: 'not a token' },
            10_000,
          );
          codes.set(reply.code, (codes.get(reply.code) ?? 0) + 1);
        }
        await c.close();
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    const growthMiB = (process.memoryUsage().rss - rssBefore) / MIB;
    const seconds = (performance.now() - started) / 1000;
    const guardBytes = (server.server.accounts as unknown as { guard: { bytes?: number } }).guard.bytes;
    console.log(
      `#11.5: ${ATTEMPTS} attempts with a 60 KB sender in ${seconds.toFixed(1)} s: RSS grew ${growthMiB.toFixed(1)} MiB; guard ${guardBytes} bytes; replies ${JSON.stringify([...codes])}`,
    );
    // The old guard kept every 60 KB name: ~300 MB for 5,000 attempts (1.29 GB for 20,061 in the report).
    assert.ok(growthMiB < 150, `RSS grew ${growthMiB.toFixed(1)} MiB over ${ATTEMPTS} attempts`);
    assert.equal(typeof guardBytes, 'number', 'the guard reports its memory in bytes');
    assert.equal(guardBytes, 0, 'an invalid name leaves nothing in the guard');
    assert.deepEqual([...codes], [['invalid_name', ATTEMPTS]]);
  } finally {
    await server.stop();
  }
});

test('#11.5 failed logins at thousands of valid names keep the guard within its byte budget', async () => {
  const budget = 64 * 1024;
  const server = await startServer({
    limits: { loginGuardBytes: budget, loginFailuresPerMinute: 1_000_000, loginFailuresPerAddress: 1_000_000 },
  });
  try {
    const clients = await Promise.all(
      Array.from({ length: 4 }, (_, i) => TestClient.connect(server.port, `sweeper${i}`)),
    );
    await Promise.all(
      clients.map(async (c, w) => {
        for (let i = 0; i < 500; i++)
          await expectError(c, { status: 'login', sender: `ghost-${w}-${i}`, token: 'not a token' }, 'auth_failed');
      }),
    );
    const guard = (server.server.accounts as unknown as { guard: { bytes?: number } }).guard;
    console.log(`#11.5: 2,000 failed names: guard ${guard.bytes} bytes (budget ${budget})`);
    assert.equal(typeof guard.bytes, 'number', 'the guard reports its memory in bytes');
    assert.ok(guard.bytes! > 0 && guard.bytes! <= budget, `guard holds ${guard.bytes} bytes, budget ${budget}`);
    // The newest failures are the ones kept: the last name is still counted (5 more fail, then a lock).
    const c = clients[0]!;
    for (let i = 1; i < DEFAULT_LIMITS.accountFailuresBeforeLock; i++)
      await expectError(c, { status: 'login', sender: 'ghost-0-499', token: 'not a token' }, 'auth_failed');
    await expectError(c, { status: 'login', sender: 'ghost-0-499', token: 'not a token' }, 'rate_limited');
    await Promise.all(clients.map((client) => client.close()));
  } finally {
    await server.stop();
  }
});

test('#11.5 failures from one address over several connections refuse a new connection from that address, not from others', async () => {
  const perConnection = 3;
  const perAddress = 6;
  // 127.0.0.2 and .3 stand in for two hosts: loopback is not grouped as one (issue #11.17).
  const server = await startServer({
    limits: { loginFailuresPerMinute: perConnection, loginFailuresPerAddress: perAddress, loopbackOneHost: 0 },
  });
  try {
    const owner = await TestClient.connectFrom(server.port, '127.0.0.3', 'owner');
    const { token } = await owner.ok({ status: 'register', sender: 'Owner5', password: PASSWORD });
    await owner.close();
    // Two connections from 127.0.0.2, each within its own limit, at different names (no name lock).
    for (let c = 0; c < perAddress / perConnection; c++) {
      const guesser = await TestClient.connectFrom(server.port, '127.0.0.2', `guesser${c}`);
      for (let i = 0; i < perConnection; i++)
        await expectError(
          guesser,
          { status: 'login', sender: `victim-${c}-${i}`, token: 'not a token' },
          'auth_failed',
        );
      await guesser.close();
    }
    const fresh = await TestClient.connectFrom(server.port, '127.0.0.2', 'fresh');
    const limited = await expectError(fresh, { status: 'login', sender: 'Owner5', password: PASSWORD }, 'rate_limited');
    assert.ok(limited.retry_after_ms > 0 && limited.retry_after_ms <= 60_000, JSON.stringify(limited));
    // A valid token still logs in from there (issue #11.10), and another address is not limited.
    await fresh.ok({ status: 'login', sender: 'Owner5', token });
    await fresh.close();
    const other = await TestClient.connectFrom(server.port, '127.0.0.4', 'other');
    await other.ok({ status: 'login', sender: 'Owner5', password: PASSWORD });
    await other.close();
  } finally {
    await server.stop();
  }
});
