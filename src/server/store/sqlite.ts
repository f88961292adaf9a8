/**
 * The default Store: SqlStore on one SQLite file (drivers/sqlite-driver.ts says how it writes, commits
 * and checkpoints). Opened synchronously, so tests and tools may construct it directly; the server
 * opens its store through openStore (open-store.ts).
 */
import { SqliteDriver, type SqliteOptions } from './drivers/sqlite-driver.js';
import { SqlStore } from './sql-store.js';
import type { ConversationInsert, NewConversation, NewMessage, StoredMessage } from './store.js';

export type { SqliteOptions };
export { isDiskError } from './drivers/sqlite-driver.js';

export class SqliteStore extends SqlStore {
  /** Opens (creating and migrating if needed) the database in `options.dataDir`. */
  constructor(options: SqliteOptions) {
    super(new SqliteDriver(options));
  }

  // SQLite answers at once: say so in the types, for tests and tools that use this store directly.
  override commit(): void {
    void super.commit();
  }

  override appendMessage(m: NewMessage): StoredMessage {
    return super.appendMessage(m) as StoredMessage;
  }

  override insertConversation(
    conv: NewConversation,
    createdBy: number | null,
    createdAt: string,
    memberIds: readonly number[] = [],
  ): ConversationInsert {
    return super.insertConversation(conv, createdBy, createdAt, memberIds) as ConversationInsert;
  }
}
