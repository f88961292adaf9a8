// Contacts' online/offline events in a burst are one line (issue #12.7): after a server restart the
// client said "X is online" once per contact. A lone event is still shown at once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, test } from 'node:test';
import { PresenceBursts } from '../../src/client/presence-bursts.js';
import { ChatProcess } from '../helpers/chat-process.js';
import { TestClient } from '../helpers/client.js';
import { freePort, spawnServer, startServer, tempDataDir } from '../helpers/server.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const presence = (event: string, sender: string) => ({
  status: 'system',
  event,
  sender,
  receiver: 'everyone',
  text: `${sender} ${event === 'connect' ? 'is online' : 'has left the chat'}`,
  ts: '2026-12-01T00:00:00.000Z',
});

/** Resolves once `check` holds, polling the timers' results; fails after `timeoutMs`. */
async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('#12.7 a lone presence event is shown at once; the rest of a burst is held and shown as one line', async () => {
  let clock = 0;
  const shown: string[] = [];
  const bursts = new PresenceBursts(
    (e) => shown.push(e.text),
    { quietMs: 40, settleMs: 200, maxHoldMs: 400 },
    () => clock,
  );
  bursts.push(presence('connect', 'Bob'));
  assert.deepEqual(shown, ['Bob is online'], 'shown at once, not after a delay');
  clock += 10;
  bursts.push(presence('connect', 'Carol'));
  bursts.push(presence('connect', 'Dave'));
  bursts.push(presence('disconnect', 'Erin'));
  bursts.push({ status: 'system', event: 'muted', sender: 'server', text: 'Prof muted you' });
  assert.deepEqual(shown, ['Bob is online', 'Prof muted you'], 'other events are not held');
  await until(() => shown.length === 4, 'the burst line');
  assert.deepEqual(shown.slice(2), ['online: Carol, Dave', 'Erin has left the chat']);

  // After a reconnect even the first is held: the contacts are reconnecting too.
  clock += 1000;
  bursts.reconnected();
  bursts.push(presence('connect', 'Bob'));
  clock += 5;
  bursts.push(presence('connect', 'Carol'));
  assert.equal(shown.length, 4);
  await until(() => shown.length === 5, 'the reconnect burst line');
  assert.equal(shown[4], 'online: Bob, Carol');
});

test('#12.7 after a server restart the client shows its contacts coming back as one line', async () => {
  const dataDir = tempDataDir();
  cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  let server = await spawnServer(dataDir, ['--port', String(port)]);
  cleanup.push(() => server.child.exitCode === null && server.stop('SIGKILL'));
  const contacts = await Promise.all(['PrBob', 'PrCarol', 'PrDave'].map((name) => TestClient.as(port, name)));
  await contacts[0]!.ok({ status: 'create', receiver: 'PrRoom', members: ['PrCarol', 'PrDave'] });

  const alice = ChatProcess.start(port, ['--user', 'PrAlice']);
  cleanup.push(() => alice.kill());
  await alice.waitFor(/welcome, PrAlice/);
  alice.type('/join PrRoom');
  await alice.waitFor(/joined PrRoom/);

  const mark = alice.lines.length;
  for (const c of contacts) await c.close();
  assert.equal(await server.stop('SIGTERM'), 0);
  await alice.waitFor(/reconnecting/, mark);
  server = await spawnServer(dataDir, ['--port', String(port)]);
  await alice.waitFor(/reconnected as PrAlice/, mark, 20_000);
  const back = await Promise.all(contacts.map((c) => TestClient.back(port, c)));
  cleanup.push(() => Promise.all(back.map((c) => c.close())));

  await alice.waitFor(/\* online: PrBob, PrCarol, PrDave$/, mark);
  assert.deepEqual(
    alice.lines.slice(mark).filter((l) => /is online/.test(l)),
    [],
    'no line per contact',
  );
  alice.type('/exit');
  assert.equal(await alice.exit(), 0);
});

test('#12.7 a contact coming online alone is shown at once, before what they say next', async () => {
  const server = await startServer();
  cleanup.push(() => server.stop());
  const hal = await TestClient.as(server.port, 'LoHal');
  await hal.ok({ status: 'create', receiver: 'LoRoom' });
  await hal.ok({ status: 'exit' });
  const ivy = ChatProcess.start(server.port, ['--user', 'LoIvy']);
  cleanup.push(() => ivy.kill());
  await ivy.waitFor(/welcome, LoIvy/);
  ivy.type('/join LoRoom');
  await ivy.waitFor(/joined LoRoom/);

  const halBack = await TestClient.back(server.port, hal);
  cleanup.push(() => halBack.close());
  await halBack.ok({ status: 'group', receiver: 'LoRoom', text: 'hello after login' });
  await ivy.waitFor(/<LoHal> hello after login/);
  const online = ivy.lines.findIndex((l) => /\* LoHal is online$/.test(l));
  const said = ivy.lines.findIndex((l) => /<LoHal> hello after login/.test(l));
  assert.ok(online !== -1 && online < said, `the event first, at once:\n${ivy.lines.join('\n')}`);
  ivy.type('/exit');
  assert.equal(await ivy.exit(), 0);
});
