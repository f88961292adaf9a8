// #15: a database shared over the network that cannot be reached is not a storage failure. The requests
// of a commit that could not reach it are answered `unavailable` (never `ok`) and nothing of that commit
// is delivered; while it lasts requests that need the database are refused at once; a probe notices it
// is back and the server serves again by itself, on the same connections. Played on SQLite with the
// deferred store's hooks, and on real PostgreSQL cut off behind a TCP proxy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { DatabaseInUse } from '../../src/server/store/database-lock.js';
import { StoreUnreachable } from '../../src/server/store/unreachable.js';
import { Cast, TestClient, type Obj } from '../helpers/client.js';
import { CutProxy } from '../helpers/cut-proxy.js';
import type { DeferredControls } from '../helpers/deferred-store.js';
import { assertNotReceived, expectClosed, fullHistory } from '../helpers/expect.js';
import { LogCapture } from '../helpers/log.js';
import { startServer, type StartOptions, type TestServer } from '../helpers/server.js';
import {
  freshPostgresSchema,
  POSTGRES_SKIP,
  POSTGRES_URL,
  REDIS_SKIP,
  REDIS_URL,
  uniqueName,
} from '../helpers/services.js';

const RESUME_TIMEOUT_MS = 15_000;

function controls(server: TestServer): DeferredControls {
  const store = server.server.chat.store as unknown as Partial<DeferredControls>;
  assert.equal(typeof store.failNextCommit, 'function', 'the server runs on the deferred store');
  return store as DeferredControls;
}

/**
 * A server on the deferred store (open auth), its controls and a Cast of clients on it; `body` runs with
 * them, and the clients and the server are closed afterwards.
 */
async function onDeferredStore(
  body: (run: { server: TestServer; store: DeferredControls; cast: Cast }) => Promise<void>,
  log?: LogCapture,
): Promise<void> {
  const server = await startServer({ auth: 'open', deferredStore: true, ...(log && { log: log.logger }) });
  const cast = new Cast(() => server.port);
  try {
    await body({ server, store: controls(server), cast });
  } finally {
    await cast.closeAll();
    await server.stop();
  }
}

/** Polls `condition` until it holds; fails after `ms`. */
async function waitUntil(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Sends `request` (a fresh id each time) until it is answered ok; every other answer must be `unavailable`. */
async function okOnceServing(client: TestClient, request: Obj): Promise<Obj> {
  const deadline = Date.now() + RESUME_TIMEOUT_MS;
  for (;;) {
    const reply = await client.request(request);
    if (reply.status === 'ok') return reply;
    assert.equal(
      reply.code,
      'unavailable',
      `only unavailable before the server serves again: ${JSON.stringify(reply)}`,
    );
    if (Date.now() > deadline) throw new Error(`the server did not serve ${request.status} again by itself`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function unreachable(): StoreUnreachable {
  return new StoreUnreachable(new Error('connection reset (a test cut it)'));
}

/** A server (open auth, with `options`) on `schemaUrl` behind a proxy the test can cut (#15). */
async function behindProxy(
  schemaUrl: string,
  options: Partial<StartOptions> = {},
): Promise<{ proxy: CutProxy; server: TestServer }> {
  const target = new URL(POSTGRES_URL!);
  const proxy = await CutProxy.start(Number(target.port || 5432), target.hostname);
  const viaProxy = new URL(schemaUrl);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  try {
    return { proxy, server: await startServer({ auth: 'open', ...options, store: viaProxy.toString() }) };
  } catch (err) {
    await proxy.close();
    throw err;
  }
}

test('#15 a commit that cannot reach the database answers its requests unavailable, delivers nothing, undoes a lost leave, and the next commit works', async () => {
  await onDeferredStore(async ({ store, cast }) => {
    const ann = await cast.as('Ann');
    const bob = await cast.as('Bob');
    const mia = await cast.as('Mia');
    await ann.ok({ status: 'create', receiver: 'Lab', members: ['Bob', 'Mia'] });
    const kept = await ann.ok({ status: 'group', receiver: 'Lab', text: 'stored before' });
    await bob.event('group', { msgid: kept.msgid });

    store.failNextCommit(unreachable());
    const lost = await ann.request({ status: 'group', receiver: 'Lab', text: 'never stored' });
    assert.equal(lost.status, 'error');
    assert.equal(lost.code, 'unavailable');
    assert.match(String(lost.text), /database/);

    // Once the probe found it back, the next message is stored, delivered and answered.
    const after = await okOnceServing(ann, { status: 'group', receiver: 'Lab', text: 'stored after' });
    await bob.event('group', { msgid: after.msgid, text: 'stored after' });
    await assertNotReceived(bob, (m) => m.text === 'never stored', 'the message of the failed commit');
    await assertNotReceived(mia, (m) => m.text === 'never stored', 'the message of the failed commit');

    // A leave parts the member in memory before its commit: a lost commit must not leave it parted.
    store.failNextCommit(unreachable());
    const leave = await mia.request({ status: 'leave', receiver: 'Lab' });
    assert.equal(leave.code, 'unavailable', JSON.stringify(leave));
    const again = await okOnceServing(ann, { status: 'group', receiver: 'Lab', text: 'Mia is still here' });
    await mia.event('group', { msgid: again.msgid });
    const members = await ann.ok({ status: 'members', receiver: 'Lab' });
    assert.deepEqual(
      (members.members as Obj[]).map((m) => m.name),
      ['Ann', 'Bob', 'Mia'],
    );
    await assertNotReceived(ann, (m) => m.event === 'leave', 'a leave that was not stored');

    const history = await fullHistory(bob, 'Lab');
    assert.deepEqual(
      history.filter((m) => m.status === 'group').map((m) => [m.msgid, m.text]),
      [
        [kept.msgid, 'stored before'],
        [after.msgid, 'stored after'],
        [again.msgid, 'Mia is still here'],
      ],
    );
    assert.equal(history.filter((m) => m.event === 'leave').length, 0, 'no leave event was stored');
  });
});

test('#15 while the database cannot be reached, requests that need it are refused at once, who still answers, and service resumes by itself', async () => {
  await onDeferredStore(async ({ store, cast }) => {
    const ann = await cast.as('Ann');
    const bob = await cast.as('Bob');
    store.reachable = false;
    const first = await ann.request({ status: 'private', receiver: 'Bob', text: 'lost in the outage' });
    assert.equal(first.code, 'unavailable');
    // Refused at the door now, not run: nothing waits for the database (the history would be read from
    // this test's store, which still answers reads; it is refused all the same).
    for (const request of [
      { status: 'private', receiver: 'Bob', text: 'refused' },
      { status: 'create', receiver: 'Lab' },
      { status: 'history', receiver: 'Bob' },
    ]) {
      const reply = await ann.request(request);
      assert.equal(reply.code, 'unavailable', JSON.stringify(reply));
    }
    const who = await bob.ok({ status: 'who' });
    assert.deepEqual(who.users, ['Ann', 'Bob']);

    store.reachable = true;
    const sent = await okOnceServing(ann, { status: 'private', receiver: 'Bob', text: 'back again' });
    await bob.event('private', { msgid: sent.msgid, text: 'back again' });
    const history = await fullHistory(bob, 'Ann');
    assert.deepEqual(
      history.map((m) => m.text),
      ['back again'],
    );
    await assertNotReceived(bob, (m) => m.text === 'lost in the outage' || m.text === 'refused', 'what was not stored');
  });
});

test('#15 a session whose live messages were lost with a tick is closed, so its next login catches up what it missed instead of stepping over it', async () => {
  // Review finding: on a store that numbers at commit, a stored message goes to its recipients in the
  // next tick. If that tick's commit is lost, the recipient's copy is dropped; had the connection gone
  // on, the later messages it got would make its next login's `since` step over the hole for good.
  await onDeferredStore(async ({ server, store, cast }) => {
    const ann = await cast.as('Ann');
    let bob = await cast.as('Bob');
    const seen = await okOnceServing(ann, { status: 'private', receiver: 'Bob', text: 'seen' });
    await bob.event('private', { msgid: seen.msgid });
    // The message is stored by the first commit; the tick that carries it to Bob (and Ann's ok) is lost.
    store.failNextCommit(unreachable(), 1);
    const hole = await ann.request({ status: 'private', receiver: 'Bob', text: 'in the hole' });
    assert.equal(hole.code, 'unavailable', 'the ok went with the lost tick');
    const notice = await bob.event('error', { code: 'unavailable' });
    assert.match(String(notice.text), /reconnect/);
    await expectClosed(bob);
    // Ann goes on; Bob comes back with what he had, and the message in the hole waits for him.
    const after = await okOnceServing(ann, { status: 'private', receiver: 'Bob', text: 'after' });
    bob = await TestClient.back(server.port, bob, { since: seen.msgid });
    await bob.event('private', { text: 'in the hole' });
    await bob.event('private', { msgid: after.msgid, text: 'after' });
  });
});

test('#15 an exit while the database cannot be reached is refused, so the token it should end is never left valid unknown to the user', async () => {
  // A shared lab computer: the student leaves with exit, which revokes the session token (issue #4).
  // If that revoke cannot be stored, the student must be told, not sent off with a token still valid.
  await onDeferredStore(async ({ server, store }) => {
    const ann = await TestClient.connect(server.port, 'Ann');
    const signed = await ann.ok({ status: 'register', sender: 'Ann', password: 'correct horse battery' });
    const bob = await TestClient.as(server.port, 'Bob');
    store.reachable = false;
    // The outage is noticed by a request that needs the database; from then on one is refused at once.
    const noticed = await ann.request({ status: 'private', receiver: 'Bob', text: 'lost' });
    assert.equal(noticed.code, 'unavailable');
    const refused = await ann.request({ status: 'exit' });
    assert.equal(refused.code, 'unavailable', JSON.stringify(refused));
    store.reachable = true;
    await okOnceServing(ann, { status: 'exit' });
    const later = await TestClient.connect(server.port, 'Ann');
    const login = await later.request({ status: 'login', sender: 'Ann', token: signed.token });
    assert.equal(login.code, 'auth_failed', 'the exit that was answered revoked the token');
    await later.close();
    await bob.close();
  });
});

test('#15 a login whose commit cannot reach the database is answered unavailable and taken back, so the client just logs in again', async () => {
  await onDeferredStore(async ({ server, store, cast }) => {
    const ann = await cast.as('Ann');
    const cleo = await TestClient.connect(server.port, 'Cleo');
    store.failNextCommit(unreachable());
    const lost = await cleo.request({ status: 'register', sender: 'Cleo' });
    assert.equal(lost.code, 'unavailable', JSON.stringify(lost));
    // Not online behind the client's back: the same connection registers once the server serves again.
    const welcome = await okOnceServing(cleo, { status: 'register', sender: 'Cleo' });
    assert.equal(welcome.sender, 'Cleo');
    const who = await ann.ok({ status: 'who' });
    assert.deepEqual(who.users, ['Ann', 'Cleo']);
    await cleo.close();
  });
});

interface Attempt {
  text: string;
  reply: Obj;
  /** Sent while the proxy was cut (or just after: the server may not have noticed yet). */
  phase: 'before' | 'cut' | 'restored';
}

test(
  '#15 on PostgreSQL cut off for a while, every ok is exactly one stored message, the rest are unavailable, nothing unstored is delivered, and both clients go on on the same connections',
  { skip: POSTGRES_SKIP },
  async () => {
    const schema = await freshPostgresSchema();
    const { proxy, server } = await behindProxy(schema.url);
    const cast = new Cast(() => server.port);
    try {
      const ann = await cast.as('Ann');
      const bob = await cast.as('Bob');
      await ann.ok({ status: 'create', receiver: 'Lab', members: ['Bob'] });
      await bob.event('system', { event: 'created', receiver: 'Lab' });

      let phase: Attempt['phase'] = 'before';
      let sending = true;
      const attempts = new Map<TestClient, Attempt[]>([
        [ann, []],
        [bob, []],
      ]);
      const send = async (client: TestClient) => {
        for (let i = 0; sending; i++) {
          const text = `${client.label} ${i}`;
          const sentIn = phase;
          const reply = await client.request({ status: 'group', receiver: 'Lab', text });
          attempts.get(client)!.push({ text, reply, phase: sentIn });
          // A client retrying a refusal, not a flood: a refusal is answered at once.
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      };
      const count = (client: TestClient, inPhase: Attempt['phase'], status: string) =>
        attempts.get(client)!.filter((a) => a.phase === inPhase && a.reply.status === status).length;
      const senders = [send(ann), send(bob)];

      await waitUntil(() => count(ann, 'before', 'ok') >= 5 && count(bob, 'before', 'ok') >= 5, 10_000, 'oks before');
      proxy.cut();
      phase = 'cut';
      // A few seconds: until the server's probe (every 500 ms) has been turned away several times.
      await waitUntil(
        () => count(ann, 'cut', 'error') >= 5 && count(bob, 'cut', 'error') >= 5 && proxy.refused >= 8,
        RESUME_TIMEOUT_MS,
        'unavailable while cut, and probes turned away',
      );
      const who = await ann.ok({ status: 'who' });
      assert.deepEqual(who.users, ['Ann', 'Bob'], 'who answers from memory while the database is away');
      proxy.restore();
      phase = 'restored';
      await waitUntil(
        () => count(ann, 'restored', 'ok') >= 5 && count(bob, 'restored', 'ok') >= 5,
        RESUME_TIMEOUT_MS,
        'oks after the database came back',
      );
      sending = false;
      await Promise.all(senders);

      const history = (await fullHistory(ann, 'Lab')).filter((m) => m.status === 'group');
      const storedByText = new Map<string, Obj[]>();
      for (const m of history) storedByText.set(m.text, [...(storedByText.get(m.text) ?? []), m]);
      for (const [client, tries] of attempts) {
        for (const { text, reply } of tries) {
          const stored = storedByText.get(text) ?? [];
          assert.ok(stored.length <= 1, `${text} is stored at most once`);
          if (reply.status === 'ok') {
            assert.equal(stored.length, 1, `${text} was answered ok, so it is stored`);
            assert.equal(stored[0]!.msgid, reply.msgid, `${text}: the ok's msgid is the stored one`);
          } else {
            // Unavailable promises nothing: a commit whose answer was cut off may have been stored.
            assert.equal(reply.code, 'unavailable', `${client.label}: ${text}: ${JSON.stringify(reply)}`);
          }
        }
        assert.ok(count(client, 'cut', 'error') >= 5, `${client.label} was refused while the database was away`);
      }
      // Nothing was delivered that is not stored, and as stored.
      for (const [client, other] of [
        [ann, bob],
        [bob, ann],
      ] as const) {
        const live = client.received.filter((m) => m.status === 'group' && m.ref === undefined);
        assert.ok(live.length > 0, `${client.label} received the other's messages`);
        for (const m of live) {
          const stored = storedByText.get(m.text) ?? [];
          assert.equal(stored.length, 1, `${m.text}, delivered to ${client.label}, is stored`);
          assert.equal(stored[0]!.msgid, m.msgid);
          assert.equal(m.sender, other.label);
        }
      }
      // The same connections send and receive again.
      const fromAnn = await ann.ok({ status: 'group', receiver: 'Lab', text: 'still here, Bob?' });
      await bob.event('group', { msgid: fromAnn.msgid });
      const fromBob = await bob.ok({ status: 'group', receiver: 'Lab', text: 'still here, Ann' });
      await ann.event('group', { msgid: fromBob.msgid });
      assert.equal(ann.isClosed || bob.isClosed, false, 'neither client was disconnected');
    } finally {
      proxy.restore();
      await cast.closeAll();
      await server.stop();
      await proxy.close();
      await schema.drop();
    }
  },
);

test('#15 a commit stored but whose answer was lost: on recovery its messages reach the recipients online once, before later ones, and a resend with the same id is answered ok without a copy', async () => {
  // Review finding: the message was stored, its sender told `unavailable`, its recipients never given
  // it live, and the watermark moved past it with the next message (a logout's cursors then skip it).
  await onDeferredStore(async ({ store, cast }) => {
    const ann = await cast.as('Ann');
    const bob = await cast.as('Bob');
    const mia = await cast.as('Mia');
    await ann.ok({ status: 'create', receiver: 'Lab', members: ['Mia'] });
    const before = await ann.ok({ status: 'private', receiver: 'Bob', text: 'before' });
    await bob.event('private', { msgid: before.msgid });

    store.loseNextCommitAnswer(unreachable());
    const request = { id: 'answer-lost-1', status: 'private', receiver: 'Bob', text: 'answer lost' };
    const lost = await ann.request(request);
    assert.equal(lost.code, 'unavailable', JSON.stringify(lost));
    const live = await bob.event('private', { text: 'answer lost' }, RESUME_TIMEOUT_MS);
    assert.ok(Number(live.msgid) > Number(before.msgid));

    const after = await okOnceServing(ann, { status: 'group', receiver: 'Lab', text: 'after' });
    await mia.event('group', { msgid: after.msgid });
    const next = await ann.ok({ status: 'private', receiver: 'Bob', text: 'next' });
    await bob.event('private', { msgid: next.msgid });
    const order = bob.received.filter((m) => m.status === 'private' && m.ref === undefined).map((m) => m.text);
    assert.deepEqual(order, ['before', 'answer lost', 'next'], 'once each, in id order');

    // The sender resends it as told: the stored message answers, and nobody gets a copy.
    const resent = await ann.ok(request);
    assert.equal(resent.msgid, live.msgid, 'the resend is answered with the stored message');
    await assertNotReceived(
      bob,
      (m) => m.text === 'answer lost' && m.msgid !== live.msgid,
      'a second copy of the resent message',
    );
    const history = await fullHistory(bob, 'Ann');
    assert.deepEqual(
      history.map((m) => m.text),
      ['before', 'answer lost', 'next'],
    );
  });
});

for (const joined of [false, true]) {
  test(
    `#15 on PostgreSQL${joined ? ' with two nodes joined by --bus' : ''}, a commit whose answer was lost is delivered live once to every member online, in id order, and its resend answers ok without a copy`,
    { skip: POSTGRES_SKIP || (joined && REDIS_SKIP) },
    async () => {
      const schema = await freshPostgresSchema();
      const bus = joined ? { bus: REDIS_URL!, busPrefix: `${uniqueName('lost-answer')}:` } : {};
      const { proxy, server: behind } = await behindProxy(schema.url, bus);
      const nodes: TestServer[] = [behind];
      const clients: TestClient[] = [];
      try {
        if (joined) nodes.push(await startServer({ auth: 'open', store: schema.url, ...bus }));
        const [here, there] = [nodes[0]!, nodes.at(-1)!];
        const ann = await TestClient.as(here.port, 'Ann');
        const bob = await TestClient.as(here.port, 'Bob');
        const cleo = await TestClient.as(there.port, 'Cleo');
        clients.push(ann, bob, cleo);
        await ann.ok({ status: 'create', receiver: 'Lab', members: ['Bob', 'Cleo'] });
        await bob.event('system', { event: 'created', receiver: 'Lab' });
        await cleo.event('system', { event: 'created', receiver: 'Lab' });

        proxy.loseNextCommitAnswer();
        const request = { id: 'answer-lost-pg', status: 'group', receiver: 'Lab', text: 'answer lost' };
        const lost = await ann.request(request);
        assert.equal(lost.code, 'unavailable', JSON.stringify(lost));
        assert.equal(proxy.lostAnswers, 1, 'the commit reached PostgreSQL and its answer was dropped');
        // Bob, on the node whose answer was lost, gets it from the recovery itself: no later message needed.
        const live = await bob.event('group', { text: 'answer lost' }, RESUME_TIMEOUT_MS);
        const after = await okOnceServing(ann, { status: 'group', receiver: 'Lab', text: 'after' });
        for (const member of [bob, cleo]) {
          await member.event('group', { msgid: after.msgid });
          const got = member.received.filter((m) => m.status === 'group').map((m) => [m.msgid, m.text]);
          assert.deepEqual(
            got,
            [
              [live.msgid, 'answer lost'],
              [after.msgid, 'after'],
            ],
            `${member.label}: once each, in id order`,
          );
        }
        const resent = await ann.ok(request);
        assert.equal(resent.msgid, live.msgid, 'the resend is answered with the stored message');
        const history = (await fullHistory(cleo, 'Lab')).filter((m) => m.status === 'group');
        assert.deepEqual(
          history.map((m) => m.text),
          ['answer lost', 'after'],
        );
        for (const member of [bob, cleo])
          await assertNotReceived(
            member,
            (m) => m.text === 'answer lost' && m.msgid !== live.msgid,
            'a copy of the resent message',
          );
      } finally {
        for (const client of clients) await client.close();
        for (const node of nodes) await node.stop();
        await proxy.close();
        await schema.drop();
      }
    },
  );
}

test('#15 a join is stored whole or not at all: a lost commit after it never leaves its event in history without the membership', async () => {
  // Review finding: the event was committed first and the membership row in the next tick; losing that
  // tick left "Bob joined Lab" in history with Bob not a member.
  await onDeferredStore(async ({ server, store, cast }) => {
    let ann = await cast.as('Ann');
    const bob = await cast.as('Bob');
    await ann.ok({ status: 'create', receiver: 'Lab' });
    // Ann offline, so that the lost tick carries only Bob's reply (a lost live message closes a session).
    await ann.close();
    // The join's own commit goes through; the one after it does not reach the database.
    store.failNextCommit(unreachable(), 1);
    const join = await bob.request({ status: 'join', receiver: 'Lab' });
    assert.equal(join.code, 'unavailable', JSON.stringify(join));
    await okOnceServing(bob, { status: 'private', receiver: 'Ann', text: 'are you there?' });
    ann = await TestClient.back(server.port, ann);
    const said = await ann.ok({ status: 'group', receiver: 'Lab', text: 'who is here?' });
    const history = await fullHistory(ann, 'Lab');
    const joined = history.some((m) => m.event === 'join' && m.sender === 'Bob');
    const members = await ann.ok({ status: 'members', receiver: 'Lab' });
    const names = (members.members as Obj[]).map((m) => m.name);
    assert.equal(
      names.includes('Bob'),
      joined,
      `the join event (${joined}) and the membership (${names.join(', ')}) agree`,
    );
    assert.ok(joined, 'the join was stored by its own commit');
    // A member as stored: Bob gets the room's messages from then on.
    await bob.event('group', { msgid: said.msgid });
    await ann.close();
  });
});

/** Sends until the server has noticed the outage (a write answered unavailable). */
async function noticeOutage(client: TestClient): Promise<void> {
  const reply = await client.request({ status: 'broadcast', text: 'is the database there?' });
  assert.equal(reply.code, 'unavailable', JSON.stringify(reply));
}

test(
  '#15 the one-server guard is taken again when the database comes back: a second server without --bus is still refused',
  { skip: POSTGRES_SKIP },
  async () => {
    const schema = await freshPostgresSchema();
    const { proxy, server } = await behindProxy(schema.url);
    const ann = await TestClient.as(server.port, 'Ann');
    try {
      await ann.ok({ status: 'broadcast', text: 'before' });
      proxy.cut(); // ends the lock's connection too: PostgreSQL frees the lock
      await noticeOutage(ann);
      proxy.restore();
      await okOnceServing(ann, { status: 'broadcast', text: 'after' });
      let second: TestServer | null = null;
      try {
        second = await startServer({ store: schema.url });
      } catch (err) {
        assert.ok(err instanceof DatabaseInUse, String(err));
      }
      if (second !== null) {
        await second.stop();
        assert.fail('a second server without --bus started beside the first after its outage');
      }
    } finally {
      await ann.close();
      await server.stop();
      await proxy.close();
      await schema.drop();
    }
  },
);

test(
  '#15 a server whose database another server took while it was cut off stops with one clear line, and the other goes on',
  { skip: POSTGRES_SKIP },
  async () => {
    const schema = await freshPostgresSchema();
    const log = new LogCapture();
    const { proxy, server } = await behindProxy(schema.url, { log: log.logger });
    const ann = await TestClient.as(server.port, 'Ann');
    let other: TestServer | null = null;
    try {
      proxy.cut();
      await noticeOutage(ann);
      // PostgreSQL frees the lock once it sees the cut connection end: the other server starts then.
      const deadline = Date.now() + RESUME_TIMEOUT_MS;
      while (other === null) {
        try {
          other = await startServer({ auth: 'open', store: schema.url });
        } catch (err) {
          if (!(err instanceof DatabaseInUse) || Date.now() > deadline) throw err;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      proxy.restore();
      const fatal = await log.waitFor(
        (e) => e.level === 60 && /another ClassChat server took this PostgreSQL database/.test(e.msg ?? ''),
        'the line saying why the server stops',
        RESUME_TIMEOUT_MS,
      );
      assert.match(String(fatal.err), /another ClassChat server is running/);
      await ann.event('system', { event: 'shutdown' }, RESUME_TIMEOUT_MS);
      await expectClosed(ann, RESUME_TIMEOUT_MS);
      const bob = await TestClient.as(other.port, 'Bob');
      await bob.ok({ status: 'broadcast', text: 'the other server serves' });
      await bob.close();
    } finally {
      await ann.close();
      await server.stop();
      await other?.stop();
      await proxy.close();
      await schema.drop();
    }
  },
);

test('#15 a logout while the database cannot be reached keeps its cursors for later: its tick does not fail, and the next login brings only what is new', async () => {
  // Review finding: the logout's cursor write made its tick wait for the database and fail, answering
  // the in-memory replies sharing it `unavailable`, and the cursors were lost (the next login brought
  // again what had been delivered).
  const log = new LogCapture();
  await onDeferredStore(async ({ server, store, cast }) => {
    const lostTicks = () => log.entries.filter((e) => /^commit could not reach the database/.test(e.msg ?? '')).length;
    const ann = await cast.as('Ann');
    const bob = await cast.as('Bob');
    const seen = await ann.ok({ status: 'private', receiver: 'Bob', text: 'seen' });
    await bob.event('private', { msgid: seen.msgid });
    store.reachable = false;
    const noticed = await ann.request({ status: 'private', receiver: 'Bob', text: 'lost' });
    assert.equal(noticed.code, 'unavailable');
    const lostBefore = lostTicks();
    await bob.close();
    await waitUntil(() => server.server.chat.presence.size === 1, 5000, 'Bob to go offline');
    const who = await ann.ok({ status: 'who' });
    assert.deepEqual(who.users, ['Ann']);
    assert.equal(lostTicks(), lostBefore, 'no tick failed: the logout sent nothing to a database known to be away');
    store.reachable = true;
    const later = await okOnceServing(ann, { status: 'private', receiver: 'Bob', text: 'later' });
    const back = await TestClient.back(server.port, bob);
    await back.event('private', { msgid: later.msgid });
    await assertNotReceived(back, (m) => m.text === 'seen', 'a message delivered before the logout, again');
    await back.close();
  }, log);
});

/** The one-server lock's key as the server computes it (database-lock.ts), on a connection to the same schema. */
const SERVER_LOCK_KEY = `hashtext('classchat.server:' || COALESCE(current_schema(), ''))`;
/** Ends the connection holding this schema's server lock, as pg_terminate_backend by an administrator would. */
const END_LOCK_CONNECTION = `SELECT pg_terminate_backend(pid) FROM pg_locks
  WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND objsubid = 1 AND classid = ((${SERVER_LOCK_KEY}::bigint >> 32) & 4294967295)::oid
    AND objid = (${SERVER_LOCK_KEY}::bigint & 4294967295)::oid AND pid <> pg_backend_pid()`;

// Found in review: the lock's connection can drop while the store's are fine (pg_terminate_backend, a
// middlebox's idle timeout). The server went on serving without the lock, so a second server without
// --bus could start in that gap (on 9bb8ec0 a post in the gap was answered ok). Now the gap is an outage.
test(
  '#15 a server whose lock connection alone drops serves nothing until the lock is held again, and stops if another server took it in the gap',
  { skip: POSTGRES_SKIP },
  async () => {
    const schema = await freshPostgresSchema();
    const log = new LogCapture();
    const server = await startServer({ auth: 'open', store: schema.url, log: log.logger });
    const lock = (server.server as unknown as { databaseLock: { held: boolean } }).databaseLock;
    const ann = await TestClient.as(server.port, 'Ann');
    const admin = new pg.Client({ connectionString: schema.url });
    await admin.connect();
    try {
      await ann.ok({ status: 'broadcast', text: 'before' });
      // Nobody takes the database: refused while the lock is lost, served again once it is retaken.
      assert.equal((await admin.query(END_LOCK_CONNECTION)).rowCount, 1, 'the lock connection found');
      await waitUntil(() => !lock.held, RESUME_TIMEOUT_MS, 'the server to notice its lock is lost');
      await noticeOutage(ann);
      await okOnceServing(ann, { status: 'broadcast', text: 'after' });
      assert.equal(lock.held, true);
      // Another server takes the database in the gap (here, the test's connection holding the lock).
      await admin.query(END_LOCK_CONNECTION);
      await admin.query(`SELECT pg_advisory_lock(${SERVER_LOCK_KEY})`);
      await waitUntil(() => !lock.held, RESUME_TIMEOUT_MS, 'the server to notice its lock is lost');
      await noticeOutage(ann);
      await log.waitFor(
        (e) => e.level === 60 && /another ClassChat server took this PostgreSQL database/.test(e.msg ?? ''),
        'the line saying why the server stops',
        RESUME_TIMEOUT_MS,
      );
      await expectClosed(ann, RESUME_TIMEOUT_MS);
    } finally {
      await admin.end();
      await ann.close();
      await server.stop();
      await schema.drop();
    }
  },
);
