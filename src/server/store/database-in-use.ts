/**
 * The refusal of a second server on one PostgreSQL database (database-lock.ts says when). In a file of
 * its own so that `classchat serve` can recognise it without importing the lock, and with it `pg`,
 * which a SQLite server never loads (issue #16).
 */

/** Thrown when another server holds the database; `message` is the one line to show. */
export class DatabaseInUse extends Error {}
