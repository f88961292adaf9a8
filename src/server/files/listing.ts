/** What the `files` command shows (issue #5): the finished files of a conversation, or of all of a user's. */
import { ChatError } from '../../protocol/errors.js';
import { nameKey } from '../../protocol/names.js';
import type { FileInfo } from '../../protocol/messages.js';
import type { Chat } from '../chat/chat.js';
import type { Session } from '../chat/session.js';
import type { FileRecord } from '../store/store.js';

/** Most files in one `files` reply. */
const LIST_LIMIT = 100;
const DAY_MS = 24 * 3_600_000;

/** How `files` shows a file: its expiry is `retentionDays` after it was uploaded. */
export function toListing(f: FileRecord, retentionDays: number): FileInfo {
  return {
    file: f.id,
    name: f.name,
    size: f.size,
    sha256: f.sha256,
    sender: f.sender,
    receiver: f.receiver,
    ts: f.completedAt ?? f.createdAt,
    expires: new Date(Date.parse(f.createdAt) + retentionDays * DAY_MS).toISOString(),
  };
}

/** `files`: the finished files of one conversation, or of all of the user's (the newest LIST_LIMIT). */
export async function listFiles(
  chat: Chat,
  session: Session,
  receiver: string | undefined,
  retentionDays: number,
): Promise<FileInfo[]> {
  if (receiver === undefined)
    return (await chat.store.filesOf(session.userId, LIST_LIMIT)).map((f) => toListing(f, retentionDays));
  const key = nameKey(receiver);
  const room = chat.rooms.get(key);
  if (room) {
    if (!room.has(session.userId)) throw new ChatError('not_a_member', `you are not a member of ${room.name}`);
    return (await chat.store.filesIn(room.id, LIST_LIMIT)).map((f) => toListing(f, retentionDays));
  }
  const user = await chat.store.findUser(key);
  if (!user) throw new ChatError('no_such_user', `there is no user or room named ${receiver}`);
  const conv = await chat.findPrivate(session.userId, user.id);
  return conv ? (await chat.store.filesIn(conv.id, LIST_LIMIT)).map((f) => toListing(f, retentionDays)) : [];
}
