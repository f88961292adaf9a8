// Issue #11.12 (a): 60 open-mode users storing private messages wrote 5.3 MiB/s from one address. The
// bytes of messages one user, and one address, may store an hour are bounded: past the budget the
// request gets rate_limited with retry_after_ms, and nothing is stored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestClient, type Obj } from '../../helpers/client.js';
import { startServer } from '../../helpers/server.js';

const BUDGET = 20_000;
const text = (tag: string) => `${tag} `.padEnd(4000, 'b');

test('#11.12 a user past their stored-bytes budget for the hour is refused with rate_limited and retry_after_ms; others are not', async () => {
  const server = await startServer({ limits: { storedBytesPerHour: BUDGET, storedBytesPerHourPerAddress: 1e12 } });
  const clients: TestClient[] = [];
  try {
    const [alice, bob] = [await TestClient.as(server.port, 'Alice'), await TestClient.as(server.port, 'Bob')];
    clients.push(alice, bob);
    let sent = 0;
    let refused: Obj | null = null;
    for (let i = 0; i < 10 && !refused; i++) {
      const reply = await alice.request({ status: 'private', receiver: 'Bob', text: text(`m${i}`) });
      if (reply.status === 'ok') sent++;
      else refused = reply;
    }
    assert.equal(sent, 4, 'four 4 KB messages fit a 20,000-byte budget, the fifth does not');
    assert.equal(refused!.code, 'rate_limited');
    assert.match(refused!.text, /this hour/);
    // The time the missing bytes take to refill at 20,000 bytes an hour (a few hundred bytes: about a minute).
    assert.ok(
      refused!.retry_after_ms > 10_000 && refused!.retry_after_ms <= 3_600_000,
      `retry_after_ms ${refused!.retry_after_ms}`,
    );
    const history = await bob.ok({ status: 'history', receiver: 'Alice', limit: 50 });
    assert.equal(history.messages.length, 4, 'the refused message was not stored');
    // Bob has his own budget; reading is not counted.
    await bob.ok({ status: 'private', receiver: 'Alice', text: text('b0') });
    await alice.ok({ status: 'history', receiver: 'Bob' });
  } finally {
    for (const c of clients) await c.close();
    await server.stop();
  }
});

test('#11.12 names are free in open mode, so one address has a budget too; an exempt address does not', async () => {
  for (const exempt of [false, true]) {
    const server = await startServer({
      limits: { storedBytesPerHour: 1e12, storedBytesPerHourPerAddress: BUDGET },
      exempt: exempt ? ['127.0.0.1'] : [],
    });
    const clients: TestClient[] = [];
    try {
      const target = await TestClient.as(server.port, 'Target');
      clients.push(target);
      const replies: Obj[] = [];
      // A fresh name for every message, all from 127.0.0.1.
      for (let i = 0; i < 6; i++) {
        const sock = await TestClient.as(server.port, `Sock${i}`);
        clients.push(sock);
        replies.push(await sock.request({ status: 'private', receiver: 'Target', text: text(`s${i}`) }));
      }
      const codes = replies.map((r) => r.code ?? r.status);
      if (exempt)
        assert.deepEqual(codes, ['ok', 'ok', 'ok', 'ok', 'ok', 'ok'], 'an exempt address has no per-address budget');
      else {
        assert.deepEqual(codes, ['ok', 'ok', 'ok', 'ok', 'rate_limited', 'rate_limited']);
        assert.match(replies[4]!.text, /your address/);
      }
    } finally {
      for (const c of clients) await c.close();
      await server.stop();
    }
  }
});
