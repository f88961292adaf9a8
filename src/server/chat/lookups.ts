/** Read-only questions: who is online, which rooms exist, a room's members, a conversation's history. */
import { ChatError } from '../../protocol/errors.js';
import { EVERYONE, nameKey } from '../../protocol/names.js';
import type { ChatMessage } from '../../protocol/wire.js';
import type { Chat } from './chat.js';
import { toWire } from './encode.js';
import type { Conversation } from './room.js';
import type { Session } from './session.js';

const byName = (a: string, b: string) => a.localeCompare(b, 'en', { sensitivity: 'base' });

/** Names of the users online, sorted. */
export function whoIsOnline(chat: Chat): string[] {
  return [...chat.presence.sessions()].map((s) => s.name).sort(byName);
}

export interface RoomSummary {
  name: string;
  members: number;
  online: number;
}

export function listRooms(chat: Chat): RoomSummary[] {
  return [...chat.rooms.all()]
    .map((room) => ({ name: room.name, members: room.members.size, online: room.online.size }))
    .sort((a, b) => byName(a.name, b.name));
}

/** A room's members with who is online. Throws no_such_room. */
export function listMembers(chat: Chat, roomName: string): { room: string; members: { name: string; online: boolean }[] } {
  const room = chat.rooms.get(nameKey(roomName));
  if (!room) throw new ChatError('no_such_room', `there is no room named ${roomName}`);
  const members = [...room.members.values()]
    .map((m) => ({ name: m.name, online: chat.presence.byUser(m.userId) !== undefined }))
    .sort((a, b) => byName(a.name, b.name));
  return { room: room.name, members };
}

export interface HistoryPage {
  /** The conversation, as the client should name it next time. */
  receiver: string;
  messages: ChatMessage[];
}

/**
 * A page of a conversation, oldest first: `receiver` is a room (members only), a user (the private
 * conversation with them) or `everyone`. Throws no_such_user, not_a_member.
 */
export async function history(
  chat: Chat,
  session: Session,
  receiver: string,
  query: { before?: number | undefined; after?: number | undefined; limit: number },
): Promise<HistoryPage> {
  const key = nameKey(receiver);
  let conv: Conversation | undefined;
  let name: string;
  const room = chat.rooms.get(key);
  if (key === EVERYONE) {
    conv = chat.everyone;
    name = EVERYONE;
  } else if (room) {
    if (!room.has(session.userId)) throw new ChatError('not_a_member', `only members of ${room.name} may read its history`);
    conv = room;
    name = room.name;
  } else {
    const online = chat.presence.byName(key);
    const user = online ? { id: online.userId, name: online.name } : await chat.store.findUser(key);
    if (!user) throw new ChatError('no_such_user', `there is no user or room named ${receiver}`);
    conv = user.id === session.userId ? undefined : await chat.findPrivate(session.userId, user.id);
    name = user.name;
  }
  const rows = conv ? await chat.store.history(conv.id, query) : [];
  return { receiver: name, messages: rows.map(toWire) };
}
