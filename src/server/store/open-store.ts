/**
 * The one place that picks the store (design §1, #15): `--store URL` / CLASSCHAT_STORE. None, or
 * `sqlite:`, is SQLite in the data directory as ever; `postgres://` or `postgresql://` is PostgreSQL,
 * which several nodes may share. Used by the server, `classchat admin` and `classchat migrate`.
 *
 * File bytes follow the same choice (files/open-blobs.ts): in the data directory with SQLite, in the
 * database with PostgreSQL, so that nodes sharing a database share uploaded files too.
 */
import type { SqliteOptions } from './drivers/sqlite-driver.js';
import type { SqlStore } from './sql-store.js';

export type StoreChoice = { kind: 'sqlite' } | { kind: 'postgres'; url: string };

/** A --store value that names no store ClassChat knows; `message` is the one line to show. */
export class BadStoreUrl extends Error {}

/** What `--store` names; undefined or empty is the default (SQLite in the data directory). */
export function parseStoreUrl(raw: string | undefined): StoreChoice {
  if (raw === undefined || raw.trim() === '' || raw.trim() === 'sqlite:') return { kind: 'sqlite' };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw.trim())?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return { kind: 'postgres', url: raw.trim() };
  if (scheme === 'sqlite')
    throw new BadStoreUrl(`--store sqlite: takes no path (the database is in --data); give "sqlite:" or nothing`);
  throw new BadStoreUrl(`--store must be sqlite: or a postgres:// URL, not ${JSON.stringify(redact(raw))}`);
}

/** A URL without its password, to show in errors and logs. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

export interface OpenStoreOptions extends SqliteOptions {
  store: StoreChoice;
  /** PostgreSQL only: a connection error no query was waiting for (logged; the next batch reconnects). */
  onConnectionError?: (err: Error) => void;
}

/** Opens the chosen store and brings its schema up to date (what `classchat migrate` does alone). */
export async function openStore(options: OpenStoreOptions): Promise<SqlStore> {
  const { store, onConnectionError, ...sqlite } = options;
  const { SqlStore } = await import('./sql-store.js');
  if (store.kind === 'postgres') {
    // Imported only here: a SQLite server never loads pg.
    const { PostgresDriver } = await import('./drivers/postgres-driver.js');
    return new SqlStore(await PostgresDriver.open({ url: store.url, onConnectionError }));
  }
  const { SqliteDriver } = await import('./drivers/sqlite-driver.js');
  return new SqlStore(new SqliteDriver(sqlite));
}
