// Seed 001 (Alice, Bob, Charlie): a private message, a room created and joined with a notice to its
// creator, group messages seen by every member, and an error for a user who does not exist.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { assertNotReceived, expectError } from '../../helpers/expect.js';
import { startServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test('seed 001: private message, /create CS350, join notice, group chat, and "User Nobody not found"', async () => {
  const alice = await TestClient.as(server.port, 'Alice');
  const bob = await TestClient.as(server.port, 'Bob');
  const charlie = await TestClient.as(server.port, 'Charlie');

  // /private Bob Hey Bob, how are you?  ->  Bob sees "[PRIVATE] Alice: Hey Bob, how are you?"
  const sent = await alice.ok({ status: 'private', receiver: 'Bob', text: 'Hey Bob, how are you?' });
  const got = await bob.event('private', { msgid: sent.msgid });
  assert.equal(got.sender, 'Alice');
  assert.equal(got.receiver, 'Bob');
  assert.equal(got.text, 'Hey Bob, how are you?');

  // /create CS350  ->  "Chat room 'CS350' created successfully!"
  const created = await alice.ok({ status: 'create', receiver: 'CS350' });
  assert.equal(created.receiver, 'CS350');
  assert.deepEqual(created.members, ['Alice']);

  // Bob: /join CS350  ->  Bob: "You joined 'CS350'."; Alice: "[CS350] Bob has joined the room."
  const joined = await bob.ok({ status: 'join', receiver: 'CS350' });
  assert.equal(joined.receiver, 'CS350');
  assert.deepEqual(joined.members, ['Alice', 'Bob']);
  const notice = await alice.event('system', { event: 'join', receiver: 'CS350' });
  assert.equal(notice.sender, 'Bob');
  assert.match(notice.text, /Bob/);
  assert.equal(typeof notice.msgid, 'number');

  // Both members talk in the room; each sees the other's message.
  const first = await alice.ok({
    status: 'group',
    receiver: 'CS350',
    text: 'Dr. Mokhtari is genuinely a great professor',
  });
  const atBob = await bob.event('group', { msgid: first.msgid });
  assert.equal(atBob.sender, 'Alice');
  assert.equal(atBob.receiver, 'CS350');
  assert.equal(atBob.text, 'Dr. Mokhtari is genuinely a great professor');
  const reply = await bob.ok({ status: 'group', receiver: 'CS350', text: 'I absolutely agree!' });
  const atAlice = await alice.event('group', { msgid: reply.msgid });
  assert.equal(atAlice.sender, 'Bob');
  assert.equal(atAlice.text, 'I absolutely agree!');
  assert.ok(reply.msgid > first.msgid, 'message ids increase');

  // Charlie: /private Nobody Hello there  ->  "[ERROR] User 'Nobody' not found."
  const error = await expectError(
    charlie,
    { status: 'private', receiver: 'Nobody', text: 'Hello there' },
    'no_such_user',
  );
  assert.match(error.text, /Nobody/);

  // Charlie is not in CS350 and saw none of it; he still chats normally.
  await assertNotReceived(charlie, (m) => m.receiver === 'CS350', 'anything about CS350');
  const hi = await charlie.ok({ status: 'private', receiver: 'Alice', text: 'hi' });
  await alice.event('private', { msgid: hi.msgid, sender: 'Charlie' });

  await Promise.all([alice.close(), bob.close(), charlie.close()]);
});
