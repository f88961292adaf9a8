/**
 * The database could not be reached (#15): a connection refused, reset or timed out, or the server
 * shutting down, as opposed to an error in one of our statements. On a database shared over the
 * network this passes: the server answers `unavailable` until a probe finds it back (store-outage.ts),
 * where any other failed commit stops the server (issue #11.12). Whether a commit that failed this way
 * was stored is unknown (its COMMIT may have arrived), so a client resends with the same id.
 */
export class StoreUnreachable extends Error {
  constructor(cause: unknown) {
    super(`the database is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StoreUnreachable';
  }
}
