/**
 * Where file bytes live on disk (issue #5): under the data directory, a finished file is named by its
 * SHA-256 (`files/sha256/9f/9f86d0…`), so the same bytes sent twice are stored once; an unfinished
 * upload is `files/partial/<file id>` until its hash is checked. Nothing here trusts a name a client
 * gave: paths are built from numbers and verified hex only.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Read size when re-hashing an unfinished upload after a restart. */
const REHASH_READ_BYTES = 1024 * 1024;

export class BlobStore {
  private readonly partialDir: string;
  private readonly blobDir: string;

  private constructor(
    readonly root: string,
    /** A temporary root (for a `:memory:` database) is removed at close. */
    private readonly temporary: boolean,
  ) {
    this.partialDir = path.join(root, 'partial');
    this.blobDir = path.join(root, 'sha256');
    fs.mkdirSync(this.partialDir, { recursive: true });
    fs.mkdirSync(this.blobDir, { recursive: true });
  }

  /** The store for a data directory; `:memory:` (tests, diagnostics) gets a temporary one. */
  static forDataDir(dataDir: string): BlobStore {
    if (dataDir === ':memory:') return new BlobStore(fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-files-')), true);
    return new BlobStore(path.join(dataDir, 'files'), false);
  }

  /** Bytes of an unfinished upload on disk (0 when none): where it resumes. */
  async partialSize(fileId: number): Promise<number> {
    try {
      return (await fsp.stat(this.partialPath(fileId))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
  }

  /** Opens an unfinished upload for appending, cut to `length` bytes first (bytes past it were never acknowledged). */
  async openPartial(fileId: number, length: number): Promise<fsp.FileHandle> {
    const handle = await fsp.open(this.partialPath(fileId), 'a');
    try {
      await handle.truncate(length);
    } catch (err) {
      await handle.close();
      throw err;
    }
    return handle;
  }

  /** A hash of the first `length` bytes of an unfinished upload (to continue it after a restart). */
  async hashPartial(fileId: number, length: number): Promise<Hash> {
    const hash = createHash('sha256');
    if (length === 0) return hash;
    const stream = fs.createReadStream(this.partialPath(fileId), {
      start: 0,
      end: length - 1,
      highWaterMark: REHASH_READ_BYTES,
    });
    for await (const chunk of stream) hash.update(chunk as Buffer);
    return hash;
  }

  /**
   * Makes a verified upload permanent: flushed to disk, then renamed to its hash. When those bytes
   * are already stored (the same file sent before), the copy is dropped.
   */
  async finish(fileId: number, handle: fsp.FileHandle, sha256: string): Promise<void> {
    await handle.sync();
    await handle.close();
    const target = this.blobPath(sha256);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    if (await exists(target)) await fsp.rm(this.partialPath(fileId), { force: true });
    else await fsp.rename(this.partialPath(fileId), target);
  }

  async removePartial(fileId: number): Promise<void> {
    await fsp.rm(this.partialPath(fileId), { force: true });
  }

  async removeBlob(sha256: string): Promise<void> {
    await fsp.rm(this.blobPath(sha256), { force: true });
  }

  /** Up to `length` bytes of a finished file from `offset` (fewer at its end). */
  async read(sha256: string, offset: number, length: number): Promise<Buffer> {
    const handle = await fsp.open(this.blobPath(sha256), 'r');
    try {
      const buffer = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled === length ? buffer : buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  }

  async close(): Promise<void> {
    if (this.temporary) await fsp.rm(this.root, { recursive: true, force: true });
  }

  private partialPath(fileId: number): string {
    if (!Number.isSafeInteger(fileId) || fileId < 1) throw new Error(`not a file id: ${fileId}`);
    return path.join(this.partialDir, String(fileId));
  }

  private blobPath(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return path.join(this.blobDir, sha256.slice(0, 2), sha256);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.access(file);
    return true;
  } catch {
    return false;
  }
}
