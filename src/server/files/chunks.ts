/**
 * The chunks of an upload (issue #5): each is appended if it is where the upload stands, one at a time
 * in the upload's turn; with the last one the SHA-256 is checked, and a match makes the file permanent
 * and announces it with an ordinary chat message (carrying `file`), while a mismatch discards it.
 */
import type { Logger } from 'pino';
import { ChatError } from '../../protocol/errors.js';
import { formatBytes } from '../../protocol/file-names.js';
import type { Chat } from '../chat/chat.js';
import { sendGroup, sendPrivate, type Sent } from '../chat/messaging.js';
import type { Session } from '../chat/session.js';
import type { Blobs } from './blobs.js';
import { noSuchUpload, whyEnded } from './ended-uploads.js';
import type { UploadHolder } from './open-uploads.js';
import type { Upload } from './upload.js';
import type { UploadLifecycle } from './upload-lifecycle.js';

/** Times a chunk looks an upload up again after it was closed under it (idle, reconnect) before giving up. */
const CHUNK_ATTEMPTS = 3;

/** The reply to a chunk: where the upload stands, and the announcement once it is done. */
export interface Accepted {
  offset: number;
  sent?: Sent;
}

/** Applies chunks to open uploads and finishes an upload with its last. */
export class ChunkReceiver {
  constructor(
    private readonly chat: Chat,
    private readonly blobs: Blobs,
    private readonly lifecycle: UploadLifecycle,
    private readonly log: Logger,
  ) {}

  /**
   * `chunk`: appends the bytes if they are where the upload stands. With the last one the SHA-256 is
   * checked: a match makes the file permanent and announces it; a mismatch discards it (corrupt).
   */
  async chunk(session: Session, holder: UploadHolder, fileId: number, offset: number, data: Buffer): Promise<Accepted> {
    for (let attempt = 1; ; attempt++) {
      const upload = this.lifecycle.uploads.get(fileId) ?? (await this.reopen(session, holder, fileId));
      if (upload.file.senderId !== session.userId) throw noSuchUpload(fileId);
      const accepted = await upload.serial(() => this.applyChunk(session, holder, upload, offset, data));
      if (accepted) return accepted;
      // Closed while this chunk waited (idle, or its connection went): look it up again.
      if (attempt === CHUNK_ATTEMPTS)
        throw new Error(`upload ${fileId} was closed ${attempt} times while a chunk waited`);
    }
  }

  /** An upload that is not open, opened for its sender's chunk. Throws no_such_file (or why the server ended it). */
  private async reopen(session: Session, holder: UploadHolder, fileId: number): Promise<Upload> {
    const ended = await this.lifecycle.ended.refusal(fileId, session.userId);
    if (ended) throw ended;
    const file = await this.chat.store.findFile(fileId);
    if (!file || file.senderId !== session.userId || file.completedAt !== null) {
      throw (await this.lifecycle.ended.refusal(fileId, session.userId)) ?? noSuchUpload(fileId);
    }
    return this.lifecycle.open(file, holder);
  }

  /** One chunk, run in the upload's turn; undefined when the upload was closed while the chunk waited. */
  private async applyChunk(
    session: Session,
    holder: UploadHolder,
    current: Upload,
    offset: number,
    data: Buffer,
  ): Promise<Accepted | undefined> {
    if (this.lifecycle.uploads.get(current.file.id) !== current) return undefined;
    this.lifecycle.uploads.hand(current, holder);
    const left = whyEnded(this.chat, session, current.file);
    if (left) {
      // Issue #11.16: never completed (nor announced) to a room its sender is no longer in.
      await this.lifecycle.discard(current.file, left, current);
      throw left;
    }
    if (data.length === 0 && offset !== current.file.size) throw new ChatError('bad_request', 'chunk: "data" is empty');
    try {
      await current.append(offset, data);
    } catch (err) {
      if (!(err instanceof ChatError)) await this.lifecycle.closeNow(current); // a failed write: the next resume starts from what is stored
      throw err;
    }
    if (!current.complete) {
      if (holder.closed) await this.lifecycle.closeNow(current); // its connection went while it wrote: Files.release() has run already
      return { offset: current.received };
    }
    return { offset: current.received, sent: await this.finish(session, current) };
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
        await upload.writer.close();
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
      await upload.writer.finish(file.sha256);
      // Issue #11.16: the sender may have left the room while the file was flushed; checked with no
      // await between here and the announcement.
      const ended = whyEnded(this.chat, session, file);
      if (ended) {
        this.chat.store.deleteFile(file.id);
        this.chat.requestCommit();
        this.lifecycle.ended.remember(file, ended)();
        if (!(await this.chat.store.sha256InUse(file.sha256))) await this.blobs.removeBlob(file.sha256);
        throw ended;
      }
      this.chat.store.completeFile(file.id, this.chat.now());
      const text = `${session.name} sent ${file.name} (${formatBytes(file.size)}) [id ${file.id}] - /get ${file.id}`;
      const announced =
        file.kind === 'group'
          ? sendGroup(this.chat, session, file.receiver, text, null, file.id)
          : sendPrivate(this.chat, session, file.receiver, text, null, file.id);
      const sent = announced instanceof Promise ? await announced : announced;
      this.log.info({ file: file.id, user: session.name, to: file.receiver, size: file.size }, 'upload finished');
      return sent;
    } finally {
      this.lifecycle.uploads.remove(upload);
      upload.stopIdleTimer();
      // Closed already unless something above failed; closing twice is harmless.
      await upload.writer
        .close()
        .catch((err: unknown) => this.log.warn({ err, file: file.id }, 'closing an upload failed'));
    }
  }
}
