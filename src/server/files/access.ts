/**
 * Who may see a file (issue #5): the sender and the recipient of a private file; the members of a
 * room for a room's. Anyone else's private file does not exist as far as they can tell. And to whom
 * one may send a file: a user, or a room one is a member of.
 */
import { ChatError } from '../../protocol/errors.js';
import { EVERYONE, nameKey } from '../../protocol/names.js';
import type { Chat } from '../chat/chat.js';
import type { Session } from '../chat/session.js';
import type { FileRecord } from '../store/store.js';

/** Throws no_such_file or not_a_member unless `session` may list and fetch `file`. */
export function assertMaySee(
  chat: Chat,
  session: Session,
  file: FileRecord | undefined,
  fileId: number,
): asserts file is FileRecord {
  if (!file || file.completedAt === null) throw noSuchFile(fileId);
  if (file.kind === 'private') {
    if (file.senderId !== session.userId && file.receiverId !== session.userId) throw noSuchFile(fileId);
    return;
  }
  const room = chat.rooms.get(nameKey(file.receiver));
  // A room deleted (and perhaps made again under its name) takes its files with it.
  if (!room || room.id !== file.convId) throw noSuchFile(fileId);
  if (!room.has(session.userId))
    throw new ChatError('not_a_member', `file ${fileId} belongs to ${room.name}; only its members may fetch it`);
}

export function noSuchFile(fileId: number): ChatError {
  return new ChatError('no_such_file', `there is no file ${fileId} for you (it may have expired)`);
}

/** Where an upload from `session` to `receiver` goes. Throws bad_request, not_a_member, no_such_user. */
export async function uploadTarget(
  chat: Chat,
  session: Session,
  receiver: string,
): Promise<Pick<FileRecord, 'convId' | 'kind' | 'receiverId' | 'receiver'>> {
  const key = nameKey(receiver);
  if (key === EVERYONE) throw new ChatError('bad_request', 'upload: files go to a user or a room, not to everyone');
  const room = chat.rooms.get(key);
  if (room) {
    if (!room.has(session.userId))
      throw new ChatError('not_a_member', `you are not a member of ${room.name}; join it first`);
    return { convId: room.id, kind: 'group', receiverId: null, receiver: room.name };
  }
  if (key === session.key) throw new ChatError('bad_request', 'upload: you cannot send a file to yourself');
  const online = chat.presence.byName(key);
  const user = online ? { id: online.userId, name: online.name } : await chat.store.findUser(key);
  if (!user) throw new ChatError('no_such_user', `there is no user or room named ${receiver}`);
  const conv = await chat.privateConversation(session.userId, user.id);
  return { convId: conv.id, kind: 'private', receiverId: user.id, receiver: user.name };
}
