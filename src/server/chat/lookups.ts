/**
 * Read-only questions: who is online, every known user, which rooms exist, a room's members, a
 * conversation's history.
 */
import { ChatError } from '../../protocol/errors.js';
import type { KnownUser, MemberSummary, ReplyFields, RoomSummary } from '../../protocol/messages.js';
import { EVERYONE, nameKey } from '../../protocol/names.js';
import type { Chat } from './chat.js';
import { toWire } from './encode.js';
import type { Conversation, Room } from './room.js';
import type { Session } from './session.js';

/** Where a listing page starts and how long it is (issue #11.6: every listing is read by pages). */
export interface PageQuery {
  /** The name key the previous page ended with (its `next`); the first page without it. */
  after?: string | undefined;
  limit: number;
}

/**
 * A page of the users online on every node (#15: this node's sessions and the others' as they told it),
 * by name key; `total` is how many are online in all.
 */
export function whoIsOnline(chat: Chat, query: PageQuery): { users: string[]; total: number; next?: string } {
  const here = chat.presence.page(query.after, query.limit);
  const there = chat.elsewhere.page(query.after, query.limit);
  // Two sorted pages merged: the first `limit` of both are the first `limit` of all.
  const merged = new Map<string, string>();
  for (const s of here.items) merged.set(s.key, s.name);
  for (const u of there.items) if (!merged.has(u.key)) merged.set(u.key, u.name);
  const keys = [...merged.keys()].sort().slice(0, query.limit);
  const more = here.next !== undefined || there.next !== undefined || merged.size > keys.length;
  return {
    users: keys.map((key) => merged.get(key)!),
    total: chat.presence.size + chat.elsewhere.size,
    ...(more && keys.length > 0 ? { next: keys[keys.length - 1]! } : {}),
  };
}

/** True when the user is online on this node or another (#15). */
export function isOnline(chat: Chat, userId: number): boolean {
  return chat.presence.byUser(userId) !== undefined || chat.elsewhere.byUser(userId) !== undefined;
}

/**
 * A page of every known user, online or not, by name key (issue #12.5); `admin` only on admins, so a page
 * of a large class stays small. Read from the store's index on
 * the name key, not kept in memory: users also come and go by `classchat admin` while the server runs.
 * One more row than the page is read to know whether a next page exists.
 */
export async function listUsers(chat: Chat, query: PageQuery): Promise<ReplyFields['users']> {
  const rows = await chat.store.usersAfter(query.after ?? '', query.limit + 1);
  const page = rows.slice(0, query.limit);
  const users = page.map((u): KnownUser => ({
    name: u.name,
    online: chat.presence.byName(u.key) !== undefined || chat.elsewhere.byName(u.key) !== undefined,
    ...(u.role === 'admin' ? { admin: true as const } : {}),
  }));
  return { users, ...(rows.length > query.limit ? { next: page[page.length - 1]!.key } : {}) };
}

/** A page of the rooms, by name key, with their member and online counts. */
export function listRooms(chat: Chat, query: PageQuery): ReplyFields['rooms'] {
  const page = chat.rooms.page(query.after, query.limit);
  const rooms = page.items.map((room): RoomSummary => ({
    name: room.name,
    members: room.members.size,
    online: room.online.size + onlineElsewhere(chat, room),
  }));
  return { rooms, ...(page.next !== undefined ? { next: page.next } : {}) };
}

/** How many of a room's members are online on other nodes (#15); no walk over members on a server alone. */
function onlineElsewhere(chat: Chat, room: Room): number {
  if (chat.elsewhere.size === 0) return 0;
  let count = 0;
  for (const userId of room.members.keys()) if (chat.elsewhere.byUser(userId)) count++;
  return count;
}

/** A page of a room's members, by name key, with who is online. Throws no_such_room. */
export function listMembers(
  chat: Chat,
  roomName: string,
  query: PageQuery,
): { room: string; members: MemberSummary[]; next?: string } {
  const room = chat.rooms.get(nameKey(roomName));
  if (!room) throw new ChatError('no_such_room', `there is no room named ${roomName}`);
  const page = room.membersByKey.page(query.after, query.limit);
  const members = page.items.map((m) => ({ name: m.name, online: isOnline(chat, m.userId) }));
  return { room: room.name, members, ...(page.next !== undefined ? { next: page.next } : {}) };
}

/**
 * A page of history, as the `history` reply carries it: `receiver` is the conversation as the client
 * should name it next time; `more`, the page was cut by the count or byte limit (there may be more in the
 * direction read).
 */
export type HistoryPage = ReplyFields['history'];

/** A history page stays below this many bytes of message text (the count limit alone allows ~20 MB). */
export const HISTORY_PAGE_BYTES = 512 * 1024;

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
    if (!room.has(session.userId))
      throw new ChatError('not_a_member', `only members of ${room.name} may read its history`);
    conv = room;
    name = room.name;
  } else {
    const online = chat.presence.byName(key);
    const user = online ? { id: online.userId, name: online.name } : await chat.store.findUser(key);
    if (!user) throw new ChatError('no_such_user', `there is no user or room named ${receiver}`);
    if (user.id === session.userId)
      throw new ChatError('bad_request', 'a private conversation is between two users; name the other one');
    conv = await chat.findPrivate(session.userId, user.id);
    name = user.name;
  }
  const rows = conv ? await chat.store.history(conv.id, query) : [];
  // Walking forward (after) keeps the oldest of the page; otherwise the newest, nearest `before`.
  const forward = query.after !== undefined;
  let bytes = 0;
  let kept = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[forward ? i : rows.length - 1 - i]!;
    bytes += Buffer.byteLength(JSON.stringify(row.text)) + 128; // the escaped text plus the other fields
    if (bytes > HISTORY_PAGE_BYTES && kept > 0) break;
    kept++;
  }
  const page = forward ? rows.slice(0, kept) : rows.slice(rows.length - kept);
  return { receiver: name, messages: page.map(toWire), more: kept < rows.length || rows.length === query.limit };
}
