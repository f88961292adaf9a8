/**
 * Starting an upload (issue #5): the receiver, the size, the per-user cap and the quota are checked
 * before a file row is made; an unfinished upload of the same bytes to the same conversation is resumed
 * instead, and a finished one sent again with the same request id (its reply lost with the connection)
 * is answered with its announcement, so a file is neither stored nor announced twice.
 */
import type { Logger } from 'pino';
import { ChatError } from '../../protocol/errors.js';
import { formatBytes, safeFileName } from '../../protocol/file-names.js';
import type { Chat } from '../chat/chat.js';
import { RESEND_WINDOW_MS } from '../chat/resend.js';
import type { Session } from '../chat/session.js';
import type { Limits } from '../limits.js';
import type { FileRecord, StoredMessage } from '../store/store.js';
import { uploadTarget } from './access.js';
import { replaced } from './ended-uploads.js';
import type { UploadHolder } from './open-uploads.js';
import type { UploadLifecycle } from './upload-lifecycle.js';

/** What a started (or resumed) upload tells the client. */
export interface Started {
  file: FileRecord;
  /** Where to continue: the bytes the server has. */
  offset: number;
}

/** An upload announced again after it finished: the message that announced it then. */
export interface Repeated {
  repeated: StoredMessage;
}

/** Starts, resumes or repeats an upload. */
export class UploadStarter {
  constructor(
    private readonly chat: Chat,
    private readonly lifecycle: UploadLifecycle,
    private readonly limits: Pick<
      Limits,
      'maxFileBytes' | 'fileQuotaBytes' | 'fileRetentionDays' | 'maxUploadsPerUser' | 'uploadIdleMs'
    >,
    private readonly log: Logger,
  ) {}

  /**
   * `upload`: checks the receiver, the size and the quota, and returns where to start (or resume).
   * `clientRef` is the request's id (JSON-encoded): the same id and content as an upload that already
   * finished (its last reply was lost with the connection) returns that upload's announcement, so
   * the file is neither stored nor announced twice. Without an id, the same bytes again are a new file.
   */
  async start(
    session: Session,
    holder: UploadHolder,
    request: { receiver: string; name: string; size: number; sha256: string },
    clientRef: string | null,
  ): Promise<Started | Repeated> {
    const { size } = request;
    const sha256 = request.sha256.toLowerCase();
    if (size > this.limits.maxFileBytes)
      throw new ChatError(
        'too_large',
        `a file is at most ${formatBytes(this.limits.maxFileBytes)}; this one is ${formatBytes(size)}`,
      );
    const target = await uploadTarget(this.chat, session, request.receiver);
    const resumable = await this.chat.store.findUnfinishedUpload(session.userId, target.convId, size, sha256);
    if (resumable) return { file: resumable, offset: (await this.lifecycle.open(resumable, holder)).received };
    if (clientRef !== null) {
      const since = new Date(this.chat.nowMs() - RESEND_WINDOW_MS).toISOString();
      const repeated = await this.chat.store.findRepeatedUpload({
        senderId: session.userId,
        clientRef,
        convId: target.convId,
        size,
        sha256,
        since,
      });
      if (repeated) return { repeated };
    }
    this.lifecycle.assertAddressMayOpen(holder);
    await this.makeRoomForUpload(session);
    // The quota counts every upload at the size it announced, finished or not (issue #11.7).
    const stored = await this.chat.store.bytesStoredBy(session.userId);
    if (stored + size > this.limits.fileQuotaBytes) {
      throw new ChatError(
        'quota_exceeded',
        `you store ${formatBytes(stored)} of your ${formatBytes(this.limits.fileQuotaBytes)}; this file needs ${formatBytes(size)} (files are deleted after ${this.limits.fileRetentionDays} days)`,
      );
    }
    const record: Omit<FileRecord, 'id'> = {
      ...target,
      senderId: session.userId,
      sender: session.name,
      name: safeFileName(request.name),
      size,
      sha256,
      createdAt: this.chat.now(),
      completedAt: null,
      clientRef,
    };
    const id = await this.chat.store.insertFile(record);
    this.chat.requestCommit();
    const file: FileRecord = { id, ...record };
    this.log.info({ file: id, user: session.name, to: file.receiver, size }, 'upload started');
    return { file, offset: (await this.lifecycle.open(file, holder)).received };
  }

  /**
   * Issue #11.7: at most maxUploadsPerUser unfinished uploads, counted in the store (a reconnect does
   * not reset it). At the cap the oldest one not in use (its file closed: idle, or its connection
   * went) is discarded to make room, so an abandoned upload never locks its sender out for a day;
   * when all are in use the new one is refused.
   */
  private async makeRoomForUpload(session: Session): Promise<void> {
    const unfinished = await this.chat.store.unfinishedUploadsOf(session.userId);
    let excess = unfinished.length - (this.limits.maxUploadsPerUser - 1);
    for (const file of unfinished) {
      if (excess <= 0) return;
      if (this.lifecycle.uploads.get(file.id)) continue;
      await this.lifecycle.discard(file, replaced(file, this.limits.maxUploadsPerUser));
      excess--;
    }
    if (excess > 0) {
      throw new ChatError(
        'too_many_uploads',
        `you have ${unfinished.length} uploads in progress (at most ${this.limits.maxUploadsPerUser}); finish one, or leave one idle for ${this.limits.uploadIdleMs / 1000} s, first`,
      );
    }
  }
}
