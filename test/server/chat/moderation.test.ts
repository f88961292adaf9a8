// Roles (issue #4): an admin kicks users off the server, mutes them for a time and deletes rooms; a
// room's owner kicks from it and deletes it; nobody else may do any of that.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { assertNotReceived, assertPrivateFlows, expectClosed, expectError } from '../../helpers/expect.js';
import { runAdmin, startServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
let admin: TestClient;
before(async () => {
  server = await startServer();
  const created = await runAdmin(server.dataDir, ['add-user', 'Prof', '--admin'], 'professor password\n');
  assert.equal(created.code, 0, created.stderr);
  admin = await TestClient.connect(server.port, 'Prof');
  await admin.ok({ status: 'login', sender: 'Prof', password: 'professor password' });
});
after(async () => {
  await admin.close();
  await server.stop();
});

test('moderation: an admin kicks a user off the server; the user is told why and contacts see them leave', async () => {
  const rowdy = await TestClient.as(server.port, 'Rowdy');
  const friend = await TestClient.as(server.port, 'RowdyFriend');
  await friend.ok({ status: 'private', receiver: 'Rowdy', text: 'hi' });
  await admin.ok({ status: 'kick', receiver: 'rowdy', text: 'spamming' });
  const notice = await rowdy.waitFor((m) => m.code === 'kicked', 3000, 'the kick notice');
  assert.match(notice.text, /Prof.*spamming/);
  await expectClosed(rowdy);
  await friend.event('system', { event: 'disconnect', sender: 'Rowdy' });
  await friend.close();
});

test('moderation: a user who is not an admin cannot kick, mute or delete what is not theirs', async () => {
  const a = await TestClient.as(server.port, 'PlainA');
  const b = await TestClient.as(server.port, 'PlainB');
  await b.ok({ status: 'create', receiver: 'BsRoom', members: ['PlainA'] });
  await expectError(a, { status: 'kick', receiver: 'PlainB' }, 'forbidden');
  await expectError(a, { status: 'mute', receiver: 'PlainB', seconds: 60 }, 'forbidden');
  await expectError(a, { status: 'kick', receiver: 'PlainB', room: 'BsRoom' }, 'forbidden');
  await expectError(a, { status: 'delete', receiver: 'BsRoom' }, 'forbidden');
  await assertPrivateFlows(a, b); // nothing happened to B
  await a.close();
  await b.close();
});

test('moderation: a room owner kicks a member from the room; the member and the others are told; it is in history', async () => {
  const owner = await TestClient.as(server.port, 'RoomOwner');
  const member = await TestClient.as(server.port, 'Member1');
  const other = await TestClient.as(server.port, 'Member2');
  await owner.ok({ status: 'create', receiver: 'OwnedRoom', members: ['Member1', 'Member2'] });
  await owner.ok({ status: 'kick', receiver: 'Member1', room: 'OwnedRoom', text: 'off topic' });
  const told = await member.event('system', { event: 'kicked', receiver: 'OwnedRoom' });
  assert.match(told.text, /Member1 was removed from OwnedRoom by RoomOwner: off topic/);
  await other.event('system', { event: 'kicked', receiver: 'OwnedRoom' });
  await expectError(member, { status: 'group', receiver: 'OwnedRoom', text: 'let me back' }, 'not_a_member');
  const members = await other.ok({ status: 'members', receiver: 'OwnedRoom' });
  assert.deepEqual(members.members.map((m: { name: string }) => m.name).sort(), ['Member2', 'RoomOwner']);
  const history = await other.ok({ status: 'history', receiver: 'OwnedRoom' });
  assert.ok(history.messages.some((m: { event?: string }) => m.event === 'kicked'));
  await expectError(owner, { status: 'kick', receiver: 'Member1', room: 'OwnedRoom' }, 'not_a_member');
  for (const c of [owner, member, other]) await c.close();
});

test('moderation: an admin mutes a user for a time: messages are refused with muted, others are not', async () => {
  const loud = await TestClient.as(server.port, 'Loud');
  const quiet = await TestClient.as(server.port, 'Quiet');
  const reply = await admin.ok({ status: 'mute', receiver: 'Loud', seconds: 600, text: 'cool down' });
  assert.ok(Date.parse(reply.until) > Date.now() + 590_000);
  const told = await loud.event('system', { event: 'muted' });
  assert.match(told.text, /cool down/);
  const refused = await expectError(loud, { status: 'private', receiver: 'Quiet', text: 'hey' }, 'muted');
  assert.ok(refused.retry_after_ms > 590_000);
  await expectError(loud, { status: 'broadcast', text: 'hey all' }, 'muted');
  await loud.ok({ status: 'who' }); // everything else still works
  await assertPrivateFlows(quiet, loud);
  // The mute outlives a reconnect.
  await loud.close();
  const back = await TestClient.back(server.port, loud);
  await expectError(back, { status: 'private', receiver: 'Quiet', text: 'again' }, 'muted');
  await admin.ok({ status: 'mute', receiver: 'Loud', seconds: 0 });
  await back.event('system', { event: 'muted' });
  await assertPrivateFlows(back, quiet);
  await back.close();
  await quiet.close();
});

test('moderation: an admin deletes a room; its online members are told and it is gone', async () => {
  const owner = await TestClient.as(server.port, 'DelOwner');
  const member = await TestClient.as(server.port, 'DelMember');
  await owner.ok({ status: 'create', receiver: 'Doomed', members: ['DelMember'] });
  await admin.ok({ status: 'delete', receiver: 'Doomed' });
  for (const c of [owner, member]) await c.event('system', { event: 'deleted', receiver: 'Doomed' });
  await expectError(member, { status: 'group', receiver: 'Doomed', text: 'hello?' }, 'no_such_room');
  const rooms = await member.ok({ status: 'rooms' });
  assert.equal(JSON.stringify(rooms).includes('Doomed'), false);
  // The name is free for a new room.
  await member.ok({ status: 'create', receiver: 'Doomed' });
  await owner.close();
  await member.close();
});

test('moderation: a room owner deletes their own room', async () => {
  const owner = await TestClient.as(server.port, 'SelfOwner');
  const member = await TestClient.as(server.port, 'SelfMember');
  await owner.ok({ status: 'create', receiver: 'MyRoom', members: ['SelfMember'] });
  await expectError(member, { status: 'delete', receiver: 'MyRoom' }, 'forbidden');
  await owner.ok({ status: 'delete', receiver: 'MyRoom' });
  await member.event('system', { event: 'deleted', receiver: 'MyRoom' });
  await assertNotReceived(owner, (m) => m.event === 'deleted', 'its own deletion event (it got the reply)');
  await owner.close();
  await member.close();
});
