/**
 * One server per PostgreSQL database unless the nodes are joined by the bus (#15: `--bus`, which does not take this lock). Two servers on one
 * database each deliver live only the messages they committed themselves, and each moves its users'
 * cursors past the other's messages at logout: those are then never delivered (a silent loss found in
 * review). Until delivery between nodes is built, a second server on the same database (and schema) is
 * refused at start, as a second server on one SQLite data directory is (data-dir-lock.ts).
 *
 * Nodes joined by a bus (--bus) share the database: they hold the same lock in shared mode, so any
 * number of them start together, while a server without the bus (exclusive) is refused beside them,
 * and they beside it.
 *
 * The lock is a session-level advisory lock held by one dedicated connection for the life of the
 * server: PostgreSQL releases it when that connection ends, however the process dies, so kill -9 never
 * leaves a stale lock. `classchat admin` and `classchat migrate` do not take it.
 */
import pg from 'pg';

/** Thrown when another server holds the database; `message` is the one line to show. */
export class DatabaseInUse extends Error {}

/** The lock's key: one per schema, so servers on separate schemas of one database do not meet. */
const KEY = `hashtext('classchat.server:' || COALESCE(current_schema(), ''))`;

export class DatabaseLock {
  private constructor(private readonly client: pg.Client) {}

  /**
   * Takes the database for this server, or throws DatabaseInUse. `onLost`: the connection holding the
   * lock dropped (PostgreSQL restarted, a network cut); the server goes on, without the guard.
   */
  static async acquire(
    url: string,
    onLost: (err: Error) => void,
    /**
     * `joined`: this node is joined to the others by a bus, so it shares the database with them (a shared
     * hold); an unjoined server holds it alone. Either is refused beside the other kind.
     */
    mode: 'alone' | 'joined' = 'alone',
  ): Promise<DatabaseLock> {
    const client = new pg.Client({ connectionString: url, keepAlive: true, connectionTimeoutMillis: 5000 });
    client.on('error', onLost);
    await client.connect();
    try {
      const take = mode === 'joined' ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
      const { rows } = await client.query<{ locked: boolean }>(`SELECT ${take}(${KEY}) AS locked`);
      if (!rows[0]!.locked) {
        throw new DatabaseInUse(
          mode === 'joined'
            ? 'a ClassChat server without --bus is running on this PostgreSQL database; stop it, or give it the same --bus'
            : 'another ClassChat server is running on this PostgreSQL database; several servers on one database must be joined with --bus (docs/scaling.md)',
        );
      }
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    return new DatabaseLock(client);
  }

  /** Frees the database for the next server (closing the connection releases the lock). */
  async release(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}
