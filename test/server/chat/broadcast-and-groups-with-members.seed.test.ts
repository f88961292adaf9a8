// Seed 003 (Bob, Alice, John, Mary, Dr.ABC, Tom): a message to everyone, a group created with its
// members (who are told; others are not), a non-member refused, and the group deleted with its last member.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { assertNotReceived, expectClosed, expectError } from '../../helpers/expect.js';
import { startServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test('seed 003: broadcast, a group with members, a non-member refused, the group deleted with its last member', async () => {
  const bob = await TestClient.as(server.port, 'Bob');
  // "Case 2: If username is not accepted or is duplicate, user will be prompted to enter new username."
  const duplicate = await TestClient.connect(server.port, 'duplicate');
  await expectError(duplicate, { status: 'register', sender: 'Bob' }, 'name_taken');
  await duplicate.close();
  const alice = await TestClient.as(server.port, 'Alice');
  const john = await TestClient.as(server.port, 'John');
  const mary = await TestClient.as(server.port, 'Mary');
  const drAbc = await TestClient.as(server.port, 'Dr.ABC');
  const tom = await TestClient.as(server.port, 'Tom');
  const everyone = [bob, alice, john, mary, drAbc, tom];

  // 4. Bob types "hello": every client but Bob receives it; receiver is everyone.
  const hello = await bob.ok({ status: 'broadcast', text: 'hello' });
  assert.equal(hello.receiver, 'everyone');
  assert.equal(hello.delivered, 5);
  for (const client of everyone.filter((c) => c !== bob)) {
    const got = await client.event('broadcast', { msgid: hello.msgid });
    assert.equal(got.sender, 'Bob');
    assert.equal(got.receiver, 'everyone');
    assert.equal(got.text, 'hello');
  }
  await assertNotReceived(bob, (m) => m.status === 'broadcast', 'his own broadcast');

  // 5. Alice>Bob:Hello Bob ; Mary>Ram:Hello Ram (Ram never connected) gets an error.
  const dm = await alice.ok({ status: 'private', receiver: 'Bob', text: 'Hello Bob' });
  assert.equal((await bob.event('private', { msgid: dm.msgid })).sender, 'Alice');
  await expectError(mary, { status: 'private', receiver: 'Ram', text: 'Hello Ram' }, 'no_such_user');

  // 6. group groupStudent Bob,Mary,John,Alice,Tom: the members are told; Dr.ABC is not.
  const created = await bob.ok({
    status: 'create',
    receiver: 'groupStudent',
    members: ['Bob', 'Mary', 'John', 'Alice', 'Tom'],
  });
  assert.deepEqual(created.members, ['Bob', 'Mary', 'John', 'Alice', 'Tom']);
  for (const member of [mary, john, alice, tom]) {
    const told = await member.event('system', { event: 'created', receiver: 'groupStudent' });
    assert.equal(told.sender, 'Bob');
  }
  await assertNotReceived(drAbc, (m) => m.receiver === 'groupStudent', 'the creation of a group he is not in');
  const members = await drAbc.ok({ status: 'members', receiver: 'groupStudent' });
  assert.deepEqual(
    members.members.map((m: { name: string }) => m.name),
    ['Alice', 'Bob', 'John', 'Mary', 'Tom'],
  );

  // 7. groupStudent: hello guys!  reaches the other four members, not Dr.ABC.
  const guys = await mary.ok({ status: 'group', receiver: 'groupStudent', text: 'hello guys!' });
  for (const member of [bob, john, alice, tom]) {
    const got = await member.event('group', { msgid: guys.msgid });
    assert.equal(got.sender, 'Mary');
    assert.equal(got.text, 'hello guys!');
  }
  // Dr.ABC>groupStudent:Hello students!!!  is refused and nobody gets it.
  await expectError(drAbc, { status: 'group', receiver: 'groupStudent', text: 'Hello students!!!' }, 'not_a_member');
  for (const client of everyone) {
    await assertNotReceived(
      client,
      (m) => m.text === 'Hello students!!!' || (m.receiver === 'groupStudent' && m.sender === 'Dr.ABC'),
      "Dr.ABC's refused group message",
    );
  }

  // 8. Tom exits; the group still reaches the others.
  await tom.ok({ status: 'exit' });
  await expectClosed(tom);
  const howIs = await alice.ok({ status: 'group', receiver: 'groupStudent', text: 'How is everybody doing?' });
  for (const member of [bob, john, mary]) await member.event('group', { msgid: howIs.msgid });
  const online = await mary.ok({ status: 'members', receiver: 'groupStudent' });
  assert.deepEqual(
    online.members.find((m: { name: string }) => m.name === 'Tom'),
    { name: 'Tom', online: false },
  );

  // 10. Everyone else leaves the group; when its last member leaves it is deleted.
  for (const client of [alice, bob, john]) {
    const left = await client.ok({ status: 'leave', receiver: 'groupStudent' });
    assert.equal(left.deleted, false);
  }
  const tomAgain = await TestClient.back(server.port, tom); // 13. a name is free again after exit, for its owner (issue #11.1)
  assert.equal((await tomAgain.ok({ status: 'leave', receiver: 'groupStudent' })).deleted, false);
  const last = await mary.ok({ status: 'leave', receiver: 'groupStudent' });
  assert.equal(last.deleted, true);
  const rooms = await mary.ok({ status: 'rooms' });
  assert.deepEqual(rooms.rooms, []);
  await expectError(mary, { status: 'group', receiver: 'groupStudent', text: 'Helllooooo' }, 'no_such_room');
  await expectError(drAbc, { status: 'join', receiver: 'groupStudent' }, 'no_such_room');

  await Promise.all([...everyone, tomAgain].map((c) => c.close()));
});
