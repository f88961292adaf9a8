/**
 * When an upload's partial file is open (issue #11.7): opened for a start, a resume or a chunk; closed
 * when it idles, when its connection goes and at shutdown, keeping its running hash for the next open;
 * and discarded, bytes and row, when the server ends it unfinished (issue #11.16, or replaced at the
 * per-user cap), remembering why for its sender's next chunk. The other parts of the file service open
 * and close uploads only through here, so each open file is counted once and closed in its turn.
 */
import type { Hash } from 'node:crypto';
import type { Logger } from 'pino';
import { ChatError } from '../../protocol/errors.js';
import type { Chat } from '../chat/chat.js';
import type { AddressKey } from '../guards/address-group.js';
import type { Limits } from '../limits.js';
import type { FileRecord } from '../store/store.js';
import type { Blobs, PartialWriter } from './blobs.js';
import { EndedUploads, leftRoom, roomDeleted } from './ended-uploads.js';
import { OpenUploads, type UploadHolder } from './open-uploads.js';
import { Upload, type UploadProgress } from './upload.js';

/**
 * Closed uploads whose running hash is kept (the oldest are forgotten first): reopening after an idle
 * close or a reconnect (issue #11.7) then costs no re-read of the partial file, which a client
 * pausing 30 s between chunks could otherwise make the server do for up to 100 MiB each time.
 */
const KEPT_PROGRESS = 4096;

/** Opens, closes and discards uploads; holds the open ones and why ended ones ended. */
export class UploadLifecycle {
  /** The uploads with their partial file open now. */
  readonly uploads: OpenUploads;
  /** The uploads the server ended unfinished, and why. */
  readonly ended = new EndedUploads();
  private readonly kept = new Map<number, UploadProgress>();

  constructor(
    private readonly chat: Chat,
    private readonly blobs: Blobs,
    private readonly limits: Pick<Limits, 'uploadIdleMs' | 'maxUploadsPerAddress'>,
    private readonly log: Logger,
    /** What the per-address upload cap counts an address under (null: exempt). */
    addressKey: AddressKey,
  ) {
    this.uploads = new OpenUploads(addressKey);
  }

  /**
   * The upload's state, opened from its partial file when not open (after idling, a reconnect or a
   * restart), held by `holder`. Throws too_many_uploads when its address holds its share of open files.
   */
  async open(file: FileRecord, holder: UploadHolder): Promise<Upload> {
    const known = this.uploads.get(file.id);
    if (known) {
      this.uploads.hand(known, holder);
      return known;
    }
    this.assertAddressMayOpen(holder);
    let received: number, hash: Hash, partial: PartialWriter;
    try {
      received = Math.min(await this.blobs.partialSize(file.id), file.size);
      const kept = this.kept.get(file.id);
      this.kept.delete(file.id);
      hash = kept?.received === received ? kept.hash : await this.blobs.hashPartial(file.id, received);
      partial = await this.blobs.openPartial(file.id, received);
    } catch (err) {
      throw this.ended.get(file.id) ?? err; // discarded meanwhile: its partial file went
    }
    const ended = this.ended.get(file.id);
    if (ended) {
      // Discarded while it opened (issue #11.16): opening for append made the partial file again.
      await partial.close();
      await this.blobs.removePartial(file.id);
      throw ended;
    }
    // Two resumes may have raced to open it: keep the first.
    const raced = this.uploads.get(file.id);
    if (raced) {
      await partial.close();
      this.uploads.hand(raced, holder);
      return raced;
    }
    try {
      // Checked again after the awaits: other opens from the address, or the connection closing, may have come first.
      this.assertAddressMayOpen(holder);
      if (holder.closed) throw new ChatError('no_such_file', `upload ${file.id}: the connection closed`);
    } catch (err) {
      await partial.close();
      throw err;
    }
    const upload = new Upload(
      file,
      partial,
      hash,
      received,
      holder,
      this.limits.uploadIdleMs,
      (idle) => void this.closeInTurn(idle),
    );
    this.uploads.add(upload);
    return upload;
  }

  /** Issue #11.7: one address holds at most maxUploadsPerAddress open files. */
  assertAddressMayOpen(holder: UploadHolder): void {
    const open = this.uploads.countFrom(holder);
    if (open === null || open < this.limits.maxUploadsPerAddress) return;
    throw new ChatError(
      'too_many_uploads',
      `your address has ${this.limits.maxUploadsPerAddress} uploads in progress, the most it may; finish one first`,
    );
  }

  /** Issue #11.16: the unfinished uploads to a room of a user who left it (or of everyone, when it was deleted). */
  async endUploadsTo(convId: number, userId: number | null): Promise<void> {
    for (const file of await this.chat.store.unfinishedUploadsIn(convId)) {
      if (userId !== null && file.senderId !== userId) continue;
      await this.discard(file, userId === null ? roomDeleted(file) : leftRoom(file));
    }
  }

  /**
   * Deletes an unfinished upload, bytes and row (its quota is free again), remembering `why` for its
   * sender's next chunk. `inTurn` is the open upload when called from within its own turn.
   */
  async discard(file: FileRecord, why: ChatError, inTurn?: Upload): Promise<void> {
    // First, before any await: a chunk arriving meanwhile does not reopen it, and is refused once it is gone.
    const settle = this.ended.remember(file, why);
    try {
      this.kept.delete(file.id);
      const open = this.uploads.get(file.id);
      if (open && open === inTurn) await this.closeNow(open);
      else if (open) {
        await this.closeInTurn(open);
        // A chunk already in its turn may have finished it (or ended it itself) meanwhile.
        const now = await this.chat.store.findFile(file.id);
        if (now?.completedAt) this.ended.forget(file.id);
        if (!now || now.completedAt !== null) return;
      }
      this.kept.delete(file.id);
      await this.blobs.removePartial(file.id);
      this.chat.store.deleteFile(file.id);
      this.chat.requestCommit();
    } finally {
      settle();
    }
    this.log.info(
      { file: file.id, user: file.sender, to: file.receiver, reason: why.code },
      'unfinished upload discarded',
    );
  }

  /** Forgets the running hash kept for a closed upload (its file is being deleted). */
  forgetProgress(fileId: number): void {
    this.kept.delete(fileId);
  }

  /** Closes an open upload's file in its turn (after the chunk being written); it resumes from the partial file. */
  closeInTurn(upload: Upload): Promise<void> {
    return upload.serial(() => this.closeNow(upload));
  }

  /** Closes an open upload's file now: only from within its turn (or when no chunk can be running). */
  async closeNow(upload: Upload): Promise<void> {
    if (!this.uploads.remove(upload)) return;
    upload.stopIdleTimer();
    this.kept.set(upload.file.id, upload.progress);
    if (this.kept.size > KEPT_PROGRESS) this.kept.delete(this.kept.keys().next().value!);
    await upload.writer
      .close()
      .catch((err: unknown) => this.log.warn({ err, file: upload.file.id }, 'closing an upload failed'));
  }
}
