/**
 * One server per data directory (issue #11.2): two servers on one database each hand out message ids
 * from their own counters and corrupt each other (`UNIQUE constraint failed: messages.id`).
 *
 * The lock is an exclusive transaction held on a small SQLite file, `<data>/serve.lock`, for the life
 * of the server. SQLite takes it with an fcntl lock, which the kernel releases when the process dies,
 * however it dies: a stale lock after kill -9 can never block a restart, unlike a pid file. It is a
 * separate file, not `locking_mode = EXCLUSIVE` on classchat.db, so that `classchat admin` keeps
 * working on the database while the server runs.
 *
 * A locked SQLite file cannot be read through SQLite, so the holder's pid, which only makes the
 * refusal easier to act on, sits beside it in `<data>/serve.pid`.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

/** The SQLite file whose exclusive transaction is the lock, in the data directory. */
export const LOCK_FILE = 'serve.lock';
/** The holder's pid, for the refusal's text only (never used to decide anything). */
export const PID_FILE = 'serve.pid';

/** Thrown when another server holds the data directory; `message` is the one line to show. */
export class DataDirInUse extends Error {
  constructor(
    readonly dataDir: string,
    /** The holder's pid as it wrote it, or null when it cannot be read. */
    readonly pid: number | null,
  ) {
    super(
      `another server is using ${dataDir}${pid === null ? '' : ` (pid ${pid})`}; stop it first or give another --data`,
    );
  }
}

/** A held data directory: acquire() at start-up, release() at shutdown (or process death). */
export class DataDirLock {
  private constructor(
    private readonly db: Database.Database,
    private readonly pidFile: string,
  ) {}

  /**
   * Takes the lock on `dataDir` (creating the directory if needed) or throws DataDirInUse. A refused
   * caller has created and changed nothing (the lock file exists wherever a server ever ran).
   */
  static acquire(dataDir: string): DataDirLock {
    const lockFile = path.join(dataDir, LOCK_FILE);
    const pidFile = path.join(dataDir, PID_FILE);
    if (!fs.existsSync(lockFile)) fs.mkdirSync(dataDir, { recursive: true });
    // timeout 0: a held lock is an answer, not something to wait for.
    const db = new Database(lockFile, { timeout: 0 });
    try {
      // No journal file: nothing is ever written to this database; only its lock matters.
      db.pragma('journal_mode = MEMORY');
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new DataDirInUse(dataDir, readPid(pidFile));
      throw err;
    }
    fs.writeFileSync(pidFile, `${process.pid}\n`);
    return new DataDirLock(db, pidFile);
  }

  /**
   * The refusal acquire() would throw when another server holds `dataDir`, found without taking the
   * lock or creating anything (a read of the lock file, which the holder's exclusive lock refuses);
   * null when it is free or was never used. Issue #12.9: a second server on the same port and data
   * directory is told of the running one (its pid), not only of the port.
   */
  static holder(dataDir: string): DataDirInUse | null {
    const lockFile = path.join(dataDir, LOCK_FILE);
    if (!fs.existsSync(lockFile)) return null;
    let db: Database.Database | undefined;
    try {
      db = new Database(lockFile, { readonly: true, fileMustExist: true, timeout: 0 });
      db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
      return null;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_BUSY')
        return new DataDirInUse(dataDir, readPid(path.join(dataDir, PID_FILE)));
      return null; // unreadable for another reason: acquire() will say so if it comes to that
    } finally {
      db?.close();
    }
  }

  /** Lets another server use the directory (at shutdown, or when start-up fails after acquire). */
  release(): void {
    if (!this.db.open) return;
    fs.rmSync(this.pidFile, { force: true });
    this.db.close(); // closing rolls the transaction back, which drops the lock
  }
}

function readPid(pidFile: string): number | null {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null; // the holder is between taking the lock and writing its pid, or has none: say less
  }
}
