// Issue #11.12 (d): on a full disk the server stopped and its shutdown crashed with an unhandled
// SqliteError. A disk error while storing now stops the server cleanly: every client is told, no
// unhandled error, exit code 1, and every acknowledged message is still there after a restart.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, test } from 'node:test';
import { TestClient } from '../helpers/client.js';
import { expectClosed, withTimeout } from '../helpers/expect.js';
import { spawnServer, tempDataDir, type ChildServer } from '../helpers/server.js';

let clients: TestClient[] = [];
let running: ChildServer | null = null;

afterEach(async () => {
  for (const client of clients) await client.close();
  clients = [];
  if (running && running.child.exitCode === null && running.child.signalCode === null) await running.stop('SIGKILL');
  running = null;
});

test('#11.12 a full database (SQLITE_FULL) stops the server cleanly: clients told, exit 1, no unhandled error, acknowledged messages kept', async () => {
  const dataDir = tempDataDir();
  try {
    // The database may grow by a few pages, then SQLite reports SQLITE_FULL as on a full disk.
    const server = await spawnServer(dataDir, ['--flood-rate', '100000', '--flood-burst', '100000'], 10_000, {
      CLASSCHAT_TEST_DB_SPARE_PAGES: '12',
    });
    running = server;
    const alice = await TestClient.as(server.port, 'Alice');
    const bob = await TestClient.as(server.port, 'Bob');
    const reader = await TestClient.connect(server.port, 'reader');
    clients.push(alice, bob, reader);
    await reader.ok({ status: 'help' });

    const acknowledged: number[] = [];
    const text = 'x'.repeat(3000);
    let refused: Record<string, unknown> | null = null;
    for (let i = 0; i < 200 && refused === null; i++) {
      // The message that fills the disk gets no reply (its tick is not committed): the shutdown comes instead.
      const id = `fill-${i}`;
      const replied = alice.waitFor((m) => m.ref === id || m.event === 'shutdown', 5000, `a reply to ${id}`);
      alice.send({ id, status: 'private', receiver: 'Bob', text: `${i} ${text}` });
      const reply = await replied;
      if (reply.status === 'ok') acknowledged.push(reply.msgid);
      else refused = reply;
    }
    assert.ok(refused !== null, 'the database filled up within 200 messages');
    assert.ok(acknowledged.length > 0, 'some messages were stored before it filled up');

    const code = await withTimeout(server.exited, 10_000, 'the server to exit after the storage failure').catch(
      (err: Error) => {
        throw new Error(
          `${err.message}; refused with ${JSON.stringify(refused)}; server output:\n${server.output().slice(-3000)}`,
        );
      },
    );
    assert.equal(code, 1, `exit code; server output:\n${server.output().slice(-3000)}`);
    for (const client of [alice, bob, reader]) {
      const event =
        client.received.find((m) => m.event === 'shutdown') ?? (await client.event('system', { event: 'shutdown' }));
      assert.match(event.text, /storage failure/);
      await expectClosed(client);
    }
    const stderr = server.stderr();
    assert.doesNotMatch(stderr, /Unhandled|uncaught|SqliteError|node:internal/i, `stderr:\n${stderr}`);
    assert.match(server.output(), /"msg":"commit failed/);
    assert.match(server.output(), /"msg":"stopped"/);

    // Every acknowledged message survived; the refused one was not stored half-way either.
    const again = await spawnServer(dataDir);
    running = again;
    const back = await TestClient.back(again.port, bob);
    clients.push(back);
    const history = await back.ok({ status: 'history', receiver: 'Alice', limit: 200 });
    const stored = new Set(history.messages.map((m: { msgid: number }) => m.msgid));
    for (const msgid of acknowledged) assert.ok(stored.has(msgid), `acknowledged message ${msgid} is in history`);
    assert.equal(await again.stop(), 0);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
