/**
 * The default Store: SqlStore on one SQLite file (drivers/sqlite-driver.ts says how it writes, commits
 * and checkpoints). Opened synchronously, so tests and tools may construct it directly; the server
 * opens its store through openStore (open-store.ts).
 */
import { SqliteDriver, type SqliteOptions } from './drivers/sqlite-driver.js';
import { SqlStore } from './sql-store.js';

export type { SqliteOptions };
export { isDiskError } from './drivers/sqlite-driver.js';

export class SqliteStore extends SqlStore {
  /** Opens (creating and migrating if needed) the database in `options.dataDir`. */
  constructor(options: SqliteOptions) {
    super(new SqliteDriver(options));
  }
}
