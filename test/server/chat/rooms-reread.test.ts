// #15: a node reads rooms from the store again (one room when another node changed it: Chat.refreshRoom;
// every room after a database outage: Chat.reloadRooms) while its own requests change its rooms. A read
// taken before a local create, join, leave or kick and applied after it would undo that change: a room
// made and answered ok is gone, a joined member misses the room's messages, a kicked one keeps getting
// them. Here the store's read is held between its result and its use, and the change is made meanwhile;
// the read must not undo it. Deterministic: one server on the deferred store (PostgreSQL's timing).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nameKey } from '../../../src/protocol/names.js';
import type { Chat } from '../../../src/server/chat/chat.js';
import { Cast, type Obj, type TestClient } from '../../helpers/client.js';
import { startServer, type TestServer } from '../../helpers/server.js';

/**
 * Holds the store's next call of `method` after it read: `read` resolves once the result is in hand,
 * `release()` lets the caller have it. (Set on the store behind the deferred store's proxy.)
 */
function holdNextRead(chat: Chat, method: 'load' | 'loadRoom'): { read: Promise<void>; release(): void } {
  const store = chat.store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const real = store[method]!;
  let readDone!: () => void;
  let release!: () => void;
  const read = new Promise<void>((resolve) => (readDone = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  store[method] = async (...args: unknown[]) => {
    store[method] = real; // the next read is not held
    const result = await real(...args);
    readDone();
    await released;
    return result;
  };
  return { read, release };
}

async function withServer(run: (server: TestServer, cast: Cast, chat: Chat) => Promise<void>): Promise<void> {
  const server = await startServer({ auth: 'open', deferredStore: true });
  const cast = new Cast(() => server.port);
  try {
    await run(server, cast, server.server.chat);
  } finally {
    await cast.closeAll();
    await server.stop();
  }
}

function roomId(chat: Chat, name: string): number {
  const room = chat.rooms.get(nameKey(name));
  assert.ok(room, `${name} is in memory`);
  return room.id;
}

/** The room's members as the server lists them. */
async function members(client: TestClient, room: string): Promise<string[]> {
  const listed = await client.ok({ status: 'members', receiver: room, limit: 100 });
  return (listed.members as Obj[]).map((m) => m.name as string).sort();
}

/** True when `client` was given the group message `msgid`, checked after a probe sent after it arrives. */
async function given(owner: TestClient, client: TestClient, msgid: unknown): Promise<boolean> {
  const probe = await owner.ok({ status: 'private', receiver: client.label, text: 'probe' });
  await client.event('private', { msgid: probe.msgid });
  return client.received.some((m) => m.msgid === msgid);
}

for (const read of ['refreshRoom', 'reloadRooms'] as const) {
  const method = read === 'refreshRoom' ? 'loadRoom' : 'load';
  const reread = (chat: Chat, id: number) =>
    read === 'refreshRoom' ? chat.refreshRoom(id, nameKey('Lab')) : chat.reloadRooms();

  test(`rooms reread: ${read} read before a kick and a leave, applied after them, keeps them out`, async () => {
    await withServer(async (_server, cast, chat) => {
      const owner = await cast.as('Owner');
      const kay = await cast.as('Kay');
      const lee = await cast.as('Lee');
      await owner.ok({ status: 'create', receiver: 'Lab', members: ['Kay', 'Lee'] });
      const held = holdNextRead(chat, method);
      const done = reread(chat, roomId(chat, 'Lab'));
      await held.read;
      await owner.ok({ status: 'kick', receiver: 'Kay', room: 'Lab' });
      await lee.ok({ status: 'leave', receiver: 'Lab' });
      held.release();
      await done;
      assert.deepEqual(await members(owner, 'Lab'), ['Owner'], 'the room as stored after the kick and leave');
      const said = await owner.ok({ status: 'group', receiver: 'Lab', text: 'members only' });
      assert.equal(await given(owner, kay, said.msgid), false, 'the kicked member is not given the message');
      assert.equal(await given(owner, lee, said.msgid), false, 'the member who left is not given the message');
    });
  });

  test(`rooms reread: ${read} read before a join, applied after it, keeps the member`, async () => {
    await withServer(async (_server, cast, chat) => {
      const owner = await cast.as('Owner');
      const ned = await cast.as('Ned');
      await owner.ok({ status: 'create', receiver: 'Lab' });
      const held = holdNextRead(chat, method);
      const done = reread(chat, roomId(chat, 'Lab'));
      await held.read;
      await ned.ok({ status: 'join', receiver: 'Lab' });
      held.release();
      await done;
      assert.deepEqual(await members(owner, 'Lab'), ['Ned', 'Owner']);
      const said = await owner.ok({ status: 'group', receiver: 'Lab', text: 'for Ned too' });
      await ned.event('group', { msgid: said.msgid });
    });
  });
}

test('rooms reread: reloadRooms read before a room is made, applied after it, keeps the room', async () => {
  await withServer(async (_server, cast, chat) => {
    const owner = await cast.as('Owner');
    const mia = await cast.as('Mia');
    const held = holdNextRead(chat, 'load');
    const done = chat.reloadRooms();
    await held.read;
    await owner.ok({ status: 'create', receiver: 'New', members: ['Mia'] });
    held.release();
    await done;
    assert.deepEqual(await members(owner, 'New'), ['Mia', 'Owner'], 'the room made during the read');
    const said = await owner.ok({ status: 'group', receiver: 'New', text: 'still here' });
    await mia.event('group', { msgid: said.msgid });
  });
});
