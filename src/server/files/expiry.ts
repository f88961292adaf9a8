/**
 * Expiry (issue #5): files are kept for a retention period, unfinished uploads until they have been
 * abandoned for a while; then row, partial file and (when no other finished file has the same bytes)
 * blob go. The server runs it hourly (ClassChatServer.expireFiles); the expired are read in batches.
 */
import type { Logger } from 'pino';
import type { Chat } from '../chat/chat.js';
import type { Limits } from '../limits.js';
import type { Blobs } from './blobs.js';
import type { UploadLifecycle } from './upload-lifecycle.js';

/** Expired files removed per sweep round (the sweep repeats until none are left). */
const EXPIRE_BATCH = 500;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Deletes expired files and abandoned uploads. */
export class FileExpiry {
  constructor(
    private readonly chat: Chat,
    private readonly blobs: Blobs,
    private readonly lifecycle: UploadLifecycle,
    private readonly limits: Pick<Limits, 'fileRetentionDays' | 'uploadAbandonHours'>,
    private readonly log: Logger,
  ) {}

  /**
   * Deletes files past their retention, and uploads unfinished for too long, with their bytes when
   * no other finished file has the same ones. Returns how many were deleted. `now` (ms) is the domain
   * clock's unless the caller gives a time.
   */
  async expire(now = this.chat.nowMs()): Promise<number> {
    const createdBefore = new Date(now - this.limits.fileRetentionDays * DAY_MS).toISOString();
    const abandonedBefore = new Date(now - this.limits.uploadAbandonHours * HOUR_MS).toISOString();
    let removed = 0;
    for (;;) {
      const batch = await this.chat.store.expiredFiles(createdBefore, abandonedBefore, EXPIRE_BATCH);
      if (batch.length === 0) break;
      for (const file of batch) {
        const upload = this.lifecycle.uploads.get(file.id);
        if (upload) await this.lifecycle.closeInTurn(upload);
        this.lifecycle.forgetProgress(file.id);
        this.chat.store.deleteFile(file.id);
        await this.blobs.removePartial(file.id);
        if (file.completedAt !== null && !(await this.chat.store.sha256InUse(file.sha256)))
          await this.blobs.removeBlob(file.sha256);
        removed++;
      }
      this.chat.requestCommit();
      if (batch.length < EXPIRE_BATCH) break;
    }
    if (removed > 0) this.log.info({ removed }, 'expired files deleted');
    return removed;
  }
}
