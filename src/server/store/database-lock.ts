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
 *
 * #15: an outage (a restart, a network cut) ends that connection too, and with it the lock. It is taken
 * again as soon as the database answers (every RETAKE_MS in the background, and before the server
 * serves again after an outage: ensureHeld). If another server took it meanwhile, this one cannot
 * share the database safely: `onTaken` is told, and the server stops (docs/operations.md).
 */
import pg from 'pg';
import { SERVER_KEEPALIVE_SQL } from './drivers/postgres-driver.js';
import { DatabaseInUse } from './database-in-use.js';
import { StoreUnreachable } from './unreachable.js';

export { DatabaseInUse };

/** The lock's key: one per schema, so servers on separate schemas of one database do not meet. */
const KEY = `hashtext('classchat.server:' || COALESCE(current_schema(), ''))`;

/** How often a lost lock is tried again in the background. */
export const RETAKE_MS = 500;

type Mode = 'alone' | 'joined';

/** What the server is told about its lock after start. */
export interface LockEvents {
  /** The connection holding the lock dropped: the lock is free until it is taken again. */
  onLost(err: Error): void;
  /** Taken again after it was lost. */
  onRetaken(): void;
  /** Another server took the database while this one had lost it: this one must not serve on it. */
  onTaken(err: DatabaseInUse): void;
}

export class DatabaseLock {
  /** The connection holding the lock; null while it is lost. */
  private client: pg.Client | null;
  private taking: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private released = false;

  private constructor(
    private readonly url: string,
    private readonly mode: Mode,
    private readonly events: LockEvents,
    client: pg.Client,
  ) {
    this.client = client;
    this.watch(client);
  }

  /**
   * Takes the database for this server, or throws DatabaseInUse. `mode`: `joined`, this node is joined
   * to the others by a bus, so it shares the database with them (a shared hold); an unjoined server
   * holds it alone. Either is refused beside the other kind.
   */
  static async acquire(url: string, events: LockEvents, mode: Mode = 'alone'): Promise<DatabaseLock> {
    try {
      return new DatabaseLock(url, mode, events, await take(url, mode));
    } catch (err) {
      // At start a database that cannot be reached is the connection's own error, as it always was.
      throw err instanceof StoreUnreachable ? err.cause : err;
    }
  }

  /** Whether the lock is held now. */
  get held(): boolean {
    return this.client !== null;
  }

  /**
   * Resolves once the lock is held (at once when it is). Throws StoreUnreachable when the database
   * cannot be reached, DatabaseInUse when another server holds it (onTaken is told too).
   */
  ensureHeld(): Promise<void> {
    if (this.client !== null || this.released) return Promise.resolve();
    this.taking ??= take(this.url, this.mode)
      .then(
        (client) => {
          if (this.released) {
            void client.end().catch(() => {});
            return;
          }
          this.client = client;
          this.watch(client);
          this.events.onRetaken();
        },
        (err: unknown) => {
          if (err instanceof DatabaseInUse) this.events.onTaken(err);
          throw err;
        },
      )
      .finally(() => {
        this.taking = null;
      });
    return this.taking;
  }

  /** Frees the database for the next server (closing the connection releases the lock). */
  async release(): Promise<void> {
    this.released = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private watch(client: pg.Client): void {
    const lost = (err: Error) => {
      if (this.client !== client) return;
      this.client = null;
      void client.end().catch(() => {});
      if (this.released) return;
      this.events.onLost(err);
      this.retakeLater();
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('the connection holding the lock ended')));
  }

  private retakeLater(): void {
    if (this.released || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ensureHeld().catch((err: unknown) => {
        if (!(err instanceof DatabaseInUse)) this.retakeLater();
      });
    }, RETAKE_MS);
    this.timer.unref();
  }
}

/** One connection holding the lock, or DatabaseInUse / StoreUnreachable. */
async function take(url: string, mode: Mode): Promise<pg.Client> {
  // Keepalive probes from 10 s of silence (not the system's 2 h): a middlebox that drops idle
  // connections sees traffic, and a dead route ends the connection (onLost) instead of hiding for hours.
  const client = new pg.Client({
    connectionString: url,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: 5000,
  });
  // Until watched, an error is the failed attempt's own (thrown below).
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw new StoreUnreachable(err);
  }
  try {
    // PostgreSQL's side too: the lock of a node gone silent is freed in about 25 s, not hours.
    await client.query(SERVER_KEEPALIVE_SQL);
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
    throw err instanceof DatabaseInUse || err instanceof pg.DatabaseError ? err : new StoreUnreachable(err);
  }
  return client;
}
