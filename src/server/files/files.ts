/**
 * File transfer (issue #5): uploads to a user or a room, checked against their SHA-256 before anyone
 * may fetch them, resumable in both directions, within a size limit, a per-user quota and a retention
 * period. The bytes go to the Blobs, the metadata to the Store; the file is announced with an
 * ordinary chat message (carrying `file`), so offline recipients learn of it like any message.
 *
 * This is the service the commands call, one method per request; each job is in its own file:
 * starting an upload (start-upload.ts), its chunks and finishing it (chunks.ts), opening, closing and
 * discarding uploads (upload-lifecycle.ts), expiry (expiry.ts), listing (listing.ts), who may see a
 * file (access.ts); the bytes are kept by a Blobs (blobs.ts: on disk or in PostgreSQL, open-blobs.ts).
 */
import type { Logger } from 'pino';
import { ChatError } from '../../protocol/errors.js';
import type { FileInfo } from '../../protocol/messages.js';
import type { Chat } from '../chat/chat.js';
import type { Session } from '../chat/session.js';
import type { AddressKey } from '../guards/address-group.js';
import type { Limits } from '../limits.js';
import type { FileRecord } from '../store/store.js';
import { assertMaySee } from './access.js';
import type { Blobs } from './blobs.js';
import { ChunkReceiver, type Accepted } from './chunks.js';
import { FileExpiry } from './expiry.js';
import { listFiles, toListing } from './listing.js';
import type { UploadHolder } from './open-uploads.js';
import { UploadStarter, type Repeated, type Started } from './start-upload.js';
import { UploadLifecycle } from './upload-lifecycle.js';

export type { Accepted, Repeated, Started };

/** The limits the file service keeps. */
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

/** The file-transfer service: one method per file command, plus release, expiry and shutdown. */
export class Files {
  private readonly lifecycle: UploadLifecycle;
  private readonly starter: UploadStarter;
  private readonly chunks: ChunkReceiver;
  private readonly expiry: FileExpiry;

  constructor(
    private readonly chat: Chat,
    private readonly blobs: Blobs,
    private readonly limits: FileLimits,
    private readonly log: Logger,
    /** What the per-address upload cap counts an address under (null: exempt). */
    addressKey: AddressKey,
  ) {
    this.lifecycle = new UploadLifecycle(chat, blobs, limits, log, addressKey);
    this.starter = new UploadStarter(chat, this.lifecycle, limits, log);
    this.chunks = new ChunkReceiver(chat, blobs, this.lifecycle, log);
    this.expiry = new FileExpiry(chat, blobs, this.lifecycle, limits, log);
    // Issue #11.16: an upload to a room ends when its sender leaves it (or is removed, or it is deleted).
    chat.onRoomExit = (roomId, userId) => {
      this.lifecycle
        .endUploadsTo(roomId, userId)
        .catch((err: unknown) =>
          this.log.error({ err, room: roomId, user: userId }, 'discarding uploads to a room failed'),
        );
    };
  }

  /** Uploads with their partial file open (each holds a file descriptor). */
  get openCount(): number {
    return this.lifecycle.uploads.size;
  }

  /** `upload`: where to start or resume, or a finished upload's announcement again (UploadStarter.start). */
  start(
    session: Session,
    holder: UploadHolder,
    request: { receiver: string; name: string; size: number; sha256: string },
    clientRef: string | null,
  ): Promise<Started | Repeated> {
    return this.starter.start(session, holder, request, clientRef);
  }

  /** `chunk`: appends the bytes; the last one checks the SHA-256 and announces the file (ChunkReceiver.chunk). */
  chunk(session: Session, holder: UploadHolder, fileId: number, offset: number, data: Buffer): Promise<Accepted> {
    return this.chunks.chunk(session, holder, fileId, offset, data);
  }

  /** Closes the uploads a connection holds (it closed); they resume from their partial files (issue #11.7). */
  async release(holder: UploadHolder): Promise<void> {
    for (const upload of this.lifecycle.uploads.heldBy(holder)) await this.lifecycle.closeInTurn(upload);
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

  /** Deletes expired files and abandoned uploads; how many (FileExpiry.expire). `now` in ms, the domain clock's by default. */
  expire(now?: number): Promise<number> {
    return this.expiry.expire(now);
  }

  /** Closes every open upload (shutdown); they resume from their partial files. */
  async close(): Promise<void> {
    for (const upload of this.lifecycle.uploads.all()) await this.lifecycle.closeInTurn(upload);
    await this.blobs.close();
  }
}
