// The Blobs contract (blobs-suite.ts) on PostgreSQL (#15), each test on a fresh schema, and what only
// the database shows: a finished file stays in chunk rows, never one value holding it all.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { UPLOAD_CHUNK_BYTES } from '../../../src/protocol/requests.js';
import { PostgresBlobs } from '../../../src/server/files/postgres-blobs.js';
import { openStore } from '../../../src/server/store/open-store.js';
import { freshPostgresSchema, POSTGRES_SKIP, queryRows, type TestSchema } from '../../helpers/services.js';
import { blobsSuite } from './blobs-suite.js';

/** A fresh schema with ClassChat's tables: the store applies the migrations (as the server does first). */
async function migratedSchema(): Promise<TestSchema> {
  const schema = await freshPostgresSchema();
  const store = await openStore({ store: { kind: 'postgres', url: schema.url }, dataDir: ':memory:' });
  await store.close();
  return schema;
}

blobsSuite(
  'PostgreSQL',
  async () => {
    const schema = await migratedSchema();
    return {
      open: () => Promise.resolve(PostgresBlobs.open({ url: schema.url })),
      storedHashes: async () =>
        (await queryRows<{ sha256: string }>(schema.url, 'SELECT sha256 FROM blobs ORDER BY sha256')).map(
          (r) => r.sha256,
        ),
      drop: () => schema.drop(),
    };
  },
  { skip: POSTGRES_SKIP },
);

test(
  '#15 PostgreSQL blobs: a finished file of 2 MiB is kept as chunk rows of one upload chunk at most, in order, with its size',
  { skip: POSTGRES_SKIP },
  async () => {
    const schema = await migratedSchema();
    const blobs = PostgresBlobs.open({ url: schema.url });
    try {
      const bytes = Buffer.alloc(2 * 1024 * 1024, 7);
      const writer = await blobs.openPartial(1, 0);
      for (let at = 0; at < bytes.length; at += UPLOAD_CHUNK_BYTES)
        await writer.append(bytes.subarray(at, at + UPLOAD_CHUNK_BYTES));
      const hash = createHash('sha256').update(bytes).digest('hex');
      await writer.finish(hash);
      const [chunks] = await queryRows<{ rows: string; largest: number; total: string }>(
        schema.url,
        'SELECT count(*) AS rows, max(octet_length(data)) AS largest, sum(octet_length(data)) AS total FROM blob_chunks',
      );
      assert.equal(Number(chunks!.rows), Math.ceil(bytes.length / UPLOAD_CHUNK_BYTES));
      assert.equal(chunks!.largest, UPLOAD_CHUNK_BYTES);
      assert.equal(Number(chunks!.total), bytes.length);
      const [blob] = await queryRows<{ size: string }>(schema.url, 'SELECT size FROM blobs');
      assert.equal(Number(blob!.size), bytes.length);
      const [left] = await queryRows<{ n: string }>(schema.url, 'SELECT count(*) AS n FROM upload_chunks');
      assert.equal(left!.n, '0', 'the upload rows are gone');
    } finally {
      await blobs.close();
      await schema.drop();
    }
  },
);
