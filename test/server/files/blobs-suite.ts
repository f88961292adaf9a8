/**
 * The Blobs contract (src/server/files/blobs.ts), written from its doc comments, run against every
 * implementation (design §4.4): disk-blobs.test.ts and postgres-blobs.test.ts each call blobsSuite.
 * A backend opens Blobs on one place (a directory, a schema) every time, so that a second open sees
 * what the first stored, and removes it afterwards.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { Blobs, PartialWriter } from '../../../src/server/files/blobs.js';
import { UPLOAD_CHUNK_BYTES } from '../../../src/protocol/requests.js';

export interface BlobsBackend {
  /** Blobs on this backend's place: the same place every call. */
  open(): Promise<Blobs>;
  /** The SHA-256s of the finished files stored, sorted: how often the same bytes are kept. */
  storedHashes(): Promise<string[]>;
  /** Removes the place. */
  drop(): Promise<void>;
}

export interface SuiteOptions {
  /** The `skip` of every test (a reason, or false). */
  skip?: string | false;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `size` bytes that differ from any other call's (a counter in every byte), so a misplaced range shows. */
let seed = 0;
function bytesOf(size: number): Buffer {
  const start = ++seed * 7919;
  return Buffer.from(Array.from({ length: size }, (_, i) => (start + i * 31 + (i >> 8)) & 0xff));
}

/** Appends `bytes` in chunks of `chunkBytes` (the last one shorter), as an upload's chunks arrive. */
async function appendAll(writer: PartialWriter, bytes: Buffer, chunkBytes: number): Promise<void> {
  for (let at = 0; at < bytes.length; at += chunkBytes) await writer.append(bytes.subarray(at, at + chunkBytes));
}

/** Stores `bytes` as a finished file through upload `fileId`; its SHA-256. */
async function store(blobs: Blobs, fileId: number, bytes: Buffer, chunkBytes = 1000): Promise<string> {
  const writer = await blobs.openPartial(fileId, 0);
  await appendAll(writer, bytes, chunkBytes);
  const hash = sha256(bytes);
  await writer.finish(hash);
  return hash;
}

/** Runs `body` on a fresh backend with one Blobs open, closing whatever it opened and dropping the place. */
async function onFresh(
  makeBackend: () => Promise<BlobsBackend>,
  body: (blobs: Blobs, backend: BlobsBackend, open: () => Promise<Blobs>) => Promise<void>,
): Promise<void> {
  const backend = await makeBackend();
  const opened: Blobs[] = [];
  const open = async () => {
    const blobs = await backend.open();
    opened.push(blobs);
    return blobs;
  };
  try {
    await body(await open(), backend, open);
  } finally {
    for (const blobs of opened) await blobs.close().catch(() => {});
    await backend.drop();
  }
}

export function blobsSuite(name: string, makeBackend: () => Promise<BlobsBackend>, options: SuiteOptions = {}): void {
  const it = (
    title: string,
    body: (blobs: Blobs, backend: BlobsBackend, open: () => Promise<Blobs>) => Promise<void>,
  ) => void test(`#15 ${name} blobs: ${title}`, { skip: options.skip ?? false }, () => onFresh(makeBackend, body));

  it('appends add up: the size is every byte appended, and the hash of a prefix is that of its bytes', async (blobs) => {
    assert.equal(await blobs.partialSize(7), 0, 'no upload yet');
    const bytes = bytesOf(10_000);
    const writer = await blobs.openPartial(7, 0);
    await writer.append(bytes.subarray(0, 3000));
    assert.equal(await blobs.partialSize(7), 3000);
    await appendAll(writer, bytes.subarray(3000), 1234);
    await writer.append(Buffer.alloc(0)); // an empty last chunk changes nothing
    assert.equal(await blobs.partialSize(7), 10_000);
    assert.equal((await blobs.hashPartial(7, 10_000)).digest('hex'), sha256(bytes));
    assert.equal(
      (await blobs.hashPartial(7, 4567)).digest('hex'),
      sha256(bytes.subarray(0, 4567)),
      'cut inside a chunk',
    );
    assert.equal((await blobs.hashPartial(7, 0)).digest('hex'), sha256(Buffer.alloc(0)));
    assert.equal(await blobs.partialSize(8), 0, 'another upload is untouched');
    await writer.close();
    await writer.close(); // twice is harmless
  });

  it('a resume cuts the upload to the acknowledged length, inside a chunk or at its edge, and continues there', async (blobs) => {
    const bytes = bytesOf(9000);
    let writer = await blobs.openPartial(3, 0);
    await appendAll(writer, bytes.subarray(0, 6000), 2000); // chunks at 0, 2000, 4000
    await writer.append(bytesOf(500)); // never acknowledged: cut by the next open
    await writer.close();
    assert.equal(await blobs.partialSize(3), 6500);
    for (const acknowledged of [6000, 4000, 2500]) {
      writer = await blobs.openPartial(3, acknowledged);
      assert.equal(await blobs.partialSize(3), acknowledged, `cut to ${acknowledged}`);
      assert.equal(
        (await blobs.hashPartial(3, acknowledged)).digest('hex'),
        sha256(bytes.subarray(0, acknowledged)),
        `the first ${acknowledged} bytes are intact`,
      );
      await writer.close();
    }
    writer = await blobs.openPartial(3, 2500);
    await appendAll(writer, bytes.subarray(2500), 1500);
    assert.equal(await blobs.partialSize(3), bytes.length);
    await writer.finish(sha256(bytes));
    assert.ok((await blobs.read(sha256(bytes), 0, bytes.length)).equals(bytes), 'resumed bytes read back whole');
    writer = await blobs.openPartial(4, 0);
    await writer.append(bytesOf(100));
    await writer.close();
    await (await blobs.openPartial(4, 0)).close();
    assert.equal(await blobs.partialSize(4), 0, 'cut to nothing');
  });

  it('finishing makes the bytes a file by SHA-256 and leaves no partial upload', async (blobs, backend) => {
    const bytes = bytesOf(5000);
    const hash = await store(blobs, 11, bytes);
    assert.equal(await blobs.partialSize(11), 0);
    assert.deepEqual(await backend.storedHashes(), [hash]);
    assert.ok((await blobs.read(hash, 0, bytes.length)).equals(bytes));
    const empty = await store(blobs, 12, Buffer.alloc(0));
    assert.equal((await blobs.read(empty, 0, 10)).length, 0, 'an empty file reads as no bytes');
  });

  it('the same bytes finished twice are stored once, and removing them once removes them', async (blobs, backend) => {
    const bytes = bytesOf(4000);
    const first = await store(blobs, 21, bytes, 1000);
    const second = await store(blobs, 22, bytes, 700); // chunked differently, the same bytes
    assert.equal(first, second);
    const other = await store(blobs, 23, bytesOf(4000));
    assert.deepEqual(await backend.storedHashes(), [first, other].sort());
    assert.equal(await blobs.partialSize(22), 0, 'the second copy was dropped');
    assert.ok((await blobs.read(first, 0, bytes.length)).equals(bytes));
    await blobs.removeBlob(first);
    assert.deepEqual(await backend.storedHashes(), [other]);
    await assert.rejects(blobs.read(first, 0, 10), 'a removed file cannot be read');
  });

  it('reads return exactly the range asked for, across chunk edges, and fewer bytes at the end', async (blobs) => {
    const bytes = bytesOf(10_000);
    const hash = await store(blobs, 31, bytes, 999);
    const ranges: [number, number][] = [
      [0, 1],
      [0, 999],
      [0, 1000],
      [998, 2],
      [999, 1],
      [500, 3000],
      [1998, 4000],
      [9990, 10],
      [9990, 100], // past the end: the 10 there are
      [5000, 256 * 1024],
      [10_000, 50], // at the end: nothing
    ];
    for (const [offset, length] of ranges) {
      const got = await blobs.read(hash, offset, length);
      assert.ok(
        got.equals(bytes.subarray(offset, offset + length)),
        `read(${offset}, ${length}) gave ${got.length} bytes`,
      );
    }
    let whole = Buffer.alloc(0);
    for (let at = 0; at < bytes.length; at += 1777) whole = Buffer.concat([whole, await blobs.read(hash, at, 1777)]);
    assert.ok(whole.equals(bytes), 'a file read in pieces is the file');
  });

  it('a file in protocol-sized chunks (several MiB) hashes and reads back whole', async (blobs) => {
    const bytes = bytesOf(130 * UPLOAD_CHUNK_BYTES + 17);
    const writer = await blobs.openPartial(41, 0);
    await appendAll(writer, bytes, UPLOAD_CHUNK_BYTES);
    assert.equal((await blobs.hashPartial(41, bytes.length)).digest('hex'), sha256(bytes));
    await writer.finish(sha256(bytes));
    const parts: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 256 * 1024) parts.push(await blobs.read(sha256(bytes), at, 256 * 1024));
    assert.ok(Buffer.concat(parts).equals(bytes));
  });

  it('removing an unfinished upload or a file leaves nothing; removing what is not there is fine', async (blobs, backend) => {
    const writer = await blobs.openPartial(51, 0);
    await writer.append(bytesOf(3000));
    await writer.close();
    await blobs.removePartial(51);
    assert.equal(await blobs.partialSize(51), 0);
    await blobs.removePartial(51);
    await blobs.removePartial(52);
    const hash = await store(blobs, 53, bytesOf(100));
    await blobs.removeBlob(hash);
    await blobs.removeBlob(hash);
    await blobs.removeBlob('0'.repeat(64));
    assert.deepEqual(await backend.storedHashes(), []);
  });

  it('names no client chose: a file id must be a positive integer, a hash lower-case hex', async (blobs) => {
    await assert.rejects(blobs.partialSize(0), /not a file id/);
    await assert.rejects(blobs.openPartial(1.5, 0), /not a file id/);
    await assert.rejects(blobs.removePartial(-3), /not a file id/);
    await assert.rejects(blobs.read('../../etc/passwd', 0, 1), /not a SHA-256/);
    await assert.rejects(blobs.removeBlob('A'.repeat(64)), /not a SHA-256/);
  });

  it('what was stored survives closing and opening again', async (blobs, backend, open) => {
    const unfinished = bytesOf(7000);
    const writer = await blobs.openPartial(61, 0);
    await appendAll(writer, unfinished.subarray(0, 4000), 1000);
    await writer.close();
    const finished = bytesOf(3000);
    const hash = await store(blobs, 62, finished);
    await blobs.close();

    const again = await open();
    assert.equal(await again.partialSize(61), 4000);
    assert.equal((await again.hashPartial(61, 4000)).digest('hex'), sha256(unfinished.subarray(0, 4000)));
    assert.ok((await again.read(hash, 0, finished.length)).equals(finished));
    const resumed = await again.openPartial(61, 4000);
    await resumed.append(unfinished.subarray(4000));
    await resumed.finish(sha256(unfinished));
    assert.ok((await again.read(sha256(unfinished), 0, unfinished.length)).equals(unfinished));
    assert.deepEqual(await backend.storedHashes(), [hash, sha256(unfinished)].sort());
  });
}
