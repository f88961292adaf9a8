/**
 * The Store contract (src/server/store/store.ts), written from its doc comments, run against every
 * implementation (design §4.4): sqlite-store.test.ts and postgres-store.test.ts each call storeSuite.
 * A backend opens stores on one database (twice at once for the tests that need a second node's view)
 * and drops it afterwards.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MaybePromise } from '../../../src/server/store/drivers/driver.js';
import type { ConversationKind, NewFile, NewMessage, Store, StoredMessage } from '../../../src/server/store/store.js';
import { withTimeout } from '../../helpers/expect.js';

export interface StoreBackend {
  /** A store on this backend's database: the same database every call, schema applied. */
  open(): Promise<Store>;
  /** Removes the database. */
  drop(): Promise<void>;
}

export interface SuiteOptions {
  /** The `skip` of every test (a reason, or false). */
  skip?: string | false;
}

const T0 = '2026-12-01T10:00:00.000Z';
const T1 = '2026-12-01T11:00:00.000Z';
const T2 = '2026-12-01T12:00:00.000Z';

/** Runs `body` on a fresh database with one store open, closing whatever it opened and dropping the database. */
async function onFresh(
  makeBackend: () => Promise<StoreBackend>,
  body: (store: Store, open: () => Promise<Store>) => Promise<void>,
): Promise<void> {
  const backend = await makeBackend();
  const opened: Store[] = [];
  const open = async () => {
    const store = await backend.open();
    opened.push(store);
    return store;
  };
  try {
    await body(await open(), open);
  } finally {
    for (const store of opened) await store.close().catch(() => {});
    await backend.drop();
  }
}

/** A user with a password hash `h-<name>` (or none), resolved to its id. */
function addUser(store: Store, name: string, passwordHash: string | null = `h-${name}`): Promise<number> {
  return store.insertUser({ name, key: name.toLowerCase(), passwordHash, role: 'user' }, T0);
}

/** A group message to append (the store gives it its id and seq). */
function message(convId: number, senderId: number | null, text: string): NewMessage {
  return {
    convId,
    kind: 'group',
    event: null,
    senderId,
    sender: `user${senderId}`,
    receiver: 'Room',
    text,
    ts: T1,
    clientRef: null,
    fileId: null,
  };
}

/**
 * What the store answers once the tick's commit is done: at once on SQLite, after the commit on
 * PostgreSQL, which numbers messages and conversations inside it (numbering.ts).
 */
async function committed<T>(store: Store, answer: MaybePromise<T>): Promise<T> {
  await store.commit();
  return answer;
}

/** Appends a message and commits: the stored message, with the id and seq the store gave it. */
function append(store: Store, m: NewMessage): Promise<StoredMessage> {
  return committed(store, store.appendMessage(m));
}

/** Adds a conversation (with `members` at cursor 0) and commits: its id. */
async function addConversation(
  store: Store,
  kind: ConversationKind,
  key: string,
  createdBy: number | null,
  members: number[] = [],
): Promise<number> {
  const name = kind === 'room' ? 'Room' : '';
  const made = await committed(store, store.insertConversation({ kind, key, name }, createdBy, T0, members));
  assert.equal(made.created, true, `${key} is new`);
  return made.id;
}

function file(convId: number, senderId: number, sha256: string, createdAt = T0): NewFile {
  return {
    convId,
    kind: 'group',
    senderId,
    receiverId: null,
    receiver: 'Room',
    name: 'notes.txt',
    size: 10,
    sha256,
    createdAt,
    clientRef: '"u1"',
  };
}

export function storeSuite(name: string, makeBackend: () => Promise<StoreBackend>, options: SuiteOptions = {}): void {
  const it = (title: string, body: (store: Store, open: () => Promise<Store>) => Promise<void>) =>
    void test(`#15 ${name} store: ${title}`, { skip: options.skip ?? false }, () => onFresh(makeBackend, body));

  it('users: ids from the store, every field read back, changes seen, pages by name key', async (store) => {
    const bob = await addUser(store, 'Bob');
    const amy = await addUser(store, 'amy', null);
    assert.notEqual(bob, amy);
    assert.deepEqual(await store.findUser('bob'), {
      id: bob,
      name: 'Bob',
      key: 'bob',
      passwordHash: 'h-Bob',
      role: 'user',
      mutedUntil: null,
    });
    store.setPassword(bob, 'h2');
    store.setRole(bob, 'admin');
    store.setMutedUntil(bob, T2);
    await store.commit();
    const changed = await store.findUser('bob');
    assert.deepEqual([changed?.passwordHash, changed?.role, changed?.mutedUntil], ['h2', 'admin', T2]);
    assert.equal(await store.findUser('nobody'), undefined);
    assert.deepEqual(
      (await store.listUsers()).map((u) => u.key),
      ['amy', 'bob'],
    );
    assert.deepEqual(await store.usersAfter('', 1), [{ name: 'amy', key: 'amy', role: 'user' }]);
    assert.deepEqual(await store.usersAfter('amy', 5), [{ name: 'Bob', key: 'bob', role: 'admin' }]);
    store.releaseName(bob);
    const released = await store.findUser('bob');
    assert.deepEqual([released?.passwordHash, released?.role], [null, 'user']);
  });

  it('a name taken twice fails that insert alone; the rest of the tick is stored', async (store, open) => {
    const bob = await addUser(store, 'Bob');
    store.setRole(bob, 'admin');
    await assert.rejects(addUser(store, 'BOB'));
    store.setMutedUntil(bob, T2);
    await store.commit();
    const other = await open();
    const read = await other.findUser('bob');
    assert.deepEqual([read?.role, read?.mutedUntil], ['admin', T2]);
  });

  it('tokens: found by hash with their id, deleted one by one or all', async (store) => {
    const bob = await addUser(store, 'Bob');
    assert.equal(await store.hasToken(bob), false);
    const t1 = await store.insertToken('hash1', bob, T0);
    const t2 = await store.insertToken('hash2', bob, T0);
    assert.notEqual(t1, t2);
    assert.equal(await store.hasToken(bob), true);
    const found = await store.findUserByToken('hash2');
    assert.deepEqual([found?.id, found?.name, found?.tokenId], [bob, 'Bob', t2]);
    store.deleteToken(t1);
    assert.equal(await store.findUserByToken('hash1'), undefined);
    assert.equal((await store.findUserByToken('hash2'))?.tokenId, t2);
    store.deleteTokens(bob);
    assert.equal(await store.findUserByToken('hash2'), undefined);
    assert.equal(await store.hasToken(bob), false);
  });

  it('insertTokenIfPassword: a token only while the password is the one verified (a reset wins)', async (store, open) => {
    const bob = await addUser(store, 'Bob', 'old');
    await store.commit();
    const id = await store.insertTokenIfPassword('t-ok', bob, 'old', T0);
    assert.equal(typeof id, 'number');
    await store.commit();
    assert.equal((await store.findUserByToken('t-ok'))?.tokenId, id);
    // Another node (or `classchat admin`) resets the password while this one verified the old.
    const admin = await open();
    admin.setPassword(bob, 'reset');
    await admin.commit();
    assert.equal(await store.insertTokenIfPassword('t-late', bob, 'old', T0), null);
    assert.equal(await store.findUserByToken('t-late'), undefined);
  });

  it('setPasswordIf and setFirstPassword change the hash only while it is as expected', async (store) => {
    const bob = await addUser(store, 'Bob', 'old');
    assert.equal(await store.setPasswordIf(bob, 'new', 'wrong'), false);
    assert.equal(await store.setPasswordIf(bob, 'new', 'old'), true);
    assert.equal((await store.findUser('bob'))?.passwordHash, 'new');
    assert.equal(await store.setFirstPassword(bob, 'first', false), false, 'bob has a password');
    const amy = await addUser(store, 'Amy', null);
    assert.equal(await store.setFirstPassword(amy, 'first', true), false, 'no token claims amy');
    await store.insertToken('amy-token', amy, T0);
    assert.equal(await store.setFirstPassword(amy, 'first', true), true);
    assert.equal((await store.findUser('amy'))?.passwordHash, 'first');
    const cy = await addUser(store, 'Cy', null);
    assert.equal(await store.setFirstPassword(cy, 'mine', false), true, 'open mode needs no token');
  });

  it('invites: a use is taken while uses are left and the code has not expired; the last use once', async (store, open) => {
    store.insertInvite('code2', 2, T2, T0);
    store.insertInvite('code1', 1, T2, T0);
    await store.commit();
    assert.equal(await store.useInvite('code2', T1), true);
    assert.equal(await store.useInvite('code2', T1), true);
    assert.equal(await store.useInvite('code2', T1), false, 'no use left');
    assert.equal(await store.useInvite('unknown', T1), false);
    assert.equal(await store.useInvite('code1', T2), false, 'expired at T2');
    // The last use, asked for twice in one tick: one of them gets it.
    const both = await Promise.all([store.useInvite('code1', T1), store.useInvite('code1', T1)]);
    assert.deepEqual(both.filter(Boolean).length, 1);
    await store.commit();
    const other = await open();
    assert.equal(await other.useInvite('code1', T1), false, 'another store sees it used');
  });

  it('conversations, owners and members come back in load(); a deleted one takes its members and messages', async (store) => {
    const bob = await addUser(store, 'Bob');
    const amy = await addUser(store, 'Amy');
    const everyone = await addConversation(store, 'everyone', 'everyone', null);
    const roomId = await addConversation(store, 'room', 'room', bob);
    const dm = await addConversation(store, 'dm', `dm:${bob}:${amy}`, null);
    assert.equal(new Set([everyone, roomId, dm]).size, 3, 'three ids');
    // The same key again (another node first): nothing written, that conversation's id back.
    assert.deepEqual(
      await committed(store, store.insertConversation({ kind: 'room', key: 'room', name: 'R' }, amy, T1)),
      {
        id: roomId,
        created: false,
      },
    );
    store.insertMember(roomId, bob, 0, T0);
    store.insertMember(roomId, amy, 0, T1);
    const hello = await append(store, message(roomId, bob, 'hello'));
    const hi = await append(store, message(roomId, amy, 'hi'));
    assert.deepEqual([hello.seq, hi.seq], [1, 2], 'seq counts up in the conversation');
    assert.ok(hi.id > hello.id, 'ids grow');
    let state = await store.load();
    assert.equal(state.everyone?.id, everyone);
    assert.equal(state.rooms.length, 1, 'only rooms');
    const room = state.rooms[0]!;
    assert.deepEqual([room.id, room.key, room.name, room.ownerId, room.lastSeq], [roomId, 'room', 'Room', bob, 2]);
    assert.deepEqual(
      room.members.map((m) => [m.userId, m.name, m.key, m.cursor]),
      [
        [bob, 'Bob', 'bob', 0],
        [amy, 'Amy', 'amy', 0],
      ],
    );
    assert.equal(state.messagesBelow, hi.id + 1, 'every stored message is below messagesBelow');
    assert.deepEqual(await store.findConversation(`dm:${bob}:${amy}`), {
      id: dm,
      kind: 'dm',
      key: `dm:${bob}:${amy}`,
      name: '',
      lastSeq: 0,
    });
    store.setRoomOwner(roomId, amy);
    store.deleteMember(roomId, bob);
    state = await store.load();
    assert.equal(state.rooms[0]!.ownerId, amy);
    assert.deepEqual(
      state.rooms[0]!.members.map((m) => m.userId),
      [amy],
    );
    store.deleteConversation(roomId);
    await store.commit();
    assert.equal(await store.findConversation('room'), undefined);
    assert.deepEqual(await store.history(roomId, { limit: 10 }), []);
    assert.deepEqual((await store.load()).rooms, []);
  });

  it('loadRoom: one room with its owner and members in join order, as load() has it; none for another kind or a room gone', async (store) => {
    const bob = await addUser(store, 'Bob');
    const amy = await addUser(store, 'Amy');
    const roomId = await addConversation(store, 'room', 'room', bob);
    const dm = await addConversation(store, 'dm', `dm:${bob}:${amy}`, null, [bob, amy]);
    assert.deepEqual(await store.loadRoom(roomId), {
      id: roomId,
      name: 'Room',
      key: 'room',
      ownerId: bob,
      members: [],
    });
    store.insertMember(roomId, bob, 0, T0);
    store.insertMember(roomId, amy, 0, T1);
    store.setRoomOwner(roomId, amy);
    const one = await store.loadRoom(roomId);
    const all = (await store.load()).rooms[0]!;
    assert.deepEqual(one, { id: all.id, name: all.name, key: all.key, ownerId: amy, members: all.members });
    assert.deepEqual(
      one?.members.map((m) => [m.userId, m.name, m.key]),
      [
        [bob, 'Bob', 'bob'],
        [amy, 'Amy', 'amy'],
      ],
    );
    assert.equal(await store.loadRoom(dm), undefined, 'a private conversation is not a room');
    store.deleteConversation(roomId);
    assert.equal(await store.loadRoom(roomId), undefined, 'deleted (a read sees the writes before it)');
  });

  it('joinMember: the cursor at the room end as stored, with the event in one commit; again or on a room gone, nothing', async (store) => {
    const bob = await addUser(store, 'Bob');
    const amy = await addUser(store, 'Amy');
    const roomId = await addConversation(store, 'room', 'room', bob, [bob]);
    await append(store, message(roomId, bob, 'before'));
    // A join as the domain records it: the membership, then its event, in one tick.
    store.joinMember(roomId, amy, T1);
    const joined = await append(store, message(roomId, amy, 'joined'));
    store.joinMember(roomId, amy, T2); // a second join in a later tick: already a member
    await store.commit();
    const members = (await store.load()).rooms[0]!.members.map((m) => [m.userId, m.cursor]);
    assert.deepEqual(members, [
      [bob, 0],
      [amy, joined.seq - 1],
    ]);
    store.deleteConversation(roomId);
    store.joinMember(roomId, amy, T2); // the room is gone by then: no row, and the commit still succeeds
    await store.commit();
    assert.deepEqual((await store.load()).rooms, []);
  });

  it('history: the newest page, before, after and between, oldest first, every field read back', async (store) => {
    const bob = await addUser(store, 'Bob');
    const roomId = await addConversation(store, 'room', 'room', bob);
    const stored: StoredMessage[] = [];
    for (let n = 1; n <= 5; n++) stored.push(await append(store, message(roomId, bob, `m${n}`)));
    const seqs = async (query: Parameters<Store['history']>[1]) =>
      (await store.history(roomId, query)).map((m) => m.seq);
    assert.deepEqual(await seqs({ limit: 2 }), [4, 5]);
    assert.deepEqual(await seqs({ before: 4, limit: 2 }), [2, 3]);
    assert.deepEqual(await seqs({ after: 1, limit: 2 }), [2, 3]);
    assert.deepEqual(await seqs({ after: 1, before: 4, limit: 10 }), [2, 3]);
    const [first] = await store.history(roomId, { after: 0, limit: 1 });
    assert.deepEqual(first, {
      id: stored[0]!.id,
      convId: roomId,
      seq: 1,
      kind: 'group',
      event: null,
      senderId: bob,
      sender: `user${bob}`,
      receiver: 'Room',
      text: 'm1',
      ts: T1,
      fileId: null,
    });
    assert.equal((await store.findConversation('room'))?.lastSeq, 5);
  });

  it('pending and catch-up: after the cursor, never the own messages, broadcasts for users from before them', async (store) => {
    const bob = await addUser(store, 'Bob');
    const amy = await addUser(store, 'Amy');
    const everyone = await addConversation(store, 'everyone', 'everyone', null);
    const roomId = await addConversation(store, 'room', 'room', bob, [bob, amy]);
    const dm = await addConversation(store, 'dm', `dm:${bob}:${amy}`, null, [bob, amy]);
    const r1 = await append(store, message(roomId, bob, 'r1'));
    const own = await append(store, message(roomId, amy, 'own'));
    const r3 = await append(store, message(roomId, bob, 'r3'));
    const dm1 = await append(store, { ...message(dm, bob, 'dm1'), kind: 'private', receiver: 'Amy' });
    const toAll = await append(store, { ...message(everyone, bob, 'to all'), kind: 'broadcast', receiver: 'everyone' });
    const cy = await addUser(store, 'Cy'); // after the broadcast: not owed it (issue #12.8)
    await store.commit();

    const pending = (await store.pendingConversations(amy)).sort((a, b) => a.convId - b.convId);
    assert.deepEqual(
      pending,
      [
        { convId: everyone, cursor: 0, newestId: toAll.id },
        { convId: roomId, cursor: 0, newestId: r3.id },
        { convId: dm, cursor: 0, newestId: dm1.id },
      ].sort((a, b) => a.convId - b.convId),
    );
    assert.deepEqual(await store.pendingConversations(cy), []);
    const end = toAll.id + 100;
    const range = { afterSeq: 0, beforeSeq: Number.MAX_SAFE_INTEGER, belowId: end };
    assert.deepEqual(
      (await store.pendingIn(roomId, amy, range, 10)).map((m) => m.text),
      ['r3', 'r1'],
    );
    assert.deepEqual(
      (await store.pendingIn(roomId, amy, { ...range, belowId: r3.id }, 10)).map((m) => m.text),
      ['r1'],
    );
    assert.deepEqual(
      (await store.catchUpFor(amy, everyone, r1.id, end, 10)).map((m) => m.id),
      [r1.id, r3.id, dm1.id, toAll.id],
      `never amy's own message ${own.id}`,
    );
    assert.deepEqual(
      (await store.catchUpFor(amy, everyone, own.id, toAll.id, 10)).map((m) => m.id),
      [r3.id, dm1.id],
    );
    assert.deepEqual(await store.privatePartners(amy), [bob]);
    const waiting = (await store.load()).waitingBytes;
    assert.deepEqual(waiting, [{ key: 'amy', bytes: 3 }]);

    store.advanceCursors(amy, dm1.id); // everything below the private message given
    const after = (await store.pendingConversations(amy)).sort((a, b) => a.convId - b.convId);
    assert.deepEqual(
      after.map((p) => [p.convId, p.cursor]),
      [
        [everyone, 0],
        [dm, 0],
      ].sort((a, b) => a[0]! - b[0]!),
    );
    store.advanceCursors(amy, end);
    assert.deepEqual(await store.pendingConversations(amy), []);
  });

  it('findResent: the same id, kind, receiver and text since the given time, and nothing else', async (store) => {
    const bob = await addUser(store, 'Bob');
    const roomId = await addConversation(store, 'room', 'room', bob);
    const once = await append(store, { ...message(roomId, bob, 'once'), clientRef: '"r1"' });
    const query = {
      senderId: bob,
      clientRef: '"r1"',
      kind: 'group' as const,
      receiverKey: 'room',
      text: 'once',
      since: T0,
    };
    assert.equal((await store.findResent(query))?.id, once.id);
    assert.equal(await store.findResent({ ...query, text: 'other' }), undefined);
    assert.equal(await store.findResent({ ...query, since: T2 }), undefined);
    assert.equal(await store.findResent({ ...query, clientRef: '"r2"' }), undefined);
  });

  it('files: unfinished, finished, per conversation and member, quota bytes, expiry, repeated upload', async (store) => {
    const bob = await addUser(store, 'Bob');
    const amy = await addUser(store, 'Amy');
    const roomId = await addConversation(store, 'room', 'room', bob, [bob]);
    const f1 = await store.insertFile(file(roomId, bob, 'aa'));
    const f2 = await store.insertFile(file(roomId, bob, 'bb', T1));
    assert.ok(f2 > f1);
    const read = await store.findFile(f1);
    assert.deepEqual(read, { id: f1, ...file(roomId, bob, 'aa'), sender: 'Bob', completedAt: null });
    assert.equal((await store.findUnfinishedUpload(bob, roomId, 10, 'aa'))?.id, f1);
    assert.deepEqual(
      (await store.unfinishedUploadsOf(bob)).map((f) => f.id),
      [f1, f2],
    );
    assert.deepEqual(
      (await store.unfinishedUploadsIn(roomId)).map((f) => f.id),
      [f1, f2],
    );
    assert.equal(await store.sha256InUse('aa'), false, 'unfinished bytes are not in use');
    assert.deepEqual(await store.filesIn(roomId, 10), []);
    store.completeFile(f1, T1);
    const announced = await append(store, { ...message(roomId, bob, 'notes.txt'), fileId: f1 });
    assert.equal(await store.sha256InUse('aa'), true);
    assert.equal(await store.findUnfinishedUpload(bob, roomId, 10, 'aa'), undefined);
    assert.deepEqual(
      (await store.filesIn(roomId, 10)).map((f) => [f.id, f.completedAt]),
      [[f1, T1]],
    );
    assert.deepEqual(
      (await store.filesOf(bob, 10)).map((f) => f.id),
      [f1],
    );
    assert.deepEqual(await store.filesOf(amy, 10), [], 'amy is not a member');
    assert.equal(await store.bytesStoredBy(bob), 20);
    const repeated = { senderId: bob, clientRef: '"u1"', convId: roomId, size: 10, sha256: 'aa', since: T0 };
    assert.equal((await store.findRepeatedUpload(repeated))?.id, announced.id);
    assert.equal(await store.findRepeatedUpload({ ...repeated, sha256: 'bb' }), undefined);
    // created before T1: f1 (T0) expires; abandoned before T2: f2 (unfinished, T1) too
    assert.deepEqual(
      (await store.expiredFiles(T1, T0, 10)).map((f) => f.id),
      [f1],
    );
    assert.deepEqual(
      (await store.expiredFiles(T0, T2, 10)).map((f) => f.id),
      [f2],
    );
    store.deleteFile(f1);
    assert.equal(await store.findFile(f1), undefined);
    assert.equal(await store.bytesStoredBy(bob), 10);
  });

  it('admin events: ids grow, read after an id with the role the user has now', async (store, open) => {
    const bob = await addUser(store, 'Bob');
    await store.commit();
    assert.equal(await store.lastAdminEventId(), 0);
    // Recorded by `classchat admin`, in its own process: another store on the same database.
    const admin = await open();
    admin.setRole(bob, 'admin');
    admin.recordAdminEvent(bob, 'role', T0);
    admin.recordAdminEvent(bob, 'revoke_tokens', T1);
    await admin.commit();
    const events = await store.adminEventsAfter(0, 10);
    assert.deepEqual(
      events.map((e) => [e.userId, e.kind, e.role]),
      [
        [bob, 'role', 'admin'],
        [bob, 'revoke_tokens', 'admin'],
      ],
    );
    assert.ok(events[1]!.id > events[0]!.id);
    assert.equal(await store.lastAdminEventId(), events[1]!.id);
    assert.deepEqual(await store.adminEventsAfter(events[0]!.id, 10), [events[1]]);
    assert.deepEqual(await store.adminEventsAfter(events[0]!.id, 0), []);
  });

  it('a read sees every write recorded before it, before any commit', async (store) => {
    const bob = await addUser(store, 'Bob');
    store.setRole(bob, 'admin');
    assert.equal((await store.findUser('bob'))?.role, 'admin');
    const roomId = await addConversation(store, 'room', 'room', bob);
    const seen = store.appendMessage(message(roomId, bob, 'seen'));
    assert.deepEqual(
      (await store.history(roomId, { limit: 5 })).map((m) => m.text),
      ['seen'],
    );
    assert.equal((await seen).seq, 1);
    const again = store.appendMessage({ ...message(roomId, bob, 'again'), clientRef: '"c"' });
    const resent = await store.findResent({
      senderId: bob,
      clientRef: '"c"',
      kind: 'group',
      receiverKey: 'room',
      text: 'again',
      since: T0,
    });
    assert.equal(resent?.id, (await again).id);
  });

  it('an answering write settles without a commit; commit() is atomic for another store', async (store, open) => {
    const bob = await withTimeout(addUser(store, 'Bob'), 5000, 'insertUser without a commit');
    await store.commit();
    const roomId = await addConversation(store, 'room', 'room', bob);
    const other = await open();
    store.setRole(bob, 'admin');
    store.insertMember(roomId, bob, 0, T0);
    const atomic = store.appendMessage(message(roomId, bob, 'atomic'));
    // Not committed: another node sees none of it.
    assert.equal((await other.findUser('bob'))?.role, 'user');
    assert.equal((await other.findConversation('room'))?.lastSeq, 0);
    assert.deepEqual(
      (await other.load()).rooms.map((r) => r.members.length),
      [0],
    );
    await store.commit();
    assert.equal((await atomic).seq, 1);
    assert.equal((await other.findUser('bob'))?.role, 'admin');
    assert.equal((await other.findConversation('room'))?.lastSeq, 1);
    assert.deepEqual(
      (await other.load()).rooms.map((r) => r.members.length),
      [1],
    );
  });

  it('ids are never handed out again after a delete and a reopen', async (store, open) => {
    const bob = await addUser(store, 'Bob');
    const roomId = await addConversation(store, 'room', 'room', bob);
    const gone = await append(store, message(roomId, bob, 'gone'));
    const f1 = await store.insertFile(file(roomId, bob, 'aa'));
    store.deleteConversation(roomId); // it held the highest conversation and message ids
    store.deleteFile(f1);
    await store.close(); // close() commits what is left
    const reopened = await open();
    const state = await reopened.load();
    assert.ok(state.messagesBelow > gone.id, `messagesBelow ${state.messagesBelow} after ${gone.id}`);
    const newRoom = await addConversation(reopened, 'room', 'room', bob);
    assert.ok(newRoom > roomId, `conversation id ${newRoom} after ${roomId}`);
    const fresh = await append(reopened, message(newRoom, bob, 'fresh'));
    assert.ok(fresh.id > gone.id, `message id ${fresh.id} after ${gone.id}`);
    assert.equal(fresh.seq, 1, 'a new conversation starts at seq 1');
    const f2 = await reopened.insertFile(file(newRoom, bob, 'bb'));
    assert.ok(f2 > f1, `file id ${f2} after ${f1}`);
    assert.equal((await reopened.findUser('bob'))?.id, bob, 'what close() committed is there');
  });
}
