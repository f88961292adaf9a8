// Rooms: create (with members), join, leave, members and rooms lists, membership that outlives a
// connection, and deletion with the last member (issue #2; seeds 000, 001, 003, 004).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient, type Obj } from '../../helpers/client.js';
import { assertNotReceived, expectError } from '../../helpers/expect.js';
import { startServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

const names = (list: { name: string }[]) => list.map((r) => r.name);

test('create with an unknown member gets no_such_user and creates nothing', async () => {
  const ann = await TestClient.as(server.port, 'CrAnn');
  const bo = await TestClient.as(server.port, 'CrBo');
  const error = await expectError(
    ann,
    { status: 'create', receiver: 'Ghosts', members: ['CrBo', 'Casper'] },
    'no_such_user',
  );
  assert.match(error.text, /Casper/);
  assert.ok(!names((await ann.ok({ status: 'rooms' })).rooms).includes('Ghosts'));
  await expectError(bo, { status: 'members', receiver: 'Ghosts' }, 'no_such_room');
  await expectError(bo, { status: 'join', receiver: 'Ghosts' }, 'no_such_room');
  await expectError(ann, { status: 'group', receiver: 'Ghosts', text: 'boo' }, 'no_such_room');
  await assertNotReceived(
    bo,
    (m) => m.receiver === 'Ghosts' && m.status === 'system',
    'a notice about a room that was not created',
  );
  // The name is still free: creating it without the unknown member works.
  const created = await ann.ok({ status: 'create', receiver: 'Ghosts', members: ['CrBo'] });
  assert.deepEqual(created.members, ['CrAnn', 'CrBo']);
  const told = await bo.event('system', { event: 'created', receiver: 'Ghosts' });
  assert.equal(told.sender, 'CrAnn');
  assert.equal(told.seq, 1, 'the first message of the room');
  await Promise.all([ann.close(), bo.close()]);
});

test('room names: room_exists (any case), invalid_name, and a user name is taken', async () => {
  const ann = await TestClient.as(server.port, 'NmAnn');
  const bo = await TestClient.as(server.port, 'NmBo');
  await ann.ok({ status: 'create', receiver: 'Chess' });
  await expectError(bo, { status: 'create', receiver: 'Chess' }, 'room_exists');
  await expectError(bo, { status: 'create', receiver: 'CHESS', members: ['NmAnn'] }, 'room_exists');
  await expectError(bo, { status: 'create', receiver: 'bad name' }, 'invalid_name');
  await expectError(bo, { status: 'create', receiver: 'everyone' }, 'invalid_name');
  await expectError(bo, { status: 'create', receiver: 'nmann' }, 'name_taken');
  // Joining is case-insensitive and answers with the room's own spelling.
  const joined = await bo.ok({ status: 'join', receiver: 'chess' });
  assert.equal(joined.receiver, 'Chess');
  await expectError(bo, { status: 'join', receiver: 'Chess' }, 'already_a_member');
  const members = await ann.ok({ status: 'members', receiver: 'CHESS' });
  assert.equal(members.receiver, 'Chess');
  await Promise.all([ann.close(), bo.close()]);
});

test('only members may post to a room or leave it: not_a_member', async () => {
  const ann = await TestClient.as(server.port, 'MbAnn');
  const out = await TestClient.as(server.port, 'MbOut');
  await ann.ok({ status: 'create', receiver: 'Members-only' });
  await expectError(out, { status: 'group', receiver: 'Members-only', text: 'let me in' }, 'not_a_member');
  await expectError(out, { status: 'leave', receiver: 'Members-only' }, 'not_a_member');
  await expectError(out, { status: 'leave', receiver: 'NoSuchRoom' }, 'no_such_room');
  await assertNotReceived(ann, (m) => m.text === 'let me in', "a non-member's message");
  assert.deepEqual(
    (await out.ok({ status: 'rooms' })).rooms.find((r: Obj) => r.name === 'Members-only'),
    { name: 'Members-only', members: 1, online: 1 },
  );
  // After leaving, a former member is refused the same way.
  await out.ok({ status: 'join', receiver: 'Members-only' });
  await out.ok({ status: 'leave', receiver: 'Members-only' });
  await expectError(out, { status: 'group', receiver: 'Members-only', text: 'still here?' }, 'not_a_member');
  await Promise.all([ann.close(), out.close()]);
});

test('membership survives a disconnect: messages wait, and the member is still in the room at login', async () => {
  const ann = await TestClient.as(server.port, 'SvAnn');
  let bo = await TestClient.as(server.port, 'SvBo');
  await ann.ok({ status: 'create', receiver: 'Survivors', members: ['SvBo'] });
  await bo.event('system', { event: 'created', receiver: 'Survivors' });

  bo.socket.destroy();
  await ann.event('system', { event: 'disconnect', sender: 'SvBo' });
  const listed = await ann.ok({ status: 'members', receiver: 'Survivors' });
  assert.deepEqual(listed.members, [
    { name: 'SvAnn', online: true },
    { name: 'SvBo', online: false },
  ]);
  assert.deepEqual(
    (await ann.ok({ status: 'rooms' })).rooms.find((r: Obj) => r.name === 'Survivors'),
    { name: 'Survivors', members: 2, online: 1 },
  );
  const missed = await ann.ok({ status: 'group', receiver: 'Survivors', text: 'you missed this' });

  bo = await TestClient.back(server.port, bo);
  const login = bo.welcome!;
  assert.equal(login.waiting, 1);
  const got = await bo.event('group', { msgid: missed.msgid });
  assert.equal(got.text, 'you missed this');
  // Still a member: no need to join again, and messages flow both ways.
  await expectError(bo, { status: 'join', receiver: 'Survivors' }, 'already_a_member');
  const back = await bo.ok({ status: 'group', receiver: 'Survivors', text: 'I am back' });
  assert.equal((await ann.event('group', { msgid: back.msgid })).sender, 'SvBo');
  const live = await ann.ok({ status: 'group', receiver: 'Survivors', text: 'welcome back' });
  await bo.event('group', { msgid: live.msgid });
  assert.deepEqual((await bo.ok({ status: 'members', receiver: 'Survivors' })).members, [
    { name: 'SvAnn', online: true },
    { name: 'SvBo', online: true },
  ]);
  await Promise.all([ann.close(), bo.close()]);
});

test('the rooms list shows every room with its member and online counts, sorted by name', async () => {
  const fresh = await startServer();
  try {
    const ann = await TestClient.as(fresh.port, 'Ann');
    const bo = await TestClient.as(fresh.port, 'Bo');
    const cy = await TestClient.as(fresh.port, 'Cy');
    await bo.ok({ status: 'create', receiver: 'zeta', members: ['Ann', 'Cy'] });
    await ann.ok({ status: 'create', receiver: 'Alpha' });
    await cy.ok({ status: 'create', receiver: 'mid', members: ['Bo'] });
    await cy.ok({ status: 'exit' });
    await cy.closed;
    const rooms = await ann.ok({ status: 'rooms' });
    assert.deepEqual(rooms.rooms, [
      { name: 'Alpha', members: 1, online: 1 },
      { name: 'mid', members: 2, online: 1 },
      { name: 'zeta', members: 3, online: 2 },
    ]);
    await Promise.all([ann.close(), bo.close()]);
  } finally {
    await fresh.stop();
  }
});

test('the last member to leave deletes the room; the name can then be created again, fresh', async () => {
  const ann = await TestClient.as(server.port, 'DlAnn');
  const bo = await TestClient.as(server.port, 'DlBo');
  await ann.ok({ status: 'create', receiver: 'Ephemeral', members: ['DlBo'] });
  await ann.ok({ status: 'group', receiver: 'Ephemeral', text: 'old message 1' });
  await bo.ok({ status: 'group', receiver: 'Ephemeral', text: 'old message 2' });

  const first = await bo.ok({ status: 'leave', receiver: 'Ephemeral' });
  assert.equal(first.deleted, false);
  assert.equal((await ann.event('system', { event: 'leave', receiver: 'Ephemeral' })).sender, 'DlBo');
  assert.deepEqual((await ann.ok({ status: 'members', receiver: 'Ephemeral' })).members, [
    { name: 'DlAnn', online: true },
  ]);

  const last = await ann.ok({ status: 'leave', receiver: 'Ephemeral' });
  assert.equal(last.deleted, true);
  assert.ok(!names((await bo.ok({ status: 'rooms' })).rooms).includes('Ephemeral'));
  await expectError(bo, { status: 'join', receiver: 'Ephemeral' }, 'no_such_room');
  await expectError(bo, { status: 'members', receiver: 'Ephemeral' }, 'no_such_room');

  // Created again by someone else: a new room, with no trace of the old one.
  const again = await bo.ok({ status: 'create', receiver: 'ephemeral' });
  assert.equal(again.receiver, 'ephemeral');
  assert.deepEqual(again.members, ['DlBo']);
  assert.equal(again.seq, 1);
  const history = await bo.ok({ status: 'history', receiver: 'ephemeral' });
  assert.deepEqual(
    history.messages.map((m: Obj) => [m.seq, m.status, m.event]),
    [[1, 'system', 'created']],
  );
  assert.ok(!history.messages.some((m: Obj) => /old message/.test(m.text)));
  // Ann is not a member of the new room.
  await expectError(ann, { status: 'group', receiver: 'ephemeral', text: 'am I in?' }, 'not_a_member');
  await expectError(ann, { status: 'history', receiver: 'ephemeral' }, 'not_a_member');
  await bo.ok({ status: 'leave', receiver: 'ephemeral' });
  await Promise.all([ann.close(), bo.close()]);
});

test('a member added while offline gets the creation notice at login', async () => {
  let cy = await TestClient.as(server.port, 'OfCy');
  await cy.ok({ status: 'exit' });
  await cy.closed;
  const ann = await TestClient.as(server.port, 'OfAnn');
  const created = await ann.ok({ status: 'create', receiver: 'Surprise', members: ['OfCy'] });
  cy = await TestClient.back(server.port, cy);
  const login = cy.welcome!;
  assert.equal(login.waiting, 1);
  const notice = await cy.event('system', { event: 'created', receiver: 'Surprise' });
  assert.equal(notice.sender, 'OfAnn');
  assert.equal(notice.seq, created.seq);
  await Promise.all([ann.close(), cy.close()]);
});
