/**
 * Who may see a file (issue #5): the sender and the recipient of a private file; the members of a
 * room for a room's. Anyone else's private file does not exist as far as they can tell.
 */
import { ChatError } from '../../protocol/errors.js';
import { nameKey } from '../../protocol/names.js';
import type { Chat } from '../chat/chat.js';
import type { Session } from '../chat/session.js';
import type { FileRecord } from '../store/store.js';

/** Throws no_such_file or not_a_member unless `session` may list and fetch `file`. */
export function assertMaySee(chat: Chat, session: Session, file: FileRecord | undefined, fileId: number): asserts file is FileRecord {
  if (!file || file.completedAt === null) throw noSuchFile(fileId);
  if (file.kind === 'private') {
    if (file.senderId !== session.userId && file.receiverId !== session.userId) throw noSuchFile(fileId);
    return;
  }
  const room = chat.rooms.get(nameKey(file.receiver));
  // A room deleted (and perhaps made again under its name) takes its files with it.
  if (!room || room.id !== file.convId) throw noSuchFile(fileId);
  if (!room.has(session.userId)) throw new ChatError('not_a_member', `file ${fileId} belongs to ${room.name}; only its members may fetch it`);
}

export function noSuchFile(fileId: number): ChatError {
  return new ChatError('no_such_file', `there is no file ${fileId} for you (it may have expired)`);
}
