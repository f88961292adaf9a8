/**
 * The one place that picks where file bytes live (#15), from the store choice (open-store.ts): with
 * PostgreSQL they go to the same database, so every node sharing it reaches every upload; with
 * SQLite they stay in the data directory (`files/`), as they always have for a single node.
 */
import type { StoreChoice } from '../store/open-store.js';
import type { Blobs } from './blobs.js';

export interface OpenBlobsOptions {
  store: StoreChoice;
  /** The data directory (`:memory:` gives a temporary one): where the disk store keeps its files. */
  dataDir: string;
  /** PostgreSQL only: a connection error no query was waiting for (logged). */
  onConnectionError?: (err: Error) => void;
}

/** The Blobs for this store choice; with PostgreSQL, the store must have brought the schema up to date. */
export async function openBlobs(options: OpenBlobsOptions): Promise<Blobs> {
  if (options.store.kind === 'postgres') {
    // Imported only here: a SQLite server never loads pg.
    const { PostgresBlobs } = await import('./postgres-blobs.js');
    return PostgresBlobs.open({ url: options.store.url, onConnectionError: options.onConnectionError });
  }
  const { DiskBlobs } = await import('./disk-blobs.js');
  return DiskBlobs.forDataDir(options.dataDir);
}
