// Graceful stop (src/server/main.ts): on SIGTERM every client, registered or not, is told with a
// shutdown event and let go, and the process exits 0.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, test } from 'node:test';
import { TestClient } from '../helpers/client.js';
import { expectClosed, withTimeout } from '../helpers/expect.js';
import { spawnServer, tempDataDir, type ChildServer } from '../helpers/server.js';

/** What a failing test must not leave behind. */
let clients: TestClient[] = [];
let running: ChildServer | null = null;

afterEach(async () => {
  for (const client of clients) await client.close();
  clients = [];
  if (running && running.child.exitCode === null && running.child.signalCode === null) await running.stop('SIGKILL');
  running = null;
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} sends every client a shutdown event, closes the connections and exits 0`, async () => {
    const dataDir = tempDataDir();
    try {
      const server = await spawnServer(dataDir);
      const alice = await TestClient.as(server.port, 'Alice');
      const bob = await TestClient.as(server.port, 'Bob');
      const anon = await TestClient.connect(server.port, 'anon');
      clients.push(alice, bob, anon);
      running = server;
      await anon.ok({ status: 'help' });
      // Alice and Bob are contacts, so a disconnect would normally be announced to the other.
      const hi = await alice.ok({ status: 'private', receiver: 'Bob', text: 'hi' });
      await bob.event('private', { msgid: hi.msgid });

      const code = await withTimeout(server.stop(signal), 8000, `the server to exit after ${signal}`);
      assert.equal(code, 0, `exit code; server output:\n${server.output().slice(-2000)}`);
      for (const client of [alice, bob, anon]) {
        const event = await client.event('system', { event: 'shutdown' });
        assert.equal(event.status, 'system');
        assert.equal(event.sender, 'server');
        assert.equal(typeof event.text, 'string');
        assert.ok(!Number.isNaN(Date.parse(event.ts)));
        await expectClosed(client);
        // The notice is the last thing a client gets (no presence noise from the others going away).
        assert.deepEqual(client.received.at(-1), event);
      }
      assert.match(server.output(), /"msg":"stopped"/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
