// Seed 004 (JOIN, MSG, LEAVE, LIST, unique nicknames): rooms joined and left with notices, room and
// private messages, and LIST showing the rooms and the users online.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { assertNotReceived, expectError } from '../../helpers/expect.js';
import { startServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test('seed 004: JOIN general, MSG to the room and MSG john:..., LIST rooms and users, LEAVE', async () => {
  const mike = await TestClient.as(server.port, 'mike');
  const john = await TestClient.as(server.port, 'john');
  const sara = await TestClient.as(server.port, 'sara');

  // Nickname uniqueness, whatever the case.
  const dup = await TestClient.connect(server.port, 'dup');
  await expectError(dup, { status: 'register', sender: 'JOHN' }, 'name_taken');
  await dup.close();

  // JOIN general: the room does not exist yet, so mike creates it; john joins it.
  await expectError(mike, { status: 'join', receiver: 'general' }, 'no_such_room');
  await mike.ok({ status: 'create', receiver: 'general' });
  const joined = await john.ok({ status: 'join', receiver: 'general' });
  assert.deepEqual(joined.members, ['mike', 'john']);
  assert.equal((await mike.event('system', { event: 'join', receiver: 'general' })).sender, 'john');
  await expectError(john, { status: 'join', receiver: 'GENERAL' }, 'already_a_member');

  // MSG Hello everyone!  (to the current room)
  const hello = await mike.ok({ status: 'group', receiver: 'general', text: 'Hello everyone!' });
  const got = await john.event('group', { msgid: hello.msgid });
  assert.equal(got.sender, 'mike');
  assert.equal(got.text, 'Hello everyone!');
  await assertNotReceived(sara, (m) => m.text === 'Hello everyone!', 'a message of a room she is not in');

  // MSG john:Hey, how are you?
  const dm = await sara.ok({ status: 'private', receiver: 'john', text: 'Hey, how are you?' });
  const atJohn = await john.event('private', { msgid: dm.msgid });
  assert.equal(atJohn.sender, 'sara');
  assert.equal(atJohn.text, 'Hey, how are you?');

  // Users can be in several rooms: sara opens "random", john joins it too.
  await sara.ok({ status: 'create', receiver: 'random' });
  await john.ok({ status: 'join', receiver: 'random' });

  // LIST: active users and rooms.
  const who = await sara.ok({ status: 'who' });
  assert.deepEqual(who.users, ['john', 'mike', 'sara']);
  const rooms = await sara.ok({ status: 'rooms' });
  assert.deepEqual(rooms.rooms, [
    { name: 'general', members: 2, online: 2 },
    { name: 'random', members: 2, online: 2 },
  ]);

  // LEAVE general: mike is told; john no longer gets its messages; LIST shows one member.
  const left = await john.ok({ status: 'leave', receiver: 'general' });
  assert.equal(left.deleted, false);
  assert.equal((await mike.event('system', { event: 'leave', receiver: 'general' })).sender, 'john');
  await mike.ok({ status: 'group', receiver: 'general', text: 'anyone here?' });
  await assertNotReceived(john, (m) => m.text === 'anyone here?', 'a message of a room he left');
  await expectError(john, { status: 'group', receiver: 'general', text: 'back?' }, 'not_a_member');
  const after = await john.ok({ status: 'rooms' });
  assert.deepEqual(after.rooms, [
    { name: 'general', members: 1, online: 1 },
    { name: 'random', members: 2, online: 2 },
  ]);

  // QUIT: the user disappears from LIST (who), and from the online count of his rooms.
  await john.ok({ status: 'exit' });
  await john.closed;
  assert.deepEqual((await sara.ok({ status: 'who' })).users, ['mike', 'sara']);
  assert.deepEqual((await sara.ok({ status: 'rooms' })).rooms[1], { name: 'random', members: 2, online: 1 });

  await Promise.all([mike.close(), sara.close()]);
});
