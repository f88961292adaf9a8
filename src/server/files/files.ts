/**
 * File transfer (issue #5): uploads to a user or a room, checked against their SHA-256 before anyone
 * may fetch them, resumable in both directions, within a size limit, a per-user quota and a retention
 * period. The bytes go to the BlobStore, the metadata to the Store; the file is announced with an
 * ordinary chat message (carrying `file`), so offline recipients learn of it like any message.
 */
import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import { ChatError } from '../../protocol/errors.js';
import { formatBytes, safeFileName } from '../../protocol/file-names.js';
import type { FileInfo } from '../../protocol/messages.js';
import type { Chat } from '../chat/chat.js';
import { sendGroup, sendPrivate, type Sent } from '../chat/messaging.js';
import { RESEND_WINDOW_MS } from '../chat/resend.js';
import type { Session } from '../chat/session.js';
import type { AddressKey } from '../guards/address-group.js';
import type { Limits } from '../limits.js';
import type { FileRecord, StoredMessage } from '../store/store.js';
import { assertMaySee, uploadTarget } from './access.js';
import type { BlobStore } from './blob-store.js';
import { EndedUploads, leftRoom, noSuchUpload, replaced, roomDeleted, whyEnded } from './ended-uploads.js';
import { listFiles, toListing } from './listing.js';
import { OpenUploads, type UploadHolder } from './open-uploads.js';
import { Upload, type UploadProgress } from './upload.js';

export type FileLimits = Pick<
  Limits,
  | 'maxFileBytes'
  | 'fileQuotaBytes'
  | 'fileRetentionDays'
  | 'uploadAbandonHours'
  | 'maxUploadsPerUser'
  | 'maxUploadsPerAddress'
  | 'uploadIdleMs'
>;

/** Expired files removed per sweep round (the sweep repeats until none are left). */
const EXPIRE_BATCH = 500;
/**
 * Closed uploads whose running hash is kept (the oldest are forgotten first): reopening after an idle
 * close or a reconnect (issue #11.7) then costs no re-read of the partial file, which a client
 * pausing 30 s between chunks could otherwise make the server do for up to 100 MiB each time.
 */
const KEPT_PROGRESS = 4096;
/** Times a chunk looks an upload up again after it was closed under it (idle, reconnect) before giving up. */
const CHUNK_ATTEMPTS = 3;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

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

/** The reply to a chunk: where the upload stands, and the announcement once it is done. */
export interface Accepted {
  offset: number;
  sent?: Sent;
}

export class Files {
  private readonly uploads: OpenUploads;
  private readonly ended = new EndedUploads();
  private readonly kept = new Map<number, UploadProgress>();

  constructor(
    private readonly chat: Chat,
    private readonly blobs: BlobStore,
    private readonly limits: FileLimits,
    private readonly log: Logger,
    /** What the per-address upload cap counts an address under (null: exempt). */
    addressKey: AddressKey,
  ) {
    this.uploads = new OpenUploads(addressKey);
    // Issue #11.16: an upload to a room ends when its sender leaves it (or is removed, or it is deleted).
    chat.onRoomExit = (roomId, userId) => {
      this.endUploadsTo(roomId, userId).catch((err: unknown) =>
        this.log.error({ err, room: roomId, user: userId }, 'discarding uploads to a room failed'),
      );
    };
  }

  /** Uploads with their partial file open (each holds a file descriptor). */
  get openCount(): number {
    return this.uploads.size;
  }

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
    if (resumable) return { file: resumable, offset: (await this.open(resumable, holder)).received };
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
    this.assertAddressMayOpen(holder);
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
    return { file, offset: (await this.open(file, holder)).received };
  }

  /**
   * `chunk`: appends the bytes if they are where the upload stands. With the last one the SHA-256 is
   * checked: a match makes the file permanent and announces it; a mismatch discards it (corrupt).
   */
  async chunk(session: Session, holder: UploadHolder, fileId: number, offset: number, data: Buffer): Promise<Accepted> {
    for (let attempt = 1; ; attempt++) {
      const upload = this.uploads.get(fileId) ?? (await this.reopen(session, holder, fileId));
      if (upload.file.senderId !== session.userId) throw noSuchUpload(fileId);
      const accepted = await upload.serial(() => this.applyChunk(session, holder, upload, offset, data));
      if (accepted) return accepted;
      // Closed while this chunk waited (idle, or its connection went): look it up again.
      if (attempt === CHUNK_ATTEMPTS)
        throw new Error(`upload ${fileId} was closed ${attempt} times while a chunk waited`);
    }
  }

  /** Closes the uploads a connection holds (it closed); they resume from their partial files (issue #11.7). */
  async release(holder: UploadHolder): Promise<void> {
    for (const upload of this.uploads.heldBy(holder)) await this.closeInTurn(upload);
  }

  /** `files`: the finished files of one conversation, or of all of the user's. */
  list(session: Session, receiver: string | undefined): Promise<FileInfo[]> {
    return listFiles(this.chat, session, receiver, this.limits.fileRetentionDays);
  }

  /** `files` with `file`: that one file, if the user may see it. */
  async describe(session: Session, fileId: number): Promise<FileInfo> {
    const file = await this.chat.store.findFile(fileId);
    assertMaySee(this.chat, session, file, fileId);
    return toListing(file, this.limits.fileRetentionDays);
  }

  /** `fetch`: up to `length` bytes of a finished file from `offset`. */
  async read(
    session: Session,
    fileId: number,
    offset: number,
    length: number,
  ): Promise<{ file: FileRecord; data: Buffer }> {
    const file = await this.chat.store.findFile(fileId);
    assertMaySee(this.chat, session, file, fileId);
    if (offset > file.size)
      throw new ChatError('bad_offset', `file ${fileId} has ${file.size} bytes`, { file: fileId, offset: file.size });
    const data =
      offset === file.size
        ? Buffer.alloc(0)
        : await this.blobs.read(file.sha256, offset, Math.min(length, file.size - offset));
    return { file, data };
  }

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
        const upload = this.uploads.get(file.id);
        if (upload) await this.closeInTurn(upload);
        this.kept.delete(file.id);
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

  /** Closes every open upload (shutdown); they resume from their partial files. */
  async close(): Promise<void> {
    for (const upload of this.uploads.all()) await this.closeInTurn(upload);
    await this.blobs.close();
  }

  /**
   * The upload's state, opened from its partial file when not open (after idling, a reconnect or a
   * restart), held by `holder`. Throws too_many_uploads when its address holds its share of open files.
   */
  private async open(file: FileRecord, holder: UploadHolder): Promise<Upload> {
    const known = this.uploads.get(file.id);
    if (known) {
      this.uploads.hand(known, holder);
      return known;
    }
    this.assertAddressMayOpen(holder);
    let received: number, hash: Hash, handle: FileHandle;
    try {
      received = Math.min(await this.blobs.partialSize(file.id), file.size);
      const kept = this.kept.get(file.id);
      this.kept.delete(file.id);
      hash = kept?.received === received ? kept.hash : await this.blobs.hashPartial(file.id, received);
      handle = await this.blobs.openPartial(file.id, received);
    } catch (err) {
      throw this.ended.get(file.id) ?? err; // discarded meanwhile: its partial file went
    }
    const ended = this.ended.get(file.id);
    if (ended) {
      // Discarded while it opened (issue #11.16): opening for append made the partial file again.
      await handle.close();
      await this.blobs.removePartial(file.id);
      throw ended;
    }
    // Two resumes may have raced to open it: keep the first.
    const raced = this.uploads.get(file.id);
    if (raced) {
      await handle.close();
      this.uploads.hand(raced, holder);
      return raced;
    }
    try {
      // Checked again after the awaits: other opens from the address, or the connection closing, may have come first.
      this.assertAddressMayOpen(holder);
      if (holder.closed) throw new ChatError('no_such_file', `upload ${file.id}: the connection closed`);
    } catch (err) {
      await handle.close();
      throw err;
    }
    const upload = new Upload(
      file,
      handle,
      hash,
      received,
      holder,
      this.limits.uploadIdleMs,
      (idle) => void this.closeInTurn(idle),
    );
    this.uploads.add(upload);
    return upload;
  }

  /** An upload that is not open, opened for its sender's chunk. Throws no_such_file (or why the server ended it). */
  private async reopen(session: Session, holder: UploadHolder, fileId: number): Promise<Upload> {
    const ended = await this.ended.refusal(fileId, session.userId);
    if (ended) throw ended;
    const file = await this.chat.store.findFile(fileId);
    if (!file || file.senderId !== session.userId || file.completedAt !== null) {
      throw (await this.ended.refusal(fileId, session.userId)) ?? noSuchUpload(fileId);
    }
    return this.open(file, holder);
  }

  /** One chunk, run in the upload's turn; undefined when the upload was closed while the chunk waited. */
  private async applyChunk(
    session: Session,
    holder: UploadHolder,
    current: Upload,
    offset: number,
    data: Buffer,
  ): Promise<Accepted | undefined> {
    if (this.uploads.get(current.file.id) !== current) return undefined;
    this.uploads.hand(current, holder);
    const left = whyEnded(this.chat, session, current.file);
    if (left) {
      // Issue #11.16: never completed (nor announced) to a room its sender is no longer in.
      await this.discard(current.file, left, current);
      throw left;
    }
    if (data.length === 0 && offset !== current.file.size) throw new ChatError('bad_request', 'chunk: "data" is empty');
    try {
      await current.append(offset, data);
    } catch (err) {
      if (!(err instanceof ChatError)) await this.closeNow(current); // a failed write: the next resume starts from what is on disk
      throw err;
    }
    if (!current.complete) {
      if (holder.closed) await this.closeNow(current); // its connection went while it wrote: release() has run already
      return { offset: current.received };
    }
    return { offset: current.received, sent: await this.finish(session, current) };
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
      if (this.uploads.get(file.id)) continue;
      await this.discard(file, replaced(file, this.limits.maxUploadsPerUser));
      excess--;
    }
    if (excess > 0) {
      throw new ChatError(
        'too_many_uploads',
        `you have ${unfinished.length} uploads in progress (at most ${this.limits.maxUploadsPerUser}); finish one, or leave one idle for ${this.limits.uploadIdleMs / 1000} s, first`,
      );
    }
  }

  /** Issue #11.7: one address holds at most maxUploadsPerAddress open files. */
  private assertAddressMayOpen(holder: UploadHolder): void {
    const open = this.uploads.countFrom(holder);
    if (open === null || open < this.limits.maxUploadsPerAddress) return;
    throw new ChatError(
      'too_many_uploads',
      `your address has ${this.limits.maxUploadsPerAddress} uploads in progress, the most it may; finish one first`,
    );
  }

  /** Issue #11.16: the unfinished uploads to a room of a user who left it (or of everyone, when it was deleted). */
  private async endUploadsTo(convId: number, userId: number | null): Promise<void> {
    for (const file of await this.chat.store.unfinishedUploadsIn(convId)) {
      if (userId !== null && file.senderId !== userId) continue;
      await this.discard(file, userId === null ? roomDeleted(file) : leftRoom(file));
    }
  }

  /**
   * Deletes an unfinished upload, bytes and row (its quota is free again), remembering `why` for its
   * sender's next chunk. `inTurn` is the open upload when called from within its own turn.
   */
  private async discard(file: FileRecord, why: ChatError, inTurn?: Upload): Promise<void> {
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

  /**
   * Checks the SHA-256, makes the file permanent and announces it. The upload stays open (in
   * `uploads`) until done, so that a discard meanwhile waits for this turn and sees the outcome.
   */
  private async finish(session: Session, upload: Upload): Promise<Sent> {
    const { file } = upload;
    try {
      const actual = upload.digest();
      if (actual !== file.sha256) {
        await upload.fileHandle.close();
        await this.blobs.removePartial(file.id);
        this.chat.store.deleteFile(file.id);
        this.chat.requestCommit();
        this.log.warn(
          { file: file.id, user: session.name, expected: file.sha256, actual },
          'upload did not match its SHA-256; discarded',
        );
        throw new ChatError(
          'corrupt',
          `file ${file.id} (${file.name}) did not match its SHA-256; it was discarded, send it again`,
          { file: file.id },
        );
      }
      await this.blobs.finish(file.id, upload.fileHandle, file.sha256);
      // Issue #11.16: the sender may have left the room while the file was flushed; checked with no
      // await between here and the announcement.
      const ended = whyEnded(this.chat, session, file);
      if (ended) {
        this.chat.store.deleteFile(file.id);
        this.chat.requestCommit();
        this.ended.remember(file, ended)();
        if (!(await this.chat.store.sha256InUse(file.sha256))) await this.blobs.removeBlob(file.sha256);
        throw ended;
      }
      this.chat.store.completeFile(file.id, this.chat.now());
      const text = `${session.name} sent ${file.name} (${formatBytes(file.size)}) [id ${file.id}] - /get ${file.id}`;
      const sent =
        file.kind === 'group'
          ? sendGroup(this.chat, session, file.receiver, text, null, file.id)
          : await sendPrivate(this.chat, session, file.receiver, text, null, file.id);
      this.log.info({ file: file.id, user: session.name, to: file.receiver, size: file.size }, 'upload finished');
      return sent;
    } finally {
      this.uploads.remove(upload);
      upload.stopIdleTimer();
      // Closed already unless something above failed; closing twice is harmless.
      await upload.fileHandle
        .close()
        .catch((err: unknown) => this.log.warn({ err, file: file.id }, 'closing an upload failed'));
    }
  }

  /** Closes an open upload's file in its turn (after the chunk being written); it resumes from the partial file. */
  private closeInTurn(upload: Upload): Promise<void> {
    return upload.serial(() => this.closeNow(upload));
  }

  /** Closes an open upload's file now: only from within its turn (or when no chunk can be running). */
  private async closeNow(upload: Upload): Promise<void> {
    if (!this.uploads.remove(upload)) return;
    upload.stopIdleTimer();
    this.kept.set(upload.file.id, upload.progress);
    if (this.kept.size > KEPT_PROGRESS) this.kept.delete(this.kept.keys().next().value!);
    await upload.fileHandle
      .close()
      .catch((err: unknown) => this.log.warn({ err, file: upload.file.id }, 'closing an upload failed'));
  }
}
