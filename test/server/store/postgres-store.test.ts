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

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

test(
  '#15 several nodes opening one empty PostgreSQL schema at once apply each migration once',
  { skip: POSTGRES_SKIP },
  () =>
    onSchema(async (schema) => {
      const stores = await Promise.all(Array.from({ length: 5 }, () => openOn(schema.url)));
      try {
        const rows = await query<{ version: number }>(
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
        store.insertConversation({ id: 1, kind: 'room', key: 'room', name: 'Room' }, bob, 'now');
        store.insertConversation({ id: 1, kind: 'room', key: 'other', name: 'Other' }, bob, 'now'); // the same id
        await assert.rejects(Promise.resolve(store.commit()), /duplicate key/);
        assert.equal((await store.findUser('bob'))?.role, 'user', 'the write before the failure is rolled back too');
        assert.equal(await store.findConversation('room'), undefined);
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
        const killed = await query<{ n: string }>(
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
      let reported!: (err: Error) => void;
      const firstError = new Promise<Error>((resolve) => (reported = resolve));
      const store = await openStore({
        store: { kind: 'postgres', url: url.toString() },
        dataDir: ':memory:',
        onConnectionError: (err) => reported(err),
      });
      try {
        const bob = await store.insertUser({ name: 'Bob', key: 'bob', passwordHash: null, role: 'user' }, 'now');
        await store.commit();
        assert.equal((await store.findUser('bob'))?.role, 'user'); // a read connection, idle in the pool now
        const killed = await query<{ n: string }>(
          POSTGRES_URL!,
          `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = '${application}'`,
        );
        assert.ok(Number(killed[0]!.n) >= 2, `killed ${killed[0]!.n} connections: the writer and a reader`);
        const err = await withTimeout(firstError, 5000, 'the lost connection to be reported');
        assert.match(err.message, /terminat/i);
        store.setRole(bob, 'admin');
        await store.commit();
        assert.equal((await store.findUser('bob'))?.role, 'admin');
      } finally {
        await store.close();
      }
    }),
);
