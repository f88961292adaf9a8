/**
 * File bytes in PostgreSQL (#15), for several nodes sharing one database: an upload received through
 * one node is resumed through another and fetched through a third (docs/scaling.md says why
 * PostgreSQL). The tables are in postgres-schema.ts:
 * - an unfinished upload is its chunks in order, one row each (`upload_chunks`, by file id and offset):
 *   appending is one INSERT, its size is their sum, cutting it back drops or shortens the last rows;
 * - a finished file is a `blobs` row by SHA-256 with its bytes in `blob_chunks`, stored once however
 *   often it is sent; finishing copies the rows inside the database, in one transaction;
 * - a read fetches only the rows (and the parts of rows) it needs, so no value is ever a whole file.
 *
 * Appends commit without waiting for the disk (synchronous_commit off, on this pool's connections
 * only): like the disk store's page-cache writes, a crash may lose the last acknowledged chunks, and
 * the sender resumes from what is stored. Finishing a file waits for the disk, as the disk store's
 * fsync before its rename does.
 */
import { createHash, type Hash } from 'node:crypto';
import pg from 'pg';
import { classify, CONNECTION_SETTINGS } from '../store/drivers/postgres-driver.js';
import { checkedFileId, checkedSha256, type Blobs, type PartialWriter } from './blobs.js';

export interface PostgresBlobsOptions {
  /** The store's postgres:// URL (the same database and schema). */
  url: string;
  /** Told of a connection error no query was waiting for (logged by the server). */
  onConnectionError?: (err: Error) => void;
  /** Connections (default 4: one per upload or fetch in flight; more wait their turn). */
  connections?: number;
}

/** Rows read per query when re-hashing an unfinished upload: a few MiB at the protocol's chunk size. */
const HASH_PAGE_ROWS = 64;
/** substring() counts in INTEGER; lengths are capped to it (a fetch asks for far less). */
const MAX_INT = 2_147_483_647;

/** Sums (BIGINT) as JS numbers; BYTEA comes as the Buffer pg makes of it. */
const BLOB_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20
      ? Number
      : (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(
          oid,
          format,
        )) as pg.CustomTypesConfig['getTypeParser'],
};

/** A query on the pool; a failure to reach the database is StoreUnreachable, answered `unavailable`. */
async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(
  pool: pg.Pool,
  text: string,
  values?: unknown[],
): Promise<pg.QueryResult<R>> {
  try {
    return await pool.query<R>(text, values);
  } catch (err) {
    throw classify(err);
  }
}

export class PostgresBlobs implements Blobs {
  private constructor(private readonly pool: pg.Pool) {}

  /** Blobs in the database at `url`, whose schema the store has brought up to date. */
  static open(options: PostgresBlobsOptions): PostgresBlobs {
    // synchronous_commit off as a setting of the connection itself, beside whatever options the URL has
    // (a search_path): a query sent on connect would race the pool's first query on that client.
    const url = new URL(options.url);
    url.searchParams.set(
      'options',
      [url.searchParams.get('options'), '-c synchronous_commit=off'].filter((o) => o !== null && o !== '').join(' '),
    );
    // The store's keepalive and deadlines: a database gone silent fails a chunk in bounded time.
    const pool = new pg.Pool({
      connectionString: url.toString(),
      types: BLOB_TYPES,
      max: options.connections ?? 4,
      ...CONNECTION_SETTINGS,
    });
    pool.on('error', (err) => options.onConnectionError?.(err));
    return new PostgresBlobs(pool);
  }

  async partialSize(fileId: number): Promise<number> {
    const { rows } = await query<{ size: number }>(
      this.pool,
      'SELECT COALESCE(SUM(octet_length(data)), 0)::BIGINT AS size FROM upload_chunks WHERE file_id = $1',
      [checkedFileId(fileId)],
    );
    return rows[0]!.size;
  }

  async hashPartial(fileId: number, length: number): Promise<Hash> {
    checkedFileId(fileId);
    const hash = createHash('sha256');
    let hashed = 0;
    while (hashed < length) {
      // The rows are contiguous (each appended where the last ended), so the next one starts at `hashed`.
      const { rows } = await query<{ data: Buffer }>(
        this.pool,
        `SELECT substring(data FROM 1 FOR LEAST($3 - byte_offset, ${MAX_INT})::INTEGER) AS data
         FROM upload_chunks WHERE file_id = $1 AND byte_offset >= $2 AND byte_offset < $3
         ORDER BY byte_offset LIMIT ${HASH_PAGE_ROWS}`,
        [fileId, hashed, length],
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        hash.update(row.data);
        hashed += row.data.length;
      }
    }
    if (hashed !== length) throw new Error(`upload ${fileId} has ${hashed} bytes stored, not ${length}`);
    return hash;
  }

  async openPartial(fileId: number, length: number): Promise<PartialWriter> {
    checkedFileId(fileId);
    await query(this.pool, 'DELETE FROM upload_chunks WHERE file_id = $1 AND byte_offset >= $2', [fileId, length]);
    await query(
      this.pool,
      `UPDATE upload_chunks SET data = substring(data FROM 1 FOR ($2 - byte_offset)::INTEGER)
       WHERE file_id = $1 AND byte_offset < $2 AND byte_offset + octet_length(data) > $2`,
      [fileId, length],
    );
    return new PostgresPartial(this.pool, fileId, length);
  }

  async removePartial(fileId: number): Promise<void> {
    await query(this.pool, 'DELETE FROM upload_chunks WHERE file_id = $1', [checkedFileId(fileId)]);
  }

  async removeBlob(sha256: string): Promise<void> {
    await query(this.pool, 'DELETE FROM blobs WHERE sha256 = $1', [checkedSha256(sha256)]);
  }

  async read(sha256: string, offset: number, length: number): Promise<Buffer> {
    checkedSha256(sha256);
    const end = offset + length;
    // From the row holding `offset` (the last one starting at or before it) to the one holding `end - 1`,
    // each cut to the range on the server.
    const { rows } = await query<{ data: Buffer }>(
      this.pool,
      `SELECT substring(data FROM (GREATEST($2 - byte_offset, 0) + 1)::INTEGER
                             FOR LEAST($3 - GREATEST(byte_offset, $2), ${MAX_INT})::INTEGER) AS data
       FROM blob_chunks
       WHERE sha256 = $1 AND byte_offset < $3
         AND byte_offset >= (SELECT COALESCE(MAX(byte_offset), 0) FROM blob_chunks
                             WHERE sha256 = $1 AND byte_offset <= $2)
       ORDER BY byte_offset`,
      [sha256, offset, end],
    );
    if (rows.length === 0 && length > 0) {
      const { rowCount } = await query(this.pool, 'SELECT 1 FROM blobs WHERE sha256 = $1', [sha256]);
      if (rowCount === 0) throw new Error(`no stored file has SHA-256 ${sha256}`);
    }
    return rows.length === 1 ? rows[0]!.data : Buffer.concat(rows.map((row) => row.data));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** An unfinished upload open for appending: it holds no connection between chunks. */
class PostgresPartial implements PartialWriter {
  constructor(
    private readonly pool: pg.Pool,
    private readonly fileId: number,
    /** Bytes stored: where the next chunk goes. */
    private size: number,
  ) {}

  append(data: Buffer): void | Promise<void> {
    if (data.length === 0) return;
    return this.insert(data);
  }

  private async insert(data: Buffer): Promise<void> {
    // The primary key refuses a second chunk at the same offset (two nodes appending at once).
    await query(this.pool, 'INSERT INTO upload_chunks (file_id, byte_offset, data) VALUES ($1, $2, $3)', [
      this.fileId,
      this.size,
      data,
    ]);
    this.size += data.length;
  }

  async finish(sha256: string): Promise<void> {
    checkedSha256(sha256);
    const client = await this.pool.connect().catch((err: unknown) => {
      throw classify(err);
    });
    /** Set when the connection itself failed: the pool then drops it instead of handing it out again. */
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        // The finished file must outlive a crash before it is announced (the disk store fsyncs).
        await client.query('SET LOCAL synchronous_commit = on');
        // Two nodes finishing the same bytes at once: the second waits on the key, then keeps none.
        const created = await client.query(
          `INSERT INTO blobs (sha256, size)
           SELECT $2, COALESCE(SUM(octet_length(data)), 0) FROM upload_chunks WHERE file_id = $1
           ON CONFLICT (sha256) DO NOTHING`,
          [this.fileId, sha256],
        );
        if (created.rowCount === 1)
          await client.query(
            `INSERT INTO blob_chunks (sha256, byte_offset, data)
             SELECT $2, byte_offset, data FROM upload_chunks WHERE file_id = $1`,
            [this.fileId, sha256],
          );
        await client.query('DELETE FROM upload_chunks WHERE file_id = $1', [this.fileId]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackFailed: Error) => (broken = rollbackFailed));
        throw err;
      }
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    // Nothing is held between chunks.
  }
}
