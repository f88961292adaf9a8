/**
 * One upload in progress (issue #5): the open partial upload, the running SHA-256 and how many bytes
 * are stored. Chunks are applied one at a time, in order; a reconnecting client finds the same
 * state (or, after a server restart, one rebuilt from the partial file) and continues from `received`.
 */
import type { Hash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ChatError } from '../../protocol/errors.js';
import type { FileRecord } from '../store/store.js';
import type { PartialWriter } from './blobs.js';
import type { UploadHolder } from './open-uploads.js';

/**
 * After this many bytes written in one go, an upload lets the event loop turn before its next chunk:
 * the chunks a client pipelines would otherwise all run in one turn and hold up everyone's chat.
 */
const BYTES_PER_TURN = 256 * 1024;

/** How far an upload got: its bytes stored and the hash of them. */
export interface UploadProgress {
  received: number;
  hash: Hash;
}

export class Upload {
  /** Bytes written and acknowledged. */
  received: number;
  /** The last chunk's write; the next waits for it (two connections of one user may race). */
  private tail: Promise<unknown> = Promise.resolve();
  private bytesThisTurn = 0;
  /** Fires after `idleMs` without a chunk (issue #11.7): the owner closes the file; a chunk reopens it. */
  private readonly idleTimer: NodeJS.Timeout;

  constructor(
    readonly file: FileRecord,
    private readonly partial: PartialWriter,
    private readonly hash: Hash,
    received: number,
    /** The connection whose chunks it takes (see OpenUploads). */
    public holder: UploadHolder,
    idleMs: number,
    onIdle: (upload: Upload) => void,
  ) {
    this.received = received;
    this.idleTimer = setTimeout(() => onIdle(this), idleMs).unref();
  }

  /** Stops the idle timer (the upload is being closed, finished or discarded). */
  stopIdleTimer(): void {
    clearTimeout(this.idleTimer);
  }

  get complete(): boolean {
    return this.received === this.file.size;
  }

  /** Runs `work` after every earlier chunk of this upload has finished. */
  serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => {});
    return run;
  }

  /** Appends `data` at `offset`, which must be where the upload stands. Throws bad_offset, too_large. */
  async append(offset: number, data: Buffer): Promise<void> {
    this.idleTimer.refresh();
    if (offset !== this.received) {
      throw new ChatError('bad_offset', `file ${this.file.id} stands at ${this.received} bytes; continue from there`, {
        file: this.file.id,
        offset: this.received,
      });
    }
    if (offset + data.length > this.file.size) {
      throw new ChatError(
        'too_large',
        `file ${this.file.id} was announced as ${this.file.size} bytes; this chunk goes past its end`,
      );
    }
    if (this.bytesThisTurn >= BYTES_PER_TURN) {
      this.bytesThisTurn = 0;
      await nextTurn();
    }
    // On disk the write is synchronous (DiskBlobs says why) and nothing is awaited here.
    const stored = this.partial.append(data);
    if (stored) await stored;
    this.hash.update(data);
    this.received += data.length;
    this.bytesThisTurn += data.length;
  }

  /** The running hash and its length, kept when the file is closed so a reopen need not read it all again. */
  get progress(): UploadProgress {
    return { received: this.received, hash: this.hash };
  }

  /** The hex SHA-256 of everything received (call once, when complete). */
  digest(): string {
    return this.hash.digest('hex');
  }

  /** The open partial upload, handed over to be made permanent (or closed) by the owner. */
  get writer(): PartialWriter {
    return this.partial;
  }
}
