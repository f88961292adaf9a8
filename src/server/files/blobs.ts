/**
 * Where file bytes live (issue #5, #15): the seam between the file service and its storage. Two
 * implementations: DiskBlobs (disk-blobs.ts) under the data directory, for one node; PostgresBlobs
 * (postgres-blobs.ts) in the shared database, so that an upload started through one node can be
 * resumed through a second and fetched through a third. openBlobs (open-blobs.ts) picks one from the
 * store choice. Hashing, sizes, quotas and the SHA-256 check stay in the file service: a Blobs only
 * keeps bytes, and trusts no name a client gave (file ids are numbers, hashes verified hex).
 */
import type { Hash } from 'node:crypto';

/** The bytes of unfinished uploads, by file id, and of finished files, by SHA-256 (each stored once). */
export interface Blobs {
  /** Bytes of an unfinished upload (0 when none): where it resumes. */
  partialSize(fileId: number): Promise<number>;
  /** A hash of the first `length` bytes of an unfinished upload (to continue it on a node that has no running hash). */
  hashPartial(fileId: number, length: number): Promise<Hash>;
  /** Opens an unfinished upload for appending, cut to `length` bytes first (bytes past it were never acknowledged). */
  openPartial(fileId: number, length: number): Promise<PartialWriter>;
  /** Deletes an unfinished upload's bytes (none is fine). */
  removePartial(fileId: number): Promise<void>;
  /** Deletes a finished file's bytes (none is fine); the caller checks no other file has them. */
  removeBlob(sha256: string): Promise<void>;
  /** Up to `length` bytes of a finished file from `offset` (fewer at its end). */
  read(sha256: string, offset: number, length: number): Promise<Buffer>;
  /** Lets go of what the store holds (a temporary directory is removed, connections closed). */
  close(): Promise<void>;
}

/** An unfinished upload open for appending; one writer per upload at a time (the Upload's turn). */
export interface PartialWriter {
  /**
   * Appends `data` after the bytes already there. Returns nothing when the bytes are written at once
   * (the disk: no round trip per chunk), a promise when they are not stored until it resolves.
   */
  append(data: Buffer): void | Promise<void>;
  /**
   * Makes the upload, whose SHA-256 the caller has verified, the finished file `sha256`, and closes
   * the writer. When those bytes are already stored (the same file sent before), the copy is dropped.
   */
  finish(sha256: string): Promise<void>;
  /** Closes the writer, keeping the bytes for a resume; closing twice is harmless. */
  close(): Promise<void>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** `fileId`, checked to be a file id (it names a partial upload: a path on disk, a key in the database). */
export function checkedFileId(fileId: number): number {
  if (!Number.isSafeInteger(fileId) || fileId < 1) throw new Error(`not a file id: ${fileId}`);
  return fileId;
}

/** `sha256`, checked to be lower-case hex SHA-256 (it names a finished file). */
export function checkedSha256(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
  return sha256;
}
