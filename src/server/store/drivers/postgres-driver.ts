/**
 * PostgreSQL under SqlStore (#15, pg). Writes are queued as the domain records them and sent at
 * `commit()` in ONE transaction on a dedicated client (group commit: the server releases a tick's
 * replies only once that resolves), in few round trips: consecutive messages as one statement, and a
 * batch of messages alone as one statement committed on its own (attempt()). Reads run on a pool, after every write recorded before them is
 * committed (committing the queue early when there is one): a read sees every write before it.
 *
 * A write whose answer someone awaits (ANSWERING_WRITES) runs under a savepoint, so its failure (a
 * name taken by another node meanwhile) fails that write alone, as in SQLite; and it schedules a
 * commit of its own, so it settles even if nobody calls commit(). Any other failed statement fails
 * its whole batch: nothing of it is stored and commit() rejects with the error (the caller decides).
 * A commit nobody awaited (scheduled, or early for a read) that fails is reported by the next commit().
 *
 * Connection errors never crash the process: the pool and the client have 'error' handlers; a broken
 * write client is replaced at the next batch. A batch or a read that fails because the database cannot
 * be reached (not because of a statement) rejects with StoreUnreachable (#15): the server then answers
 * `unavailable` and probes (probe()) until it answers again, instead of stopping.
 */
import pg from 'pg';
import { POSTGRES, preparedQueries } from '../dialect.js';
import { POSTGRES_MIGRATIONS } from '../postgres-schema.js';
import type { QueryName } from '../queries.js';
import { StoreUnreachable } from '../unreachable.js';
import { MESSAGE_RUN_SQL, RUN_QUERY, RUN_STATEMENT, runParams, runResults } from './postgres-message-run.js';
import {
  ANSWERING_WRITES,
  COMMITTED_READS,
  type PreparedQuery,
  type Row,
  type SqlDriver,
  type WriteResult,
} from './driver.js';

export interface PostgresOptions {
  /** postgres://user@host:port/db (options=-c search_path=... picks a schema). */
  url: string;
  /** Told of a connection error no query was waiting for (an idle connection dropped); logged by the server. */
  onConnectionError?: (err: Error) => void;
  /** Connections for reads (default 10). */
  readConnections?: number;
}

/** BIGINT (20) and NUMERIC (1700, what SUM(BIGINT) gives) as JS numbers: ids and counts stay below 2^53. */
const NUMERIC_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 || oid === 1700
      ? Number
      : (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(
          oid,
          format,
        )) as pg.CustomTypesConfig['getTypeParser'],
};

interface QueuedWrite {
  name: QueryName;
  params: unknown[];
  resolve(result: WriteResult): void;
  reject(err: unknown): void;
}

const SQL = preparedQueries(POSTGRES);

/**
 * How long opening a connection may take before it counts as unreachable (#15). pg waits for ever by
 * default: a database behind a dead route would hold every read and batch until TCP gave up.
 */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * PostgreSQL's error classes that say the connection, not the statement, failed: 08 (connection
 * exception) and 57P01-57P03 (the server shutting down, or not accepting connections yet); and 57014,
 * a statement cancelled at its deadline (CONNECTION_SETTINGS): a database that stopped answering, an
 * outage to wait out, not a fault in our SQL.
 */
const CONNECTION_SQLSTATE = /^(08|57P0[123]|57014)/;

/**
 * lock_not_available: a batch waited WRITE_SETTINGS.lock_timeout for the commit-order lock. The database
 * answers; another node's batch is holding the lock (busy, not down), so the batch is tried again
 * (isRetryable). Only when every attempt waited that long is it answered as an outage (`unavailable`,
 * never a stop of the server): the holder is alive, since a silent one is ended sooner (WRITE_SETTINGS).
 */
const LOCK_NOT_AVAILABLE = '55P03';

/** `err` as StoreUnreachable when it says the database could not be reached (or stayed busy); as it is otherwise. */
export function classify(err: unknown): unknown {
  if (err instanceof StoreUnreachable) return err;
  if (err instanceof pg.DatabaseError)
    return CONNECTION_SQLSTATE.test(err.code ?? '') || err.code === LOCK_NOT_AVAILABLE
      ? new StoreUnreachable(err)
      : err;
  // Anything else pg rejects with is about the socket: refused, reset, terminated, timed out.
  return err instanceof Error ? new StoreUnreachable(err) : err;
}

/**
 * Opens a batch of several statements (see attempt()): BEGIN and the commit-order lock, the message
 * counter's row, which the numbered inserts update anyway, in one round trip (a simple query of two
 * statements: constant text, no parameters). Cluster-wide, commits are therefore serial; group commit
 * makes each one a whole tick.
 */
const BEGIN_IN_COMMIT_ORDER = `BEGIN; SELECT value FROM counters WHERE name = 'next_message_id' FOR UPDATE`;

/**
 * A batch PostgreSQL aborted to break a deadlock or a serialization conflict, or that waited
 * WRITE_SETTINGS.lock_timeout for the commit-order lock (55P03), is sent again, up to this many times in all.
 */
const BATCH_ATTEMPTS = 3;
const RETRYABLE_STATES = new Set(['40P01', '40001', LOCK_NOT_AVAILABLE]);

function isRetryable(err: unknown): boolean {
  return err instanceof pg.DatabaseError && RETRYABLE_STATES.has(err.code ?? '');
}

/**
 * Every connection: TCP keepalive and deadlines, so that a database gone silent (a partition, no reset)
 * fails a batch in bounded time instead of holding every later tick behind it.
 */
export const CONNECTION_SETTINGS = {
  keepAlive: true,
  keepAliveInitialDelayMillis: 10_000,
  connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  statement_timeout: 10_000,
  query_timeout: 15_000,
} as const;

/**
 * The write client's own settings (#15 review). A batch of several statements holds the commit-order lock
 * from its BEGIN to its COMMIT across round trips: a node that falls silent in between (a partition, a
 * paused VM: no FIN or RST reaches PostgreSQL) would leave its session "idle in transaction" holding
 * the lock for as long as PostgreSQL keeps the session (hours, by TCP keepalive), and every node's
 * commits would wait on it. idle_in_transaction_session_timeout ends such a session: our batches send
 * their next statement as soon as the last one answers, so a few seconds idle inside one means its
 * node is gone. The lock is then free for the others within that bound.
 *
 * lock_timeout, shorter than statement_timeout, tells waiting for the lock (55P03: busy, tried again)
 * from a database that stopped answering (57014: an outage).
 */
export const IDLE_IN_BATCH_LIMIT_MS = 3000;
const WRITE_SETTINGS = {
  idle_in_transaction_session_timeout: IDLE_IN_BATCH_LIMIT_MS,
  lock_timeout: 8000,
} as const;

/**
 * PostgreSQL's own TCP keepalive on a session, in seconds (its default is the system's: about 2 h): a
 * session whose node went silent outside a transaction (the database lock's, or an idle write client) is
 * ended within about idle + interval × count = 25 s instead. Ignored on a Unix socket.
 */
export const SERVER_KEEPALIVE_SQL =
  'SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3';

/** Migrations of one schema run one node at a time: a lock keyed by the schema's name. */
const MIGRATION_LOCK = `hashtext('classchat.migrate:' || COALESCE(current_schema(), ''))`;

export class PostgresDriver implements SqlDriver {
  readonly dialect = POSTGRES;
  private queue: QueuedWrite[] = [];
  /** The last batch sent; always resolves (its failure goes to its writes and its committer). */
  private tail: Promise<void> | null = null;
  private commitScheduled = false;
  /** The failure of a batch nobody awaited, for the next commit() to report. */
  private unreported: Error | null = null;
  private writer: Promise<pg.Client> | null = null;

  private constructor(
    private readonly options: PostgresOptions,
    private readonly pool: pg.Pool,
  ) {}

  /** Connects and brings the schema up to date (once, however many nodes start at the same time). */
  static async open(options: PostgresOptions): Promise<PostgresDriver> {
    const pool = new pg.Pool({
      connectionString: options.url,
      types: NUMERIC_TYPES,
      max: options.readConnections ?? 10,
      ...CONNECTION_SETTINGS,
    });
    pool.on('error', (err) => options.onConnectionError?.(err));
    const driver = new PostgresDriver(options, pool);
    try {
      await migrate(pool);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return driver;
  }

  prepare(name: QueryName): PreparedQuery {
    // pg prepares a named statement on each connection at its first use.
    return {
      write: (params) => this.write(name, params),
      get: async (params) => (await this.read(name, params))[0],
      all: (params) => this.read(name, params),
    };
  }

  private write(name: QueryName, params: readonly unknown[]): Promise<WriteResult> {
    let entry!: QueuedWrite;
    const result = new Promise<WriteResult>((resolve, reject) => {
      entry = { name, params: [...params], resolve, reject };
    });
    // Most writes are never awaited: their failure is the batch's, reported by commit().
    result.catch(() => {});
    this.queue.push(entry);
    if (ANSWERING_WRITES.has(name)) this.scheduleCommit();
    return result;
  }

  /** Commits the queue on a later turn unless someone commits first: for answers someone awaits. */
  scheduleCommit(): void {
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    setImmediate(() => {
      this.commitScheduled = false;
      if (this.queue.length > 0) this.unawaited(this.sendQueue()).catch(() => {});
    });
  }

  commit(): void | Promise<void> {
    if (this.queue.length === 0 && this.tail === null && this.unreported === null) return;
    const sent = this.queue.length > 0 ? this.sendQueue() : (this.tail ?? Promise.resolve());
    // Whatever this commit reports, an earlier unawaited failure is reported with it, never later: a
    // commit whose own batch was stored must not fail for a batch before it.
    return sent.then(
      () => {
        const err = this.unreported;
        this.unreported = null;
        if (err !== null) throw err;
      },
      (err: unknown) => {
        this.unreported = null;
        throw err;
      },
    );
  }

  rollback(): void {
    const dropped = this.queue;
    this.queue = [];
    const err = new Error('rolled back');
    for (const w of dropped) w.reject(err);
  }

  async probe(): Promise<void> {
    try {
      await this.pool.query('SELECT 1');
    } catch (err) {
      throw classify(err);
    }
  }

  async close(): Promise<void> {
    try {
      await this.commit();
    } finally {
      const writer = this.writer;
      this.writer = null;
      if (writer) await writer.then((client) => client.end()).catch(() => {});
      await this.pool.end();
    }
  }

  /** Runs a read once every write recorded before it is committed. */
  private async read(name: QueryName, params: readonly unknown[]): Promise<Row[]> {
    if (COMMITTED_READS.has(name)) {
      // Answered from memory for what is not committed yet (COMMITTED_READS): no early commit.
    } else if (this.queue.length > 0) await this.unawaited(this.sendQueue());
    else if (this.tail) await this.tail;
    try {
      const result = await this.pool.query<Row>({ name, text: SQL[name], values: params as unknown[] });
      return result.rows;
    } catch (err) {
      throw classify(err);
    }
  }

  /** A batch sent for a read or on a schedule: its failure is also the next commit()'s to report. */
  private unawaited(batch: Promise<void>): Promise<void> {
    return batch.catch((err: unknown) => {
      this.unreported ??= err instanceof Error ? err : new Error(String(err));
      throw err;
    });
  }

  /** Sends the queue as one transaction, after the batch in flight; rejects when it is not stored. */
  private sendQueue(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    const previous = this.tail;
    const sent = (async () => {
      if (previous) await previous;
      await this.send(batch);
    })();
    const tail: Promise<void> = sent.then(
      () => {},
      () => {},
    );
    this.tail = tail;
    void tail.then(() => {
      if (this.tail === tail) this.tail = null;
    });
    return sent;
  }

  private async send(batch: QueuedWrite[]): Promise<void> {
    let results: (WriteResult | { failed: unknown })[];
    for (let attempt = 1; ; attempt++) {
      try {
        results = await this.attempt(batch);
        break;
      } catch (caught) {
        await this.rollbackWriter();
        // Nothing of the batch was told to anyone before COMMIT, so running it again is invisible.
        if (attempt < BATCH_ATTEMPTS && isRetryable(caught)) continue;
        const err = classify(caught);
        for (const w of batch) w.reject(err);
        throw err;
      }
    }
    batch.forEach((w, i) => {
      const result = results[i]!;
      if ('failed' in result) w.reject(result.failed);
      else w.resolve(result);
    });
  }

  /**
   * One try at a batch. It takes the commit-order lock first (BEGIN_IN_COMMIT_ORDER): every batch of
   * every node then holds it before any row it writes, so no two batches can wait on each other in a
   * cycle (without it, a tick that opened a conversation and then posted deadlocked against one that
   * posted and then opened one). The numbered inserts need it anyway: message ids follow commit order.
   *
   * Consecutive message inserts go as one statement (postgres-message-run.ts); a batch that is nothing
   * else (the usual tick under load) is that statement alone, its own transaction: one round trip, the
   * lock taken by the statement and held only until its commit. Either way nothing resolves before the
   * commit is done (pg answers a statement outside a transaction once it is committed).
   */
  private async attempt(batch: QueuedWrite[]): Promise<(WriteResult | { failed: unknown })[]> {
    const client = await this.writeClient();
    if (batch.every((w) => w.name === RUN_QUERY)) return await this.sendRun(client, batch);
    const results: (WriteResult | { failed: unknown })[] = [];
    await client.query(BEGIN_IN_COMMIT_ORDER);
    for (let i = 0; i < batch.length;) {
      if (batch[i]!.name !== RUN_QUERY) {
        results.push(await this.run(client, batch[i++]!));
        continue;
      }
      let end = i + 1;
      while (end < batch.length && batch[end]!.name === RUN_QUERY) end++;
      results.push(...(await this.sendRun(client, batch.slice(i, end))));
      i = end;
    }
    await client.query('COMMIT');
    return results;
  }

  /** Consecutive message inserts, numbered in one statement. */
  private async sendRun(client: pg.Client, run: QueuedWrite[]): Promise<WriteResult[]> {
    const { rows } = await client.query<{ ord: number; id: number; seq: number }>({
      name: RUN_STATEMENT,
      text: MESSAGE_RUN_SQL,
      values: runParams(run),
    });
    return runResults(run, rows);
  }

  /** One write of a batch; an answering write's own failure is its result, not the batch's. */
  private async run(client: pg.Client, w: QueuedWrite): Promise<WriteResult | { failed: unknown }> {
    const query = { name: w.name, text: SQL[w.name], values: w.params };
    if (!ANSWERING_WRITES.has(w.name)) return toWriteResult(await client.query(query));
    await client.query('SAVEPOINT answering');
    try {
      const result = toWriteResult(await client.query(query));
      await client.query('RELEASE SAVEPOINT answering');
      return result;
    } catch (err) {
      if (!(err instanceof pg.DatabaseError)) throw err; // the connection, not the statement: the batch fails
      await client.query('ROLLBACK TO SAVEPOINT answering');
      return { failed: err };
    }
  }

  private async rollbackWriter(): Promise<void> {
    const writer = this.writer;
    if (!writer) return;
    try {
      await (await writer).query('ROLLBACK');
    } catch {
      // The connection is gone (that is why the batch failed): the next batch opens a new one.
      if (this.writer === writer) this.writer = null;
      void writer.then((client) => client.end()).catch(() => {});
    }
  }

  /** The client every batch is sent on, (re)connected when needed. */
  private writeClient(): Promise<pg.Client> {
    if (this.writer) return this.writer;
    const client = new pg.Client({
      connectionString: this.options.url,
      types: NUMERIC_TYPES,
      ...CONNECTION_SETTINGS,
      ...WRITE_SETTINGS,
    });
    const writer = client
      .connect()
      .then(() => client.query(SERVER_KEEPALIVE_SQL))
      .then(() => client);
    client.on('error', (err) => {
      if (this.writer === writer) this.writer = null;
      this.options.onConnectionError?.(err);
    });
    writer.catch(() => {
      if (this.writer === writer) this.writer = null;
      void client.end().catch(() => {});
    });
    this.writer = writer;
    return writer;
  }
}

function toWriteResult(result: pg.QueryResult): WriteResult {
  const row = result.rows[0] as { id?: number } | undefined;
  return { changes: result.rowCount ?? 0, lastInsertRowid: row?.id ?? 0, row };
}

/**
 * Applies the migrations not yet in schema_migrations, each in its own transaction, holding an
 * advisory lock so that nodes starting together apply each once (the others wait, then find it done).
 */
async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
      );
      const { rows } = await client.query<{ v: number }>(
        'SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations',
      );
      for (let version = rows[0]!.v; version < POSTGRES_MIGRATIONS.length; version++) {
        await client.query('BEGIN');
        try {
          await client.query(POSTGRES_MIGRATIONS[version]!);
          await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
            version + 1,
            new Date().toISOString(),
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`);
    }
  } finally {
    client.release();
  }
}
