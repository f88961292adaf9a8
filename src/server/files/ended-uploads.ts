/**
 * Uploads the server ended before they finished (issue #11.16: the sender left the room, was removed
 * from it, or it was deleted; issue #11.7: replaced at the per-user cap), and why. Their sender's
 * next chunk gets that reason rather than a bare no_such_file.
 */
import { ChatError } from '../../protocol/errors.js';
import { nameKey } from '../../protocol/names.js';
import type { Chat } from '../chat/chat.js';
import type { Session } from '../chat/session.js';
import type { FileRecord } from '../store/store.js';

/** Ended uploads remembered (the oldest are forgotten first; theirs is then a plain no_such_file). */
const REMEMBERED = 1024;

/** The reasons, by file id, bounded to the most recent REMEMBERED. */
export class EndedUploads {
  private readonly reasons = new Map<number, { senderId: number; error: ChatError; settled: Promise<void> }>();

  /**
   * Records that `file` is being ended for `why`; call the function returned once its bytes and row
   * are gone, so that a refusal (see `refusal`) is only sent when the discard is complete.
   */
  remember(file: FileRecord, why: ChatError): () => void {
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    this.reasons.delete(file.id);
    this.reasons.set(file.id, { senderId: file.senderId, error: why, settled });
    if (this.reasons.size > REMEMBERED) this.reasons.delete(this.reasons.keys().next().value!);
    return settle;
  }

  /** Why upload `fileId` was ended, whoever asks (for the server's own checks). */
  get(fileId: number): ChatError | undefined {
    return this.reasons.get(fileId)?.error;
  }

  /** Forgets an upload that finished after all (it was not ended). */
  forget(fileId: number): void {
    this.reasons.delete(fileId);
  }

  /** Why upload `fileId` of `senderId` was ended, once its discard is complete; undefined when unknown (or not theirs). */
  async refusal(fileId: number, senderId: number): Promise<ChatError | undefined> {
    const ended = this.reasons.get(fileId);
    if (!ended || ended.senderId !== senderId) return undefined;
    await ended.settled;
    return ended.error;
  }
}

/** Why the sender may no longer send this upload to its room (left, removed, room deleted); undefined while they may. */
export function whyEnded(chat: Chat, session: Session, file: FileRecord): ChatError | undefined {
  if (file.kind !== 'group') return undefined;
  const room = chat.rooms.get(nameKey(file.receiver));
  if (!room || room.id !== file.convId) return roomDeleted(file);
  return room.has(session.userId) ? undefined : leftRoom(file);
}

/** The sender left the room or was removed from it. */
export function leftRoom(file: FileRecord): ChatError {
  return new ChatError(
    'not_a_member',
    `you are no longer a member of ${file.receiver}; upload ${file.id} (${file.name}) was discarded`,
    { file: file.id },
  );
}

/** The room was deleted. */
export function roomDeleted(file: FileRecord): ChatError {
  return new ChatError('no_such_room', `${file.receiver} was deleted; upload ${file.id} (${file.name}) was discarded`, {
    file: file.id,
  });
}

/** Discarded at the per-user cap to make room for a newer upload (issue #11.7). */
export function replaced(file: FileRecord, max: number): ChatError {
  return new ChatError(
    'no_such_file',
    `upload ${file.id} (${file.name}) was discarded: it was idle and you started another (at most ${max} unfinished); send it again`,
    { file: file.id },
  );
}

/** A chunk for an upload that is not (or no longer) the sender's unfinished one. */
export function noSuchUpload(fileId: number): ChatError {
  return new ChatError('no_such_file', `there is no unfinished upload ${fileId} of yours; start it with "upload"`);
}
