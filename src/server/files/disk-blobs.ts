/**
 * File bytes on disk (issue #5), for a single node: under the data directory, a finished file is named
 * by its SHA-256 (`files/sha256/9f/9f86d0…`), so the same bytes sent twice are stored once; an
 * unfinished upload is `files/partial/<file id>` until its hash is checked. Nothing here trusts a name
 * a client gave: paths are built from numbers and verified hex only.
 */
import { createHash, type Hash } from 'node:crypto';
import fs, { writeSync } from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkedFileId, checkedSha256, type Blobs, type PartialWriter } from './blobs.js';

/** Read size when re-hashing an unfinished upload after a restart. */
const REHASH_READ_BYTES = 1024 * 1024;

export class DiskBlobs implements Blobs {
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
  static forDataDir(dataDir: string): DiskBlobs {
    if (dataDir === ':memory:') return new DiskBlobs(fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-files-')), true);
    return new DiskBlobs(path.join(dataDir, 'files'), false);
  }

  async partialSize(fileId: number): Promise<number> {
    try {
      return (await fsp.stat(this.partialPath(fileId))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
  }

  async openPartial(fileId: number, length: number): Promise<PartialWriter> {
    const handle = await fsp.open(this.partialPath(fileId), 'a');
    try {
      await handle.truncate(length);
    } catch (err) {
      await handle.close();
      throw err;
    }
    return new DiskPartial(this, fileId, handle);
  }

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
    return path.join(this.partialDir, String(checkedFileId(fileId)));
  }

  private blobPath(sha256: string): string {
    checkedSha256(sha256);
    return path.join(this.blobDir, sha256.slice(0, 2), sha256);
  }
}

/** An unfinished upload's file, open for appending (it holds a file descriptor until closed). */
class DiskPartial implements PartialWriter {
  constructor(
    private readonly blobs: DiskBlobs,
    private readonly fileId: number,
    private readonly handle: fsp.FileHandle,
  ) {}

  append(data: Buffer): void {
    // A synchronous write: it lands in the page cache in microseconds, where a write through the
    // thread pool costs a round trip per chunk and left uploads at 70 MB/s (bench, issue #5). The
    // file is fsynced once, when complete, before it is announced.
    let written = 0;
    while (written < data.length) written += writeSync(this.handle.fd, data, written, data.length - written);
  }

  finish(sha256: string): Promise<void> {
    return this.blobs.finish(this.fileId, this.handle, sha256);
  }

  close(): Promise<void> {
    return this.handle.close();
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
