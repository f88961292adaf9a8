// #15: with an asynchronous store (PostgreSQL's timing, played on SQLite by test/helpers/deferred-store.ts)
// a message's id and seq are known only once its tick is committed, so it is delivered and answered after
// that. Everything a client sees stays as on one SQLite node: rooms and their events, private messages
// online and offline, broadcasts, history, catch-up at login, resends, one order per conversation, and a
// reader that falls behind catching up from the store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cast, TestClient, type Obj } from '../../helpers/client.js';
import type { DeferredControls } from '../../helpers/deferred-store.js';
import { fullHistory, withTimeout } from '../../helpers/expect.js';
import { startServer, type TestServer } from '../../helpers/server.js';

async function deferredServer(limits: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const server = await startServer({ auth: 'open', ...limits, deferredStore: true });
  const store = server.server.chat.store as unknown as Partial<DeferredControls>;
  assert.equal(typeof store.failNextCommit, 'function', 'the server runs on the deferred store');
  return server;
}

function commitsOf(server: TestServer): number {
  return (server.server.chat.store as unknown as DeferredControls).commits;
}

/** The chat messages (with a msgid) `client` received live, in the order received. */
function chatReceived(client: TestClient, receiver?: string): Obj[] {
  return client.received.filter(
    (m) => m.ref === undefined && typeof m.msgid === 'number' && (receiver === undefined || m.receiver === receiver),
  );
}

test('#15 on an asynchronous store rooms work: create, join, leave and kick events reach the members and match history', async () => {
  const server = await deferredServer();
  const cast = new Cast(() => server.port);
  try {
    const owner = await cast.as('Owner');
    const mia = await cast.as('Mia');
    const ned = await cast.as('Ned');
    const before = commitsOf(server);
    const created = await owner.ok({ status: 'create', receiver: 'Lab', members: ['Mia'] });
    assert.ok(commitsOf(server) > before, 'the create went through deferred commits');
    assert.equal(created.seq, 1);
    const told = await mia.event('system', { event: 'created', receiver: 'Lab' });
    assert.equal(told.seq, 1);
    const joined = await ned.ok({ status: 'join', receiver: 'Lab' });
    assert.equal(joined.seq, 2);
    assert.deepEqual(joined.members, ['Owner', 'Mia', 'Ned']);
    for (const c of [owner, mia]) await c.event('system', { event: 'join', sender: 'Ned', seq: 2 });
    const post = await ned.ok({ status: 'group', receiver: 'Lab', text: 'hello lab' });
    assert.equal(post.seq, 3);
    for (const c of [owner, mia]) await c.event('group', { msgid: post.msgid, text: 'hello lab' });
    await owner.ok({ status: 'kick', receiver: 'Mia', room: 'Lab', text: 'testing' });
    const kicked = await mia.event('system', { event: 'kicked', receiver: 'Lab' });
    assert.equal(kicked.seq, 4);
    await ned.event('system', { event: 'kicked', seq: 4 });
    await ned.ok({ status: 'leave', receiver: 'Lab' });
    await owner.event('system', { event: 'leave', sender: 'Ned', seq: 5 });
    const history = await fullHistory(owner, 'Lab');
    assert.deepEqual(
      history.map((m) => [m.seq, m.event ?? m.status]),
      [
        [1, 'created'],
        [2, 'join'],
        [3, 'group'],
        [4, 'kicked'],
        [5, 'leave'],
      ],
    );
    // What the owner saw live is exactly history after its own create.
    assert.deepEqual(
      chatReceived(owner, 'Lab').map((m) => m.msgid),
      history.slice(1).map((m) => m.msgid),
    );
    const left = await owner.ok({ status: 'leave', receiver: 'Lab' });
    assert.equal(left.deleted, true);
    await cast.as('Zed').then((z) => z.ok({ status: 'create', receiver: 'Lab' }));
  } finally {
    await cast.closeAll();
    await server.stop();
  }
});

test('#15 on an asynchronous store private messages reach an online user live and an offline one at login; broadcasts reach everyone', async () => {
  const server = await deferredServer();
  const cast = new Cast(() => server.port);
  try {
    const ann = await cast.as('Ann');
    const bob = await cast.as('Bob');
    const cy = await cast.as('Cy');
    const live = await ann.ok({ status: 'private', receiver: 'Bob', text: 'hi Bob' });
    assert.equal(live.queued, undefined);
    const got = await bob.event('private', { msgid: live.msgid });
    assert.equal(got.seq, live.seq);
    await cy.ok({ status: 'exit' });
    const queued = await ann.ok({ status: 'private', receiver: 'Cy', text: 'while you were out' });
    assert.equal(queued.queued, true);
    const shout = await ann.ok({ status: 'broadcast', text: 'to all' });
    assert.equal(shout.delivered, 1, 'Bob is the one other user online');
    await bob.event('broadcast', { msgid: shout.msgid });
    const back = await cast.as('Cy');
    assert.equal(back.welcome?.waiting, 2);
    await back.event('private', { msgid: queued.msgid });
    await back.event('broadcast', { msgid: shout.msgid });
    assert.deepEqual(
      chatReceived(back).map((m) => m.msgid),
      [queued.msgid, shout.msgid],
      'in msgid order',
    );
    const history = await fullHistory(ann, 'Cy');
    assert.deepEqual(
      history.map((m) => m.msgid),
      [queued.msgid],
    );
  } finally {
    await cast.closeAll();
    await server.stop();
  }
});

test('#15 on an asynchronous store a login with since gets only what came after it, and a resend by id gets the same msgid', async () => {
  const server = await deferredServer();
  const cast = new Cast(() => server.port);
  try {
    const ann = await cast.as('Ann');
    const bob = await cast.as('Bob');
    await ann.ok({ status: 'create', receiver: 'Den', members: ['Bob'] });
    const seen = await ann.ok({ status: 'group', receiver: 'Den', text: 'seen' });
    await bob.event('group', { msgid: seen.msgid });
    await bob.close();
    const missed = [];
    for (let i = 0; i < 3; i++) missed.push(await ann.ok({ status: 'group', receiver: 'Den', text: `missed ${i}` }));
    const back = await TestClient.connect(server.port, 'Bob');
    const reply = await back.comeBackAs(bob, { since: seen.msgid });
    assert.equal(reply.waiting, 3);
    await back.event('group', { msgid: missed[2]!.msgid });
    assert.deepEqual(
      chatReceived(back).map((m) => m.msgid),
      missed.map((m) => m.msgid),
    );

    const first = await ann.ok({ id: 'once-1', status: 'group', receiver: 'Den', text: 'only once' });
    const again = await ann.ok({ id: 'once-1', status: 'group', receiver: 'Den', text: 'only once' });
    assert.equal(again.msgid, first.msgid);
    assert.equal(again.seq, first.seq);
    const history = await fullHistory(ann, 'Den');
    assert.equal(history.filter((m) => m.text === 'only once').length, 1, 'stored once');
    await back.close();
  } finally {
    await cast.closeAll();
    await server.stop();
  }
});

test('#15 on an asynchronous store two members posting to one room at once give every member one order, the order of history', async () => {
  const server = await deferredServer();
  const cast = new Cast(() => server.port);
  try {
    const ann = await cast.as('Ann');
    const bob = await cast.as('Bob');
    const eve = await cast.as('Eve');
    await ann.ok({ status: 'create', receiver: 'Race', members: ['Bob', 'Eve'] });
    const N = 60;
    const sends = (from: TestClient, tag: string) =>
      Array.from({ length: N }, (_, i) => from.request({ status: 'group', receiver: 'Race', text: `${tag}${i}` }));
    const replies = await Promise.all([...sends(ann, 'a'), ...sends(bob, 'b')]);
    for (const r of replies) assert.equal(r.status, 'ok');
    const last = Math.max(...replies.map((r) => r.msgid as number));
    await eve.event('group', { msgid: last }, 10_000);
    const history = (await fullHistory(eve, 'Race')).filter((m) => m.status === 'group');
    assert.equal(history.length, 2 * N);
    const order = history.map((m) => m.msgid as number);
    assert.deepEqual(
      order,
      [...order].sort((x, y) => x - y),
      'history: msgid grows with seq',
    );
    assert.deepEqual(
      history.map((m) => m.seq),
      history.map((_, i) => i + 2),
      'seqs without a gap',
    );
    assert.deepEqual(
      chatReceived(eve, 'Race')
        .filter((m) => m.status === 'group')
        .map((m) => m.msgid),
      order,
      'Eve saw history',
    );
    // Each sender sees the other's messages, in history's order.
    await ann.event('group', { msgid: Math.max(...replies.slice(N).map((r) => r.msgid as number)) });
    await bob.event('group', { msgid: Math.max(...replies.slice(0, N).map((r) => r.msgid as number)) });
    const interleave = (client: TestClient, self: string) => {
      const received = new Set(chatReceived(client, 'Race').map((m) => m.msgid));
      return order.filter((id) => received.has(id) || history.find((m) => m.msgid === id)!.sender === self);
    };
    assert.deepEqual(interleave(ann, 'Ann'), order);
    assert.deepEqual(
      chatReceived(ann, 'Race')
        .filter((m) => m.status === 'group')
        .map((m) => m.msgid),
      order.filter((id) => history.find((m) => m.msgid === id)!.sender === 'Bob'),
    );
    assert.deepEqual(interleave(bob, 'Bob'), order);
  } finally {
    await cast.closeAll();
    await server.stop();
  }
});

test('#15 on an asynchronous store a reader that falls behind catches up from the store: every message once, in order, then live', async () => {
  const server = await deferredServer({ limits: { noProgressMs: 600_000 } });
  const cast = new Cast(() => server.port);
  try {
    const speaker = await cast.as('Speaker');
    const reader = await cast.as('Reader');
    await speaker.ok({ status: 'create', receiver: 'Hall', members: ['Reader'] });
    reader.socket.pause();
    const text = 'z'.repeat(16_000);
    const isBehind = () =>
      [...server.server.connections].find((c) => c.session?.name === 'Reader')?.session?.catchUp != null;
    const sent: Obj[] = [];
    while (sent.length < 1500 && !isBehind()) {
      const batch = Array.from({ length: 10 }, (_, i) =>
        speaker.request({ status: 'group', receiver: 'Hall', text: `${sent.length + i}:${text}` }, 20_000),
      );
      sent.push(...(await Promise.all(batch)));
    }
    assert.ok(isBehind(), `the reader fell behind (after ${sent.length} messages)`);
    reader.socket.resume();
    for (let i = 0; i < 20; i++) sent.push(await speaker.ok({ status: 'group', receiver: 'Hall', text: `late ${i}` }));
    const expected = sent.map((r) => r.msgid as number);
    await reader.event('group', { msgid: expected.at(-1) }, 60_000);
    assert.deepEqual(
      chatReceived(reader, 'Hall')
        .filter((m) => m.status === 'group')
        .map((m) => m.msgid),
      expected,
    );
    await withTimeout(
      (async () => {
        while (isBehind()) await reader.ok({ status: 'who' });
      })(),
      10_000,
      'the reader to be live again',
    );
    const live = await speaker.ok({ status: 'group', receiver: 'Hall', text: 'live again' });
    await reader.event('group', { msgid: live.msgid });
  } finally {
    await cast.closeAll();
    await server.stop();
  }
});
