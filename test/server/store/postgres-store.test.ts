// The Store contract (store-suite.ts) on PostgreSQL (#15), each test on a fresh schema, and what only
// a shared database has to show: nodes migrating one schema at once, a failed batch stored not at
// all, the last use of an invite raced by several nodes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { openStore } from '../../../src/server/store/open-store.js';
import type { Store } from '../../../src/server/store/store.js';
import { withTimeout } from '../../helpers/expect.js';
import {
  freshPostgresSchema,
  POSTGRES_SKIP,
  POSTGRES_URL,
  queryRows,
  uniqueName,
  type TestSchema,
} from '../../helpers/services.js';
import { storeSuite } from './store-suite.js';

const openOn = (url: string): Promise<Store> => openStore({ store: { kind: 'postgres', url }, dataDir: ':memory:' });

storeSuite(
  'PostgreSQL',
  async () => {
    const schema = await freshPostgresSchema();
    return { open: () => openOn(schema.url), drop: () => schema.drop() };
  },
  { skip: POSTGRES_SKIP },
);

/** Runs `body` on a fresh schema, dropping it afterwards. */
async function onSchema(body: (schema: TestSchema) => Promise<void>): Promise<void> {
  const schema = await freshPostgresSchema();
  try {
    await body(schema);
  } finally {
    await schema.drop();
  }
}

test(
  '#15 several nodes opening one empty PostgreSQL schema at once apply each migration once',
  { skip: POSTGRES_SKIP },
  () =>
    onSchema(async (schema) => {
      const stores = await Promise.all(Array.from({ length: 5 }, () => openOn(schema.url)));
      try {
        const rows = await queryRows<{ version: number }>(
          schema.url,
          'SELECT version FROM schema_migrations ORDER BY version',
        );
        assert.deepEqual(
          rows.map((r) => r.version),
          [1],
        );
        // Every node can use the schema: one writes, another reads.
        await stores[0]!.insertUser({ name: 'Bob', key: 'bob', passwordHash: null, role: 'user' }, 'now');
        assert.equal((await stores[4]!.findUser('bob'))?.name, 'Bob');
      } finally {
        for (const store of stores) await store.close();
      }
    }),
);

test(
  '#15 a PostgreSQL batch with a failing statement stores nothing of it, and commit() rejects',
  { skip: POSTGRES_SKIP },
  () =>
    onSchema(async (schema) => {
      const store = await openOn(schema.url);
      try {
        const bob = await store.insertUser({ name: 'Bob', key: 'bob', passwordHash: null, role: 'user' }, 'now');
        await store.commit();
        store.setRole(bob, 'admin');
        store.insertMember(1, bob, 0, 'now'); // no conversation 1: a foreign key violation
        await assert.rejects(Promise.resolve(store.commit()), /foreign key/);
        assert.equal((await store.findUser('bob'))?.role, 'user', 'the write before the failure is rolled back too');
        // The store goes on: the next batch commits.
        store.setRole(bob, 'admin');
        await store.commit();
        assert.equal((await store.findUser('bob'))?.role, 'admin');
      } finally {
        await store.close();
      }
    }),
);

test('#15 the last use of an invite, raced by several PostgreSQL nodes, is taken once', { skip: POSTGRES_SKIP }, () =>
  onSchema(async (schema) => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => openOn(schema.url)));
    try {
      stores[0]!.insertInvite('code', 1, '2999-01-01T00:00:00.000Z', 'now');
      await stores[0]!.commit();
      const uses = await Promise.all(stores.map(async (s) => await s.useInvite('code', '2026-12-01T00:00:00.000Z')));
      assert.equal(uses.filter(Boolean).length, 1, `uses: ${uses.join(', ')}`);
    } finally {
      for (const store of stores) await store.close();
    }
  }),
);

test(
  '#15 PostgreSQL connections killed under a store are reported, never fatal; the next commit reconnects',
  { skip: POSTGRES_SKIP },
  () =>
    onSchema(async (schema) => {
      // A name on this store's connections, to find them in pg_stat_activity.
      const application = uniqueName('classchat_node');
      const url = new URL(schema.url);
      url.searchParams.set('application_name', application);
      const reported: Error[] = [];
      let onReport = (): void => {};
      const store = await openStore({
        store: { kind: 'postgres', url: url.toString() },
        dataDir: ':memory:',
        onConnectionError: (err) => {
          reported.push(err);
          onReport();
        },
      });
      try {
        const bob = await store.insertUser({ name: 'Bob', key: 'bob', passwordHash: null, role: 'user' }, 'now');
        await store.commit();
        assert.equal((await store.findUser('bob'))?.role, 'user'); // a read connection, idle in the pool now
        const killed = await queryRows<{ n: string }>(
          POSTGRES_URL!,
          `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = '${application}'`,
        );
        const count = Number(killed[0]!.n);
        assert.ok(count >= 2, `killed ${count} connections: the writer and a reader`);
        // Each idle connection reports its loss (the process would have crashed on an unhandled 'error').
        await withTimeout(
          new Promise<void>((resolve) => {
            onReport = () => reported.length >= count && resolve();
            onReport();
          }),
          5000,
          `${count} lost connections to be reported`,
        );
        assert.match(reported[0]!.message, /terminat/i);
        store.setRole(bob, 'admin');
        await store.commit();
        assert.equal((await store.findUser('bob'))?.role, 'admin');
      } finally {
        await store.close();
      }
    }),
);

/** Appends `count` messages to a conversation, a few per commit, as a node's ticks would. */
async function postBatches(store: Store, convId: number, senderId: number, label: string, count: number) {
  const stored = [];
  for (let i = 0; i < count; i += 5) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 5); j++) {
      batch.push(
        Promise.resolve(
          store.appendMessage({
            convId,
            kind: 'group',
            event: null,
            senderId,
            sender: label,
            receiver: 'Room',
            text: `${label} ${j}`,
            ts: 'now',
          }),
        ),
      );
    }
    await store.commit();
    stored.push(...(await Promise.all(batch)));
  }
  return stored;
}

test(
  '#15 three PostgreSQL nodes posting to one room at once: one seq order without gap or repeat, ids in the same order',
  { skip: POSTGRES_SKIP },
  () =>
    onSchema(async (schema) => {
      const nodes = await Promise.all(Array.from({ length: 3 }, () => openOn(schema.url)));
      try {
        const bob = await nodes[0]!.insertUser({ name: 'Bob', key: 'bob', passwordHash: null, role: 'user' }, 'now');
        const made = nodes[0]!.insertConversation({ kind: 'room', key: 'room', name: 'Room' }, bob, 'now', [bob]);
        await nodes[0]!.commit();
        const roomId = (await made).id;
        const perNode = 60;
        const posted = (
          await Promise.all(nodes.map((node, n) => postBatches(node, roomId, bob, `node${n}`, perNode)))
        ).flat();
        const bySeq = [...posted].sort((a, b) => a.seq - b.seq);
        assert.deepEqual(
          bySeq.map((m) => m.seq),
          Array.from({ length: 3 * perNode }, (_, i) => i + 1),
          'seqs 1..n, each once',
        );
        // Ids follow commit order, and so does seq within the conversation: the two orders agree.
        const byId = [...posted].sort((a, b) => a.id - b.id);
        assert.deepEqual(
          byId.map((m) => m.seq),
          bySeq.map((m) => m.seq),
        );
        // What history shows is that one order, with the texts each node sent.
        const history = await nodes[1]!.history(roomId, { after: 0, limit: 1000 });
        assert.deepEqual(
          history.map((m) => [m.id, m.seq, m.text]),
          bySeq.map((m) => [m.id, m.seq, m.text]),
        );
      } finally {
        for (const node of nodes) await node.close();
      }
    }),
);

test(
  '#15 message ids become visible in order: a reader on PostgreSQL never sees an id while a lower one is missing',
  { skip: POSTGRES_SKIP },
  () =>
    onSchema(async (schema) => {
      const nodes = await Promise.all(Array.from({ length: 2 }, () => openOn(schema.url)));
      const reader = new pg.Client({ connectionString: schema.url });
      await reader.connect();
      try {
        const bob = await nodes[0]!.insertUser({ name: 'Bob', key: 'bob', passwordHash: null, role: 'user' }, 'now');
        const rooms = ['a', 'b'].map(async (key) =>
          nodes[0]!.insertConversation({ kind: 'room', key, name: key }, bob, 'now'),
        );
        await nodes[0]!.commit();
        const [roomA, roomB] = await Promise.all(rooms);
        let writing = true;
        const writers = Promise.all([
          postBatches(nodes[0]!, roomA!.id, bob, 'a', 150),
          postBatches(nodes[1]!, roomB!.id, bob, 'b', 150),
        ]).finally(() => (writing = false));
        let looks = 0;
        while (writing || looks === 0) {
          const { rows } = await reader.query<{ n: number; top: number }>(
            'SELECT count(*)::int AS n, COALESCE(max(id), 0)::int AS top FROM messages',
          );
          // Ids start at 1 and nothing is deleted: what is visible must be exactly 1..top.
          assert.equal(rows[0]!.n, rows[0]!.top, `look ${looks}: ${rows[0]!.n} rows up to id ${rows[0]!.top}`);
          looks++;
        }
        await writers;
        assert.ok(looks > 1, 'the reader looked while the nodes wrote');
      } finally {
        await reader.end();
        for (const node of nodes) await node.close();
      }
    }),
);

test(
  '#15 two PostgreSQL nodes opening the same conversation at once: one makes it, both get its id',
  { skip: POSTGRES_SKIP },
  () =>
    onSchema(async (schema) => {
      const nodes = await Promise.all(Array.from({ length: 2 }, () => openOn(schema.url)));
      try {
        const ids = await Promise.all(
          ['amy', 'bob'].map((name) =>
            nodes[0]!.insertUser({ name, key: name, passwordHash: null, role: 'user' }, 'now'),
          ),
        );
        await nodes[0]!.commit();
        for (let round = 0; round < 10; round++) {
          const key = `dm:${ids[0]}:${ids[1]}:${round}`;
          const answers = nodes.map(async (node) =>
            node.insertConversation({ kind: 'dm', key, name: '' }, null, 'now', ids),
          );
          await Promise.all(nodes.map(async (node) => node.commit()));
          const made = await Promise.all(answers);
          assert.deepEqual(made.map((m) => m.created).sort(), [false, true], `round ${round}`);
          assert.equal(made[0]!.id, made[1]!.id, `round ${round}: one conversation`);
          const found = await nodes[1]!.findConversation(key);
          assert.equal(found?.id, made[0]!.id);
        }
      } finally {
        for (const node of nodes) await node.close();
      }
    }),
);

test(
  '#15 PostgreSQL nodes whose ticks open conversations and post in opposite orders never deadlock',
  { skip: POSTGRES_SKIP },
  () =>
    onSchema(async (schema) => {
      const [a, b] = await Promise.all([openOn(schema.url), openOn(schema.url)]);
      try {
        const made = a.insertConversation({ kind: 'everyone', key: 'everyone', name: '' }, null, 'now');
        await a.commit();
        const everyone = (await made).id;
        const post = (store: Store, text: string) =>
          Promise.resolve(
            store.appendMessage({
              convId: everyone,
              kind: 'broadcast',
              event: null,
              senderId: null,
              sender: 'server',
              receiver: 'everyone',
              text,
              ts: 'now',
            }),
          );
        const open = (store: Store, key: string) =>
          Promise.resolve(store.insertConversation({ kind: 'dm', key, name: '' }, null, 'now'));
        for (let round = 0; round < 60; round++) {
          // One tick on each node, with the same two kinds of write in the opposite order.
          const answers = [open(a, `a${round}`), post(a, `a${round}`), post(b, `b${round}`), open(b, `b${round}`)];
          const commits = await Promise.allSettled([a.commit(), b.commit()].map(async (c) => c));
          for (const c of commits)
            assert.equal(c.status, 'fulfilled', `round ${round}: ${String((c as PromiseRejectedResult).reason)}`);
          await Promise.all(answers);
        }
      } finally {
        await a.close();
        await b.close();
      }
    }),
);

test(
  '#15 a message to a conversation deleted meanwhile takes no id on PostgreSQL: the ids stay without holes',
  { skip: POSTGRES_SKIP },
  () =>
    onSchema(async (schema) => {
      const [a, b] = await Promise.all([openOn(schema.url), openOn(schema.url)]);
      try {
        const rooms = ['kept', 'doomed'].map(async (key) =>
          a.insertConversation({ kind: 'room', key, name: key }, null, 'now'),
        );
        await a.commit();
        const [kept, doomed] = await Promise.all(rooms);
        const draft = (convId: number, text: string) => ({
          convId,
          kind: 'group' as const,
          event: null,
          senderId: null,
          sender: 'server',
          receiver: 'Room',
          text,
          ts: 'now',
        });
        const first = Promise.resolve(a.appendMessage(draft(kept!.id, 'first')));
        await a.commit();
        b.deleteConversation(doomed!.id); // another node deletes the room
        await b.commit();
        const lost = Promise.resolve(a.appendMessage(draft(doomed!.id, 'lost')));
        const next = Promise.resolve(a.appendMessage(draft(kept!.id, 'next')));
        await a.commit();
        await assert.rejects(lost, /no longer exists/);
        assert.equal((await next).id, (await first).id + 1, 'the next id follows without a hole');
      } finally {
        await a.close();
        await b.close();
      }
    }),
);

test(
  '#15 on PostgreSQL the resend check finds a message not committed yet, and commits nobody else’s writes early',
  { skip: POSTGRES_SKIP },
  () =>
    onSchema(async (schema) => {
      const [node, other] = await Promise.all([openOn(schema.url), openOn(schema.url)]);
      try {
        const bob = await node.insertUser({ name: 'Bob', key: 'bob', passwordHash: null, role: 'user' }, 'now');
        const made = node.insertConversation({ kind: 'room', key: 'room', name: 'Room' }, bob, 'now', [bob]);
        await node.commit();
        const roomId = (await made).id;
        // One tick: another request's write, then Bob's message with a request id, then his resend of it.
        node.setRole(bob, 'admin');
        const sent = Promise.resolve(
          node.appendMessage({
            convId: roomId,
            kind: 'group',
            event: null,
            senderId: bob,
            sender: 'Bob',
            receiver: 'Room',
            text: 'once',
            ts: '2026-12-01T10:00:00.000Z',
            clientRef: '"r1"',
          }),
        );
        const query = {
          senderId: bob,
          clientRef: '"r1"',
          kind: 'group' as const,
          receiverKey: 'room',
          text: 'once',
          since: '2026-12-01T00:00:00.000Z',
        };
        // The usual case, a new message: the check reads the table without committing the tick early.
        assert.equal(await node.findResent({ ...query, text: 'other' }), undefined, 'another text is no resend');
        assert.equal((await other.findUser('bob'))?.role, 'user', 'the tick is not committed by the check');
        // A resend of the message not committed yet is answered with it, once the commit is done.
        const resent = Promise.resolve(node.findResent(query));
        await node.commit();
        const [message, found] = await Promise.all([sent, resent]);
        assert.equal(found?.id, message.id, 'the resend is answered with the message it repeats');
        assert.equal((await other.findUser('bob'))?.role, 'admin');
        assert.equal((await node.findResent(query))?.id, message.id, 'and from the table once committed');
      } finally {
        await node.close();
        await other.close();
      }
    }),
);

test(
  '#15 one PostgreSQL tick: runs of messages to several conversations, between other writes and a failing one, numbered in the order appended, every field stored as sent',
  { skip: POSTGRES_SKIP },
  () =>
    onSchema(async (schema) => {
      const [node, other] = await Promise.all([openOn(schema.url), openOn(schema.url)]);
      try {
        const bob = await node.insertUser({ name: 'Bob', key: 'bob', passwordHash: null, role: 'user' }, 'now');
        const rooms = ['a', 'b'].map(async (key) =>
          node.insertConversation({ kind: 'room', key, name: key }, bob, 'now', [bob]),
        );
        await node.commit();
        const [a, b] = (await Promise.all(rooms)).map((r) => r.id);
        // Texts that an array parameter must carry unchanged: quotes, backslashes, braces, commas, the
        // word NULL, an empty string, a line break, characters outside ASCII.
        const texts = ['say "hi"', 'back\\slash', '{a,b}', 'NULL', '', 'two\nlines', 'été 🎉', 'last'];
        const post = (convId: number, text: string, senderId: number | null = bob) =>
          Promise.resolve(
            node.appendMessage({
              convId,
              kind: 'group',
              event: senderId === null ? 'join' : null,
              senderId,
              sender: senderId === null ? 'server' : 'Bob',
              receiver: 'Room',
              text,
              ts: `2026-12-01T10:00:0${texts.indexOf(text)}.000Z`,
              clientRef: senderId === null ? null : `"r${texts.indexOf(text)}"`,
            }),
          );
        // One tick: a run of three, a new room, a run into it and back, a name taken (an answering write
        // that fails alone), another write, a last run.
        const first = [post(a!, texts[0]!), post(b!, texts[1]!, null), post(a!, texts[2]!)];
        const made = Promise.resolve(node.insertConversation({ kind: 'room', key: 'c', name: 'c' }, bob, 'now', [bob]));
        const c = 1 + Math.max(a!, b!); // conversations are numbered in commit order too
        const second = [post(c, texts[3]!), post(a!, texts[4]!)];
        const taken = node.insertUser({ name: 'BOB', key: 'bob', passwordHash: null, role: 'user' }, 'now');
        node.setRole(bob, 'admin');
        const last = [post(b!, texts[5]!), post(c, texts[6]!, null), post(a!, texts[7]!)];
        await node.commit();
        await assert.rejects(taken, /duplicate key|unique/);
        assert.deepEqual(await made, { id: c, created: true });
        const stored = await Promise.all([...first, ...second, ...last]);
        const firstId = stored[0]!.id;
        assert.deepEqual(
          stored.map((m) => [m.id - firstId, m.convId, m.seq]),
          [
            [0, a, 1],
            [1, b, 1],
            [2, a, 2],
            [3, c, 1],
            [4, a, 3],
            [5, b, 2],
            [6, c, 2],
            [7, a, 4],
          ],
          'ids in the order appended, each conversation its seqs in that order',
        );
        assert.equal((await other.findUser('bob'))?.role, 'admin', 'the writes between the runs are stored');
        // Read back by another node: every field as appended.
        const read = (
          await Promise.all([a!, b!, c].map((conv) => other.history(conv, { after: 0, limit: 10 })))
        ).flat();
        read.sort((x, y) => x.id - y.id);
        assert.deepEqual(
          read.map((m) => [m.id, m.seq, m.text, m.event, m.senderId, m.sender, m.ts, m.fileId]),
          stored.map((m) => [m.id, m.seq, m.text, m.event, m.senderId, m.sender, m.ts, null]),
        );
        const resent = await other.findResent({
          senderId: bob,
          clientRef: '"r0"',
          kind: 'group',
          receiverKey: 'room',
          text: texts[0]!,
          since: '2026-01-01T00:00:00.000Z',
        });
        assert.equal(resent?.id, firstId, 'the request id is stored with its message');
      } finally {
        await node.close();
        await other.close();
      }
    }),
);
