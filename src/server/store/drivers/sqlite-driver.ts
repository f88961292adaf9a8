/**
 * SQLite under SqlStore (better-sqlite3, WAL). Writes run at once inside a transaction that the first
 * write of a tick opens and `commit()` closes, so reads in the same tick see them and a whole tick
 * costs one commit (group commit, issue #2). Everything answers synchronously.
 *
 * Checkpoints (copying the log back into the database file) run on a one-second timer instead of
 * SQLite's default of every 1,000 pages: each one stalls the event loop for a few milliseconds, and
 * at low load the default made that happen dozens of times a second (the tail of the latency, issue #2).
 *
 * Durability: `synchronous = NORMAL` in WAL mode survives a crash of the process (kill -9) but may lose
 * the last commits on power loss; `--sync full` trades speed for that (docs/operations.md).
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { preparedQueries, SQLITE } from '../dialect.js';
import type { QueryName } from '../queries.js';
import { MIGRATIONS } from '../schema.js';
import type { PreparedQuery, Row, SqlDriver, WriteResult } from './driver.js';

export interface SqliteOptions {
  /** Directory that holds classchat.db; created if missing. ':memory:' for a throwaway database. */
  dataDir: string;
  sync?: 'normal' | 'full';
  /** Told when a checkpoint fails (the log keeps growing until one succeeds). */
  onCheckpointFailure?: (err: unknown) => void;
  /**
   * Tests only (issue #11.12): lets the database grow by this many pages, then SQLite reports
   * SQLITE_FULL as on a full disk. Set from CLASSCHAT_TEST_DB_SPARE_PAGES by the server.
   */
  spareDbPages?: number;
}

/** How often the write-ahead log is copied back into the database file, when anything was written. */
const CHECKPOINT_INTERVAL_MS = 1000;

export class SqliteDriver implements SqlDriver {
  private readonly db: Database.Database;
  readonly dialect = SQLITE;
  private readonly sql = preparedQueries(SQLITE);
  private readonly begin: Database.Statement;
  private readonly end: Database.Statement;
  private inTransaction = false;
  /** A write of this transaction failed on the disk (issue #11.12): its commit must fail too. */
  private failedWrite: Error | null = null;
  private committedSinceCheckpoint = false;
  private readonly checkpointTimer: NodeJS.Timeout | null = null;

  /** Opens (creating if needed) and migrates the database: synchronous, like everything here. */
  constructor(options: SqliteOptions) {
    const file = options.dataDir === ':memory:' ? ':memory:' : path.join(options.dataDir, 'classchat.db');
    if (file !== ':memory:') fs.mkdirSync(options.dataDir, { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.sync === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    if (options.spareDbPages !== undefined) {
      const pages = this.db.pragma('page_count', { simple: true }) as number;
      this.db.pragma(`max_page_count = ${pages + options.spareDbPages}`);
    }
    this.begin = this.db.prepare('BEGIN');
    this.end = this.db.prepare('COMMIT');
    if (file !== ':memory:') {
      this.db.pragma('wal_autocheckpoint = 0');
      const checkpoint = this.db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
      this.checkpointTimer = setInterval(() => {
        if (!this.committedSinceCheckpoint || this.inTransaction) return;
        this.committedSinceCheckpoint = false;
        try {
          checkpoint.run();
        } catch (err) {
          options.onCheckpointFailure?.(err);
        }
      }, CHECKPOINT_INTERVAL_MS).unref();
    }
  }

  /** The schema's version is SQLite's user_version: the number of MIGRATIONS applied. */
  private migrate(): void {
    const applied = this.db.pragma('user_version', { simple: true }) as number;
    for (let version = applied; version < MIGRATIONS.length; version++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[version]!);
        this.db.pragma(`user_version = ${version + 1}`);
      })();
    }
  }

  prepare(name: QueryName): PreparedQuery {
    return new SqliteQuery(this, this.db.prepare(this.sql[name]));
  }

  /** Runs a write at once, in the tick's transaction (opened by its first write). */
  run(stmt: Database.Statement, params: readonly unknown[]): WriteResult {
    if (!this.inTransaction) {
      this.begin.run();
      this.inTransaction = true;
    }
    // After a disk error SQLite may have rolled the transaction back by itself; a later write of the
    // same tick would then run (and commit) on its own. The tick is lost: refuse the rest of it.
    if (this.failedWrite !== null) throw this.failedWrite;
    try {
      return stmt.run(...params);
    } catch (err) {
      // Issue #11.12: a full or failing disk surfaced in the middle of a tick (SQLite reports it when a
      // write needs a new page, not only at COMMIT). The transaction holds the rest of the tick, so it
      // must not commit: the tick's commit fails with this error and the server stops cleanly.
      if (isDiskError(err)) this.failedWrite ??= err;
      throw err;
    }
  }

  probe(): void {
    // A local file: reachable whenever this process runs (its failures are disk errors, issue #11.12).
  }

  commit(): void {
    if (!this.inTransaction) return;
    this.inTransaction = false;
    const failedWrite = this.failedWrite;
    this.failedWrite = null;
    try {
      if (failedWrite !== null) throw failedWrite;
      this.end.run();
    } catch (err) {
      // Leave the connection usable (the caller stops the server): a failed COMMIT can leave it open.
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
    this.committedSinceCheckpoint = true;
  }

  scheduleCommit(): void {
    // Writes are readable at once: nothing waits for a commit.
  }

  rollback(): void {
    if (!this.inTransaction) return;
    this.inTransaction = false;
    this.failedWrite = null;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  close(): Promise<void> {
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    try {
      this.commit();
      // Leave a compact database file and an empty log behind.
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.db.close();
    }
  }
}

/**
 * A prepared statement. Parameters go to better-sqlite3 as one array (it binds an array's items in
 * order), which spares spreading them on every call of the hot paths (insertMessage, findResent).
 */
class SqliteQuery implements PreparedQuery {
  constructor(
    private readonly driver: SqliteDriver,
    private readonly stmt: Database.Statement,
  ) {}

  write(params: readonly unknown[]): WriteResult {
    return this.driver.run(this.stmt, params);
  }

  get(params: readonly unknown[]): Row | undefined {
    return this.stmt.get(...params) as Row | undefined;
  }

  all(params: readonly unknown[]): Row[] {
    return this.stmt.all(...params) as Row[];
  }
}

/** SQLite's codes for a disk that is full, failing or gone (better-sqlite3's SqliteError puts them in `code`). */
export function isDiskError(err: unknown): err is Error {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^SQLITE_(FULL|IOERR|CORRUPT|CANTOPEN|READONLY|NOTADB)/.test(code);
}
