/**
 * What SqlStore (../sql-store.ts) needs from a database (design §6): prepare each query of the one
 * table in queries.ts and run it, make the tick's writes durable, apply the schema, close. A backend implements
 * only this; the queries and the mapping of rows live once, in the store.
 *
 * Results are plain values where the database answers at once (SQLite) and promises where it cannot
 * (PostgreSQL): the store passes either through, so SQLite's hot paths stay synchronous.
 */
import type { Dialect } from '../dialect.js';
import type { QueryName } from '../queries.js';

/** A value now, or later. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * What a write reports: rows changed, and the id of the row it inserted (for the queries in
 * RETURNS_ID; 0 otherwise). The shape of better-sqlite3's RunResult, so SQLite passes its own through.
 */
export interface WriteResult {
  changes: number;
  lastInsertRowid: number | bigint;
  /** The first row a write returned (PostgreSQL's numbered inserts: numbering.ts); absent on SQLite. */
  row?: Row;
}

/** A result row, its columns named as the record types in store.ts (the store casts it to one). */
export type Row = object;

/** One query of the table, prepared by a driver: how SqlStore runs it. */
export interface PreparedQuery {
  /**
   * Records a write in the current tick's transaction. Its result may come only after the write is
   * committed (PostgreSQL): the store awaits it only for writes that return something.
   */
  write(params: readonly unknown[]): MaybePromise<WriteResult>;
  /** The first row of a read, which sees every write recorded before it. */
  get(params: readonly unknown[]): MaybePromise<Row | undefined>;
  /** Every row of a read, which sees every write recorded before it. */
  all(params: readonly unknown[]): MaybePromise<Row[]>;
}

export interface SqlDriver {
  /** How this database spells the queries, and who numbers rows in it (numbering.ts). */
  readonly dialect: Dialect;
  /** The query `name` of queries.ts in this database's dialect, ready to run (called once per query). */
  prepare(name: QueryName): PreparedQuery;
  /** Makes every write recorded so far durable, atomically; returns a promise only when it must wait. */
  commit(): void | Promise<void>;
  /** Drops every write recorded since the last commit (a test store plays a failed commit with it). */
  rollback(): void;
  /**
   * Makes sure what is queued gets committed soon even if nobody calls commit(): for an answer someone
   * awaits that only a commit gives (a resend check answered by an append not committed yet). A no-op
   * where writes are readable at once (SQLite).
   */
  scheduleCommit(): void;
  /**
   * Resolves when the database answers a trivial query now, rejects (StoreUnreachable) when it cannot
   * be reached: how the server notices a database over the network is back (#15, store-outage.ts).
   */
  probe(): MaybePromise<void>;
  /** Commits what is left and releases the database; closes even when that commit fails (then rejects). */
  close(): Promise<void>;
}

/** Inserts whose new row's id the store returns: SQLite reads lastInsertRowid, PostgreSQL adds RETURNING id. */
export const RETURNS_ID: ReadonlySet<QueryName> = new Set<QueryName>([
  'insertUser',
  'insertToken',
  'insertTokenIfPassword',
  'insertFile',
]);

/**
 * Writes whose result the store hands back (an id, or whether a row changed): a caller awaits them,
 * so PostgreSQL commits them even when nobody calls commit(), and a failure of one fails only that
 * write, not its whole batch (as a failed statement in SQLite fails only itself).
 */
export const ANSWERING_WRITES: ReadonlySet<QueryName> = new Set<QueryName>([
  ...RETURNS_ID,
  'setPasswordIf',
  'setFirstPassword',
  'setFirstPasswordIfClaimed',
  'useInvite',
]);

/**
 * Reads that need not wait for the queued writes of other requests, because the store answers what is
 * not committed yet from memory (numbering.ts, pendingResend): the resend check that runs for every
 * message carrying a request id. On PostgreSQL, waiting would commit everyone's queued writes early, so
 * each such message would cost a transaction of its own instead of sharing its tick's.
 */
export const COMMITTED_READS: ReadonlySet<QueryName> = new Set<QueryName>(['findResent']);
