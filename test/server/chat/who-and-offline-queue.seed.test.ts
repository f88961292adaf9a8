// Seed 002 (Alice, Bob): unique usernames, "server:who", room entry and exit announced, and a private
// message to a user who is away, stored and delivered when he reconnects.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { assertNotReceived, expectClosed, expectError, receivedBetween } from '../../helpers/expect.js';
import { startServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test('seed 002: who lists the users online; a taken name must be changed', async () => {
  const alice = await TestClient.as(server.port, 'Alice');
  const bob = await TestClient.as(server.port, 'Bob');

  const who = await alice.ok({ status: 'who' });
  assert.deepEqual(who.users, ['Alice', 'Bob']);
  assert.match(who.text, /Alice/);

  // "If it's taken, you'll need to choose a new one."
  const late = await TestClient.connect(server.port, 'late');
  await expectError(late, { status: 'register', sender: 'Bob' }, 'name_taken');
  const ok = await late.ok({ status: 'register', sender: 'Bobby' });
  assert.equal(ok.sender, 'Bobby');
  assert.deepEqual((await bob.ok({ status: 'who' })).users, ['Alice', 'Bob', 'Bobby']);

  // server:exit frees the name: it is no longer listed.
  await late.ok({ status: 'exit' });
  await expectClosed(late);
  assert.deepEqual((await alice.ok({ status: 'who' })).users, ['Alice', 'Bob']);

  await Promise.all([alice.close(), bob.close()]);
});

test('seed 002: teamchat, entry and exit announced; a message to Bob while he is away reaches him when he reconnects', async () => {
  const alice = await TestClient.as(server.port, 'Ann');
  let bob = await TestClient.as(server.port, 'Ben');

  // 1. Alice joins room teamchat, Bob joins the same.
  await alice.ok({ status: 'create', receiver: 'teamchat' });
  await bob.ok({ status: 'join', receiver: 'teamchat' });
  const entered = await alice.event('system', { event: 'join', receiver: 'teamchat' });
  assert.equal(entered.sender, 'Ben');

  // 2./3. Alice types "Hello team!"; Bob sees "Alice (in teamchat): Hello team!"
  const hello = await alice.ok({ status: 'group', receiver: 'teamchat', text: 'Hello team!' });
  const seen = await bob.event('group', { msgid: hello.msgid });
  assert.equal(seen.sender, 'Ann');
  assert.equal(seen.receiver, 'teamchat');
  assert.equal(seen.text, 'Hello team!');

  // 4. Bob types leave: he exits the room, and Alice is told.
  const left = await bob.ok({ status: 'leave', receiver: 'teamchat' });
  assert.equal(left.deleted, false);
  const exitNotice = await alice.event('system', { event: 'leave', receiver: 'teamchat' });
  assert.equal(exitNotice.sender, 'Ben');
  await alice.ok({ status: 'group', receiver: 'teamchat', text: 'Ben is gone' });
  await assertNotReceived(bob, (m) => m.text === 'Ben is gone', 'a message of a room he left');

  // 5. Bob disconnects; Alice's private message waits for him.
  await bob.ok({ status: 'exit' });
  await expectClosed(bob);
  const queued = await alice.ok({ status: 'private', receiver: 'Ben', text: 'see this when you are back' });
  assert.equal(queued.queued, true);

  bob = await TestClient.back(server.port, bob);
  const login = bob.welcome!;
  assert.equal(login.waiting, 1);
  const delivered = await bob.event('private', { msgid: queued.msgid });
  assert.equal(delivered.sender, 'Ann');
  assert.equal(delivered.text, 'see this when you are back');
  assert.equal(delivered.ts, queued.ts);
  // It came right after the register reply, before anything else.
  assert.deepEqual(receivedBetween(bob, login)[0], delivered);

  await Promise.all([alice.close(), bob.close()]);
});
