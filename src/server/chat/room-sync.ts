/**
 * Making a room in memory what the store holds (#15): a room changed on another node, or every room after
 * a database outage. Applied in place, to the Room objects already here: a request under way holds them
 * (a join waiting for its commit checks that its room is still the one in `chat.rooms`), and a session's
 * links to its rooms stay what they are where nothing changed.
 */
import type { StoredRoom } from '../store/store.js';
import type { Chat } from './chat.js';
import { Room } from './room.js';

/** Makes room `id` in memory what `stored` says (undefined: the store has no such room). */
export function applyStoredRoom(chat: Chat, id: number, stored: StoredRoom | undefined): void {
  const rooms = chat.rooms;
  const held = rooms.byId(id);
  if (stored === undefined) {
    if (held) forgetRoom(chat, held);
    return;
  }
  // The store gives the name to this id: a room of that name with another id was deleted since.
  const namesake = rooms.get(stored.key);
  if (namesake && namesake.id !== id) forgetRoom(chat, namesake);
  let room = held;
  if (room === undefined) {
    room = new Room(stored.id, stored.name, stored.key, stored.ownerId);
    rooms.add(room);
  }
  room.ownerId = stored.ownerId;
  const stays = new Set(stored.members.map((m) => m.userId));
  for (const userId of [...room.members.keys()]) {
    if (stays.has(userId)) continue;
    rooms.part(room, userId, chat.presence.byUser(userId));
    // What depended on the membership ends with it (issue #11.16).
    chat.onRoomExit(room.id, userId);
  }
  for (const { userId, name, key } of stored.members)
    if (!room.has(userId)) rooms.join(room, { userId, name, key }, chat.presence.byUser(userId));
}

/** Drops a room deleted elsewhere from memory; its online members here are unlinked from it. */
export function forgetRoom(chat: Chat, room: Room): void {
  for (const member of room.online) member.parted(room);
  room.online.clear();
  chat.rooms.delete(room);
  chat.onRoomExit(room.id, null);
}
