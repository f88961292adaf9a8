// Registration: valid names, uniqueness (case-insensitive), known users, and names freed on exit or
// disconnect (seed 002 "unique usernames", seed 003 "names can be used again after exit").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { assertNotReceived, expectClosed, expectError } from '../../helpers/expect.js';
import { startServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test('a registered name is welcomed and listed as online', async () => {
  const client = await TestClient.connect(server.port, 'Ada');
  const reply = await client.ok({ status: 'register', sender: 'Ada' });
  assert.equal(reply.sender, 'Ada');
  assert.equal(reply.waiting, 0);
  assert.match(reply.text, /Ada/);
  assert.ok((await client.ok({ status: 'who' })).users.includes('Ada'));
  await client.close();
});

test('invalid names get invalid_name, and the connection can try again', async () => {
  const client = await TestClient.connect(server.port, 'namer');
  const invalid = [
    'has space',
    'x'.repeat(33),
    'everyone',
    'Everyone',
    'server',
    'SERVER',
    'Zoë',
    'a/b',
    'tab\there',
    '<script>',
    'semi;colon',
    'new\nline',
    '😀',
  ];
  for (const name of invalid) await expectError(client, { status: 'register', sender: name }, 'invalid_name');
  // An empty name is refused too (by the request schema or the name rules).
  const empty = await client.request({ status: 'register', sender: '' });
  assert.equal(empty.status, 'error');
  assert.ok(['invalid_name', 'bad_request'].includes(empty.code), `empty name: ${JSON.stringify(empty)}`);
  // None of them registered anything: other requests still need a name.
  await expectError(client, { status: 'who' }, 'not_registered');
  // The edges of the rules are accepted.
  const ok = await client.ok({ status: 'register', sender: 'a'.repeat(32) });
  assert.equal(ok.sender, 'a'.repeat(32));
  for (const name of ['Dr.ABC', 'x_y-z.9', 'Q']) {
    const c = await TestClient.as(server.port, name);
    await c.close();
  }
  await client.close();
});

test('names are unique case-insensitively: name_taken, then a retry on the same connection works', async () => {
  const alice = await TestClient.as(server.port, 'Alice');
  const other = await TestClient.connect(server.port, 'other');
  for (const name of ['Alice', 'alice', 'ALICE', 'aLiCe'])
    await expectError(other, { status: 'register', sender: name }, 'name_taken');
  const retry = await other.ok({ status: 'register', sender: 'Alicia' });
  assert.equal(retry.sender, 'Alicia');
  const who = await alice.ok({ status: 'who' });
  assert.ok(who.users.includes('Alice') && who.users.includes('Alicia'));
  assert.equal(who.users.filter((u: string) => u.toLowerCase() === 'alice').length, 1);
  // The connection is now Alicia: a message from it says so.
  const sent = await other.ok({ status: 'private', receiver: 'alice', text: 'hi' });
  const got = await alice.event('private', { msgid: sent.msgid });
  assert.equal(got.sender, 'Alicia');
  assert.equal(got.receiver, 'Alice', 'the receiver is shown as registered, whatever case was typed');
  await Promise.all([alice.close(), other.close()]);
});

test('a connection registers once: a second register gets already_registered', async () => {
  const client = await TestClient.as(server.port, 'Once');
  await expectError(client, { status: 'register', sender: 'Twice' }, 'already_registered');
  await expectError(client, { status: 'register', sender: 'Once' }, 'already_registered');
  const who = await client.ok({ status: 'who' });
  assert.ok(who.users.includes('Once'));
  assert.ok(!who.users.includes('Twice'));
  await client.close();
});

test('a room name cannot be taken as a user name', async () => {
  const owner = await TestClient.as(server.port, 'RoomOwner');
  await owner.ok({ status: 'create', receiver: 'Lounge' });
  const client = await TestClient.connect(server.port, 'c');
  await expectError(client, { status: 'register', sender: 'lounge' }, 'name_taken');
  await client.ok({ status: 'register', sender: 'LoungeLizard' });
  await owner.ok({ status: 'leave', receiver: 'Lounge' });
  await Promise.all([owner.close(), client.close()]);
});

test('a name used before is a known user while offline', async () => {
  const kim = await TestClient.as(server.port, 'Kim');
  await kim.ok({ status: 'exit' });
  await expectClosed(kim);

  const lee = await TestClient.as(server.port, 'Lee');
  assert.ok(!(await lee.ok({ status: 'who' })).users.includes('Kim'));
  const queued = await lee.ok({ status: 'private', receiver: 'Kim', text: 'are you there?' });
  assert.equal(queued.queued, true);
  assert.equal(queued.receiver, 'Kim');
  // A name never registered is not.
  await expectError(lee, { status: 'private', receiver: 'NeverSeen', text: 'hello?' }, 'no_such_user');
  // Kim can be added to a room while offline.
  const room = await lee.ok({ status: 'create', receiver: 'KimsRoom', members: ['kim'] });
  assert.deepEqual(room.members, ['Lee', 'Kim']);
  await lee.close();
});

test('exit frees the name: its owner comes back in any case, and it keeps its first spelling', async () => {
  const first = await TestClient.as(server.port, 'Reuse');
  const bye = await first.ok({ status: 'exit' });
  assert.equal(bye.status, 'ok');
  await expectClosed(first);

  const second = await TestClient.connect(server.port, 'second');
  const again = await second.comeBackAs(first, {}, undefined, 'REUSE'); // with the token its register got (issue #11.1)
  assert.equal(again.sender, 'Reuse');
  assert.ok((await second.ok({ status: 'who' })).users.includes('Reuse'));
  await second.close();
});

test('a dropped connection frees the name too, and its contacts are told', async () => {
  const watcher = await TestClient.as(server.port, 'Watcher');
  const dropper = await TestClient.as(server.port, 'Dropper');
  const hi = await dropper.ok({ status: 'private', receiver: 'Watcher', text: 'hi' });
  await watcher.event('private', { msgid: hi.msgid });

  dropper.socket.destroy(); // no exit: the connection just goes away
  const gone = await watcher.event('system', { event: 'disconnect', sender: 'Dropper' });
  assert.equal(gone.status, 'system');

  const back = await TestClient.back(server.port, dropper);
  const online = await watcher.event('system', { event: 'connect', sender: 'Dropper' });
  assert.match(online.text, /Dropper/);
  await back.close();
  await watcher.close();
});

test('who lists only registered users, sorted', async () => {
  const fresh = await startServer();
  try {
    const zed = await TestClient.as(fresh.port, 'zed');
    const amy = await TestClient.as(fresh.port, 'Amy');
    const anon = await TestClient.connect(fresh.port, 'anon'); // connected, not registered
    await anon.ok({ status: 'help' });
    const bob = await TestClient.as(fresh.port, 'bob');
    const who = await zed.ok({ status: 'who' });
    assert.deepEqual(who.users, ['Amy', 'bob', 'zed']);
    await assertNotReceived(anon, (m) => m.status === 'system', 'presence events before registering');
    await Promise.all([zed.close(), amy.close(), anon.close(), bob.close()]);
  } finally {
    await fresh.stop();
  }
});

test('the register reply lists the rooms the user is a member of', async () => {
  const alice = await TestClient.as(server.port, 'RoomyAlice');
  const first = alice.received.find((m) => m.status === 'ok' && m.sender === 'RoomyAlice');
  assert.deepEqual(first?.rooms, []);
  await alice.ok({ status: 'create', receiver: 'zeta-room' });
  await alice.ok({ status: 'create', receiver: 'Alpha-room' });
  await alice.ok({ status: 'exit' });
  await alice.closed;
  const again = await TestClient.connect(server.port, 'RoomyAlice2');
  const reply = await again.comeBackAs(alice, {}, undefined, 'roomyalice');
  assert.deepEqual(reply.rooms, ['Alpha-room', 'zeta-room']);
  await again.close();
});
