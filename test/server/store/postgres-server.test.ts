// A real ClassChat server on PostgreSQL (#15): one node, driven over loopback sockets like any test,
// its state in a fresh schema that outlives a restart and that `classchat admin` and `classchat
// migrate` reach with the same --store URL.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import pg from 'pg';
import { Cast, type Obj } from '../../helpers/client.js';
import { runCli } from '../../helpers/cli.js';
import { expectClosed } from '../../helpers/expect.js';
import { runAdmin, startServer, tempDataDir, type TestServer } from '../../helpers/server.js';
import { freshPostgresSchema, POSTGRES_SKIP } from '../../helpers/services.js';

test(
  '#15 a single node on PostgreSQL: rooms, offline delivery and history survive a restart; classchat admin works on the same database',
  { skip: POSTGRES_SKIP, timeout: 60_000 },
  async () => {
    const schema = await freshPostgresSchema();
    const dataDir = tempDataDir();
    let server: TestServer | null = null;
    const cast = new Cast(() => server!.port);
    try {
      server = await startServer({ dataDir, store: schema.url });
      const alice = await cast.as('Alice');
      const bob = await cast.as('Bob');
      const carol = await cast.as('Carol');
      await carol.ok({ status: 'exit' });
      await expectClosed(carol);

      await alice.ok({ status: 'create', receiver: 'Study', members: ['Bob'] });
      await bob.event('system', { event: 'created', receiver: 'Study' });
      const said = await alice.ok({ status: 'group', receiver: 'Study', text: 'hello room' });
      await bob.event('group', { msgid: said.msgid, text: 'hello room' });
      const away = await alice.ok({ status: 'private', receiver: 'Carol', text: 'while you were away' });
      assert.equal(away.queued, true, 'Carol is offline: the message waits in the store');
      const history = await bob.ok({ status: 'history', receiver: 'Study' });
      assert.deepEqual(
        history.messages.map((m: Obj) => [m.sender, m.text]),
        [
          ['Alice', 'Alice created Study with Bob'],
          ['Alice', 'hello room'],
        ],
      );

      // A restart on the same schema: nothing is in memory any more.
      await server.stop();
      await cast.closeAll();
      server = await startServer({ dataDir, store: schema.url });

      const carolBack = await cast.as('Carol');
      const waiting = await carolBack.event('private', { msgid: away.msgid });
      assert.deepEqual([waiting.sender, waiting.text], ['Alice', 'while you were away']);
      const bobBack = await cast.as('Bob');
      const members = await bobBack.ok({ status: 'members', receiver: 'Study' });
      assert.deepEqual(
        members.members.map((m: Obj) => m.name),
        ['Alice', 'Bob'],
      );
      const newer = await bobBack.ok({ status: 'group', receiver: 'Study', text: 'after the restart' });
      assert.ok(newer.msgid > away.msgid, 'message ids keep increasing after a restart');
      assert.equal(newer.seq, said.seq + 1, "the room's sequence continues");
      const again = await bobBack.ok({ status: 'history', receiver: 'Study' });
      assert.deepEqual(
        again.messages.map((m: Obj) => m.text),
        ['Alice created Study with Bob', 'hello room', 'after the restart'],
      );

      // `classchat admin` on the same database, while the server runs: it lists the users, and the
      // server applies a revoke to Bob's live session (its admin-event poll reads PostgreSQL).
      const list = await runAdmin(dataDir, ['list-users', '--store', schema.url]);
      assert.equal(list.code, 0, list.stderr);
      assert.deepEqual(
        list.stdout
          .trim()
          .split('\n')
          .map((line) => line.split(/\s+/)[0]),
        ['Alice', 'Bob', 'Carol'],
      );
      const revoke = await runAdmin(dataDir, ['revoke-tokens', 'Bob', '--store', schema.url]);
      assert.equal(revoke.code, 0, revoke.stderr);
      await expectClosed(bobBack, 5000);
    } finally {
      await cast.closeAll();
      await server?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      await schema.drop();
    }
  },
);

test(
  '#15 classchat migrate --store applies the PostgreSQL schema once and exits',
  { skip: POSTGRES_SKIP },
  async () => {
    const schema = await freshPostgresSchema();
    try {
      for (let run = 0; run < 2; run++) {
        const result = await runCli(['migrate', '--store', schema.url]);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /up to date/);
      }
      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
        assert.deepEqual(
          rows.map((r) => r.version),
          [1],
        );
        const { rows: tables } = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'messages'`,
        );
        assert.equal(tables[0]!.n, '1');
      } finally {
        await client.end();
      }
    } finally {
      await schema.drop();
    }
  },
);

test('#15 classchat migrate refuses a --store it does not know, with the usage', async () => {
  const result = await runCli(['migrate', '--store', 'mysql://somewhere/db']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--store must be sqlite: or a postgres:\/\/ URL/);
});

test(
  '#15 a second server on one PostgreSQL database is refused until delivery between nodes is built; it starts once the first stops',
  { skip: POSTGRES_SKIP, timeout: 60_000 },
  async () => {
    const schema = await freshPostgresSchema();
    let first: TestServer | null = null;
    let second: TestServer | null = null;
    try {
      first = await startServer({ dataDir: tempDataDir(), store: schema.url });
      await assert.rejects(startServer({ dataDir: tempDataDir(), store: schema.url }), (err: Error) => {
        assert.equal(err.name, 'Error');
        assert.match(err.message, /another ClassChat server is running on this PostgreSQL database/);
        return true;
      });
      await first.stop();
      first = null;
      second = await startServer({ dataDir: tempDataDir(), store: schema.url });
      const cast = new Cast(() => second!.port);
      const alice = await cast.as('Alice');
      await alice.ok({ status: 'exit' });
    } finally {
      await first?.stop();
      await second?.stop();
      await schema.drop();
    }
  },
);
