// Durability across a restart (issue #2): what waits for an offline user, privately or in a room,
// survives SIGTERM and a new server process on the same data directory, and is delivered exactly once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, test } from 'node:test';
import { TestClient, type Obj } from '../../helpers/client.js';
import { assertNotReceived, expectClosed, receivedBetween, withTimeout } from '../../helpers/expect.js';
import { spawnServer as spawn, tempDataDir, type ChildServer } from '../../helpers/server.js';

/** Servers and clients of the running test, so that a failing test leaves nothing behind. */
const servers: ChildServer[] = [];
const clients: TestClient[] = [];

async function spawnServer(dataDir: string): Promise<ChildServer> {
  const server = await spawn(dataDir);
  servers.push(server);
  return server;
}

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const server of servers.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) await server.stop('SIGKILL');
  }
});

/** SIGTERM, then checks the clean exit and that every client was told and let go. */
async function stopServer(server: ChildServer, connected: TestClient[]): Promise<void> {
  const code = await withTimeout(server.stop('SIGTERM'), 8000, 'the server to exit after SIGTERM');
  assert.equal(code, 0, `server exit code; its output:\n${server.output().slice(-2000)}`);
  for (const client of connected) {
    await client.event('system', { event: 'shutdown' });
    await expectClosed(client);
  }
}

/** The client each name first registered with: it holds the name's token (claim mode, issue #11.1). */
const firsts = new Map<string, TestClient>();

async function connect(port: number, name: string, register = true): Promise<TestClient> {
  const client = register ? await TestClient.as(port, name) : await TestClient.connect(port, name);
  if (register) firsts.set(name, client); // a first register: a fresh data directory
  clients.push(client);
  return client;
}

/** Comes back as `name` the way a client does: with its token when it has one, else registering it. */
async function login(port: number, name: string): Promise<{ client: TestClient; reply: Obj }> {
  const client = await connect(port, name, false);
  const first = firsts.get(name);
  const reply = first ? await client.comeBackAs(first) : await client.ok({ status: 'register', sender: name });
  if (!first) firsts.set(name, client);
  return { client, reply };
}

test('messages to an offline user and to a room survive a restart and are delivered once, in order', async () => {
  const dataDir = tempDataDir();
  try {
    // --- first server
    let server = await spawnServer(dataDir);
    const alice = await connect(server.port, 'Alice');
    const bob = await connect(server.port, 'Bob');
    const carol = await connect(server.port, 'Carol');
    await alice.ok({ status: 'create', receiver: 'Study', members: ['Bob'] });
    await bob.event('system', { event: 'created', receiver: 'Study' });
    await bob.ok({ status: 'exit' });
    await expectClosed(bob);

    // While Bob is away: private, room, private (interleaved conversations).
    const dm1 = await alice.ok({ status: 'private', receiver: 'Bob', text: 'while you were away' });
    assert.equal(dm1.queued, true);
    const room = await alice.ok({ status: 'group', receiver: 'Study', text: 'room message you missed' });
    const dm2 = await carol.ok({ status: 'private', receiver: 'Bob', text: 'me too' });
    assert.equal(dm2.queued, true);
    // Carol gets a message live: it must not come back after the restart.
    const live = await alice.ok({ status: 'private', receiver: 'Carol', text: 'you got this live' });
    await carol.event('private', { msgid: live.msgid });

    await stopServer(server, [alice, carol]);

    // --- second server, same data
    server = await spawnServer(dataDir);
    const first = await login(server.port, 'Bob');
    assert.equal(first.reply.waiting, 3);
    const barrier = await first.client.ok({ status: 'who' });
    const delivered = receivedBetween(first.client, first.reply, barrier);
    assert.deepEqual(
      delivered.map((m) => [m.status, m.sender, m.receiver, m.text, m.msgid, m.ts]),
      [
        ['private', 'Alice', 'Bob', 'while you were away', dm1.msgid, dm1.ts],
        ['group', 'Alice', 'Study', 'room message you missed', room.msgid, room.ts],
        ['private', 'Carol', 'Bob', 'me too', dm2.msgid, dm2.ts],
      ],
    );
    assert.deepEqual(
      delivered.map((m) => m.seq),
      [dm1.seq, room.seq, dm2.seq],
    );

    // Bob is still a member of Study, and new messages get new ids.
    const members = await first.client.ok({ status: 'members', receiver: 'Study' });
    assert.deepEqual(
      members.members.map((m: Obj) => m.name),
      ['Alice', 'Bob'],
    );
    const newer = await first.client.ok({ status: 'group', receiver: 'Study', text: 'back after the restart' });
    assert.ok(newer.msgid > dm2.msgid, 'message ids keep increasing after a restart');
    assert.equal(newer.seq, room.seq + 1, "the room's sequence continues");
    const history = await first.client.ok({ status: 'history', receiver: 'Study' });
    assert.deepEqual(
      history.messages.slice(-2).map((m: Obj) => [m.msgid, m.text]),
      [
        [room.msgid, 'room message you missed'],
        [newer.msgid, 'back after the restart'],
      ],
    );

    // Carol had everything live: nothing waits for her.
    const carolAgain = await login(server.port, 'Carol');
    assert.equal(carolAgain.reply.waiting, 0);
    await assertNotReceived(carolAgain.client, (m) => m.msgid === live.msgid, 'a message she already had');

    // A second login does not deliver them again.
    await first.client.ok({ status: 'exit' });
    await expectClosed(first.client);
    const second = await login(server.port, 'Bob');
    assert.equal(second.reply.waiting, 0);
    await assertNotReceived(
      second.client,
      (m) => [dm1.msgid, room.msgid, dm2.msgid].includes(m.msgid),
      'a message already delivered',
    );

    await stopServer(server, [carolAgain.client, second.client]);

    // --- third server: the delivery was remembered across the restart too.
    server = await spawnServer(dataDir);
    const third = await login(server.port, 'Bob');
    assert.equal(third.reply.waiting, 0);
    await assertNotReceived(
      third.client,
      (m) => m.status === 'private' || m.status === 'group',
      'anything already delivered',
    );
    await stopServer(server, [third.client]);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('message ids are never reused after a restart, even when the newest messages were in a deleted room', async () => {
  const dataDir = tempDataDir();
  try {
    let server = await spawnServer(dataDir);
    let ann = await connect(server.port, 'Ann');
    await ann.ok({ status: 'create', receiver: 'Scratch' });
    const last = await ann.ok({ status: 'group', receiver: 'Scratch', text: 'the newest message so far' });
    assert.equal((await ann.ok({ status: 'leave', receiver: 'Scratch' })).deleted, true);
    await stopServer(server, [ann]);

    server = await spawnServer(dataDir);
    ann = (await login(server.port, 'Ann')).client;
    const next = await ann.ok({ status: 'broadcast', text: 'after the restart' });
    assert.ok(
      next.msgid > last.msgid,
      `msgid ${next.msgid} was already used before the restart (for msgid ${last.msgid} or earlier)`,
    );
    await stopServer(server, [ann]);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
