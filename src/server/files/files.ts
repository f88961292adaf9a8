/**
 * File transfer (issue #5): uploads to a user or a room, checked against their SHA-256 before anyone
 * may fetch them, resumable in both directions, within a size limit, a per-user quota and a retention
 * period. The bytes go to the BlobStore, the metadata to the Store; the file is announced with an
 * ordinary chat message (carrying `file`), so offline recipients learn of it like any message.
 */
import type { Logger } from 'pino';
import { ChatError } from '../../protocol/errors.js';
import { formatBytes, safeFileName } from '../../protocol/file-names.js';
import { EVERYONE, nameKey } from '../../protocol/names.js';
import type { Chat } from '../chat/chat.js';
import { sendGroup, sendPrivate, type Sent } from '../chat/messaging.js';
import { RESEND_WINDOW_MS } from '../chat/resend.js';
import type { Session } from '../chat/session.js';
import type { Limits } from '../limits.js';
import type { FileRecord, StoredMessage } from '../store/store.js';
import { assertMaySee } from './access.js';
import type { BlobStore } from './blob-store.js';
import { Upload } from './upload.js';

export type FileLimits = Pick<Limits, 'maxFileBytes' | 'fileQuotaBytes' | 'fileRetentionDays' | 'uploadAbandonHours'>;

/** Most files in one `files` reply. */
const LIST_LIMIT = 100;
/** Expired files removed per sweep round (the sweep repeats until none are left). */
const EXPIRE_BATCH = 500;
/** An upload with no chunk for this long closes its file handle (it can still resume). */
const IDLE_UPLOAD_MS = 10 * 60_000;
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

/** A file as `files` lists it. */
export interface FileListing {
  file: number;
  name: string;
  size: number;
  sha256: string;
  sender: string;
  receiver: string;
  ts: string;
  expires: string;
}

export class Files {
  private readonly uploads = new Map<number, Upload>();

  constructor(
    private readonly chat: Chat,
    private readonly blobs: BlobStore,
    private readonly limits: FileLimits,
    private readonly log: Logger,
  ) {}

  /**
   * `upload`: checks the receiver, the size and the quota, and returns where to start (or resume).
   * `clientRef` is the request's id (JSON-encoded): the same id and content as an upload that already
   * finished (its last reply was lost with the connection) returns that upload's announcement, so
   * the file is neither stored nor announced twice. Without an id, the same bytes again are a new file.
   */
  async start(session: Session, request: { receiver: string; name: string; size: number; sha256: string }, clientRef: string | null): Promise<Started | Repeated> {
    const { size } = request;
    const sha256 = request.sha256.toLowerCase();
    if (size > this.limits.maxFileBytes) throw new ChatError('too_large', `a file is at most ${formatBytes(this.limits.maxFileBytes)}; this one is ${formatBytes(size)}`);
    const target = await this.resolveReceiver(session, request.receiver);
    const resumable = await this.chat.store.findUnfinishedUpload(session.userId, target.convId, size, sha256);
    if (resumable) return { file: resumable, offset: (await this.open(resumable)).received };
    if (clientRef !== null) {
      const since = new Date(Date.now() - RESEND_WINDOW_MS).toISOString();
      const repeated = await this.chat.store.findRepeatedUpload({ senderId: session.userId, clientRef, convId: target.convId, size, sha256, since });
      if (repeated) return { repeated };
    }
    const stored = await this.chat.store.bytesStoredBy(session.userId);
    if (stored + size > this.limits.fileQuotaBytes) {
      throw new ChatError('quota_exceeded', `you store ${formatBytes(stored)} of your ${formatBytes(this.limits.fileQuotaBytes)}; this file needs ${formatBytes(size)} (files are deleted after ${this.limits.fileRetentionDays} days)`);
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
    return { file, offset: (await this.open(file)).received };
  }

  /**
   * `chunk`: appends the bytes if they are where the upload stands. With the last one the SHA-256 is
   * checked: a match makes the file permanent and announces it; a mismatch discards it (corrupt).
   */
  async chunk(session: Session, fileId: number, offset: number, data: Buffer): Promise<Accepted> {
    let upload = this.uploads.get(fileId);
    if (!upload) {
      const file = await this.chat.store.findFile(fileId);
      if (!file || file.senderId !== session.userId || file.completedAt !== null) throw noSuchUpload(fileId);
      upload = await this.open(file);
    }
    if (upload.file.senderId !== session.userId) throw noSuchUpload(fileId);
    const current = upload;
    return current.serial(async () => {
      if (this.uploads.get(fileId) !== current) throw noSuchUpload(fileId); // finished or discarded meanwhile
      if (data.length === 0 && offset !== current.file.size) throw new ChatError('bad_request', 'chunk: "data" is empty');
      try {
        await current.append(offset, data);
      } catch (err) {
        if (!(err instanceof ChatError)) await this.drop(current); // a failed write: the next resume starts from what is on disk
        throw err;
      }
      if (!current.complete) return { offset: current.received };
      return { offset: current.received, sent: await this.finish(session, current) };
    });
  }

  /** `files`: the finished files of one conversation, or of all of the user's. */
  async list(session: Session, receiver: string | undefined): Promise<FileListing[]> {
    if (receiver === undefined) return (await this.chat.store.filesOf(session.userId, LIST_LIMIT)).map((f) => this.listing(f));
    const key = nameKey(receiver);
    const room = this.chat.rooms.get(key);
    if (room) {
      if (!room.has(session.userId)) throw new ChatError('not_a_member', `you are not a member of ${room.name}`);
      return (await this.chat.store.filesIn(room.id, LIST_LIMIT)).map((f) => this.listing(f));
    }
    const user = await this.chat.store.findUser(key);
    if (!user) throw new ChatError('no_such_user', `there is no user or room named ${receiver}`);
    const conv = await this.chat.findPrivate(session.userId, user.id);
    return conv ? (await this.chat.store.filesIn(conv.id, LIST_LIMIT)).map((f) => this.listing(f)) : [];
  }

  /** `files` with `file`: that one file, if the user may see it. */
  async describe(session: Session, fileId: number): Promise<FileListing> {
    const file = await this.chat.store.findFile(fileId);
    assertMaySee(this.chat, session, file, fileId);
    return this.listing(file);
  }

  /** `fetch`: up to `length` bytes of a finished file from `offset`. */
  async read(session: Session, fileId: number, offset: number, length: number): Promise<{ file: FileRecord; data: Buffer }> {
    const file = await this.chat.store.findFile(fileId);
    assertMaySee(this.chat, session, file, fileId);
    if (offset > file.size) throw new ChatError('bad_offset', `file ${fileId} has ${file.size} bytes`, { file: fileId, offset: file.size });
    const data = offset === file.size ? Buffer.alloc(0) : await this.blobs.read(file.sha256, offset, Math.min(length, file.size - offset));
    return { file, data };
  }

  /**
   * Deletes files past their retention, and uploads unfinished for too long, with their bytes when
   * no other finished file has the same ones. Returns how many were deleted.
   */
  async expire(now = Date.now()): Promise<number> {
    const createdBefore = new Date(now - this.limits.fileRetentionDays * DAY_MS).toISOString();
    const abandonedBefore = new Date(now - this.limits.uploadAbandonHours * HOUR_MS).toISOString();
    let removed = 0;
    for (;;) {
      const batch = await this.chat.store.expiredFiles(createdBefore, abandonedBefore, EXPIRE_BATCH);
      if (batch.length === 0) break;
      for (const file of batch) {
        const upload = this.uploads.get(file.id);
        if (upload) await this.drop(upload);
        this.chat.store.deleteFile(file.id);
        await this.blobs.removePartial(file.id);
        if (file.completedAt !== null && !(await this.chat.store.sha256InUse(file.sha256))) await this.blobs.removeBlob(file.sha256);
        removed++;
      }
      this.chat.requestCommit();
      if (batch.length < EXPIRE_BATCH) break;
    }
    // Idle uploads give back their file handle; they resume from the partial file.
    for (const upload of this.uploads.values()) if (now - upload.lastActive > IDLE_UPLOAD_MS) await this.drop(upload);
    if (removed > 0) this.log.info({ removed }, 'expired files deleted');
    return removed;
  }

  /** Closes every open upload (shutdown); they resume from their partial files. */
  async close(): Promise<void> {
    for (const upload of [...this.uploads.values()]) await this.drop(upload);
    await this.blobs.close();
  }

  private async resolveReceiver(session: Session, receiver: string): Promise<Pick<FileRecord, 'convId' | 'kind' | 'receiverId' | 'receiver'>> {
    const key = nameKey(receiver);
    if (key === EVERYONE) throw new ChatError('bad_request', 'upload: files go to a user or a room, not to everyone');
    const room = this.chat.rooms.get(key);
    if (room) {
      if (!room.has(session.userId)) throw new ChatError('not_a_member', `you are not a member of ${room.name}; join it first`);
      return { convId: room.id, kind: 'group', receiverId: null, receiver: room.name };
    }
    if (key === session.key) throw new ChatError('bad_request', 'upload: you cannot send a file to yourself');
    const online = this.chat.presence.byName(key);
    const user = online ? { id: online.userId, name: online.name } : await this.chat.store.findUser(key);
    if (!user) throw new ChatError('no_such_user', `there is no user or room named ${receiver}`);
    const conv = await this.chat.privateConversation(session.userId, user.id);
    return { convId: conv.id, kind: 'private', receiverId: user.id, receiver: user.name };
  }

  /** The upload's state, opened from its partial file when not in memory (after a reconnect or restart). */
  private async open(file: FileRecord): Promise<Upload> {
    const known = this.uploads.get(file.id);
    if (known) return known;
    const received = Math.min(await this.blobs.partialSize(file.id), file.size);
    const hash = await this.blobs.hashPartial(file.id, received);
    const handle = await this.blobs.openPartial(file.id, received);
    // Two resumes may have raced to open it: keep the first.
    const raced = this.uploads.get(file.id);
    if (raced) {
      await handle.close();
      return raced;
    }
    const upload = new Upload(file, handle, hash, received);
    this.uploads.set(file.id, upload);
    return upload;
  }

  private async finish(session: Session, upload: Upload): Promise<Sent> {
    const { file } = upload;
    this.uploads.delete(file.id);
    const actual = upload.digest();
    if (actual !== file.sha256) {
      await upload.fileHandle.close();
      await this.blobs.removePartial(file.id);
      this.chat.store.deleteFile(file.id);
      this.chat.requestCommit();
      this.log.warn({ file: file.id, user: session.name, expected: file.sha256, actual }, 'upload did not match its SHA-256; discarded');
      throw new ChatError('corrupt', `file ${file.id} (${file.name}) did not match its SHA-256; it was discarded, send it again`, { file: file.id });
    }
    await this.blobs.finish(file.id, upload.fileHandle, file.sha256);
    this.chat.store.completeFile(file.id, this.chat.now());
    const text = `${session.name} sent ${file.name} (${formatBytes(file.size)}) [id ${file.id}] - /get ${file.id}`;
    const sent = file.kind === 'group' ? sendGroup(this.chat, session, file.receiver, text, null, file.id) : await sendPrivate(this.chat, session, file.receiver, text, null, file.id);
    this.log.info({ file: file.id, user: session.name, to: file.receiver, size: file.size }, 'upload finished');
    return sent;
  }

  private async drop(upload: Upload): Promise<void> {
    if (this.uploads.get(upload.file.id) === upload) this.uploads.delete(upload.file.id);
    await upload.fileHandle.close().catch((err: unknown) => this.log.warn({ err, file: upload.file.id }, 'closing an upload failed'));
  }

  private listing(f: FileRecord): FileListing {
    return {
      file: f.id,
      name: f.name,
      size: f.size,
      sha256: f.sha256,
      sender: f.sender,
      receiver: f.receiver,
      ts: f.completedAt ?? f.createdAt,
      expires: new Date(Date.parse(f.createdAt) + this.limits.fileRetentionDays * DAY_MS).toISOString(),
    };
  }
}

function noSuchUpload(fileId: number): ChatError {
  return new ChatError('no_such_file', `there is no unfinished upload ${fileId} of yours; start it with "upload"`);
}
