/**
 * Rooms: creating (optionally with members), joining and leaving. Membership lasts across disconnects
 * and restarts; the room is deleted when its last member leaves (issue #2). Each change is a system
 * message in the room's history, so a member who was offline is told of it at login.
 */
import { ChatError } from '../../protocol/errors.js';
import { isValidName, nameKey, reservedNameText } from '../../protocol/names.js';
import type { StoredMessage } from '../store/store.js';
import type { Chat } from './chat.js';
import { encodeMessage } from './encode.js';
import { Room, type Member } from './room.js';
import type { Session } from './session.js';

export interface Created {
  room: Room;
  message: StoredMessage;
}

/** Creates a room with the creator and `memberNames` as members. Throws invalid_name, room_exists, name_taken, no_such_user. */
export async function createRoom(
  chat: Chat,
  session: Session,
  name: string,
  memberNames: readonly string[],
): Promise<Created> {
  if (!isValidName(name)) {
    throw new ChatError(
      'invalid_name',
      reservedNameText(name, 'room name') ??
        `"${name}" is not a valid room name: 1-32 letters, digits, ".", "_" or "-"`,
    );
  }
  const key = nameKey(name);
  assertRoomNameFree(chat, key);
  if (chat.presence.byName(key) || (await chat.store.findUser(key))) {
    throw new ChatError('name_taken', `${name} is a user's name; rooms and users share names`);
  }
  const members = await resolveMembers(chat, session, memberNames);
  assertRoomNameFree(chat, key); // another create may have won while we looked users up

  const room = new Room(chat.newConversationId(), name, key, 0, session.userId);
  const now = chat.now();
  chat.store.insertConversation({ id: room.id, kind: 'room', key, name }, session.userId, now);
  chat.rooms.add(room);
  const others = members.map((m) => m.name);
  const text =
    others.length > 0 ? `${session.name} created ${name} with ${others.join(', ')}` : `${session.name} created ${name}`;
  const message = chat.record(room, 'system', session, name, text, 'created');
  // The creator has seen the event; the members added have not (an offline one gets it at login).
  addMember(chat, room, { userId: session.userId, name: session.name, key: session.key }, message.seq, now);
  for (const member of members) addMember(chat, room, member, message.seq - 1, now);
  tellOthers(room, session, message);
  return { room, message };
}

/** Joins an existing room. Throws no_such_room, already_a_member. */
export function joinRoom(chat: Chat, session: Session, name: string): { room: Room; message: StoredMessage } {
  const room = chat.rooms.get(nameKey(name));
  if (!room) throw new ChatError('no_such_room', `there is no room named ${name}; create it with "create"`);
  if (room.has(session.userId)) throw new ChatError('already_a_member', `you are already a member of ${room.name}`);
  const message = chat.record(room, 'system', session, room.name, `${session.name} joined ${room.name}`, 'join');
  addMember(chat, room, { userId: session.userId, name: session.name, key: session.key }, message.seq, chat.now());
  tellOthers(room, session, message);
  return { room, message };
}

/** Leaves a room; the last member to leave deletes it. Throws no_such_room, not_a_member. */
export function leaveRoom(chat: Chat, session: Session, name: string): { room: Room; deleted: boolean } {
  const room = findRoom(chat, name);
  if (!room.has(session.userId)) throw new ChatError('not_a_member', `you are not a member of ${room.name}`);
  const deleted = removeMember(chat, room, session.userId, (heir) =>
    chat.record(room, 'system', session, room.name, `${session.name} left ${room.name}${heir}`, 'leave'),
  );
  return { room, deleted };
}

/** The room named `name`. Throws no_such_room. */
export function findRoom(chat: Chat, name: string): Room {
  const room = chat.rooms.get(nameKey(name));
  if (!room) throw new ChatError('no_such_room', `there is no room named ${name}`);
  return room;
}

/**
 * Takes a member out of a room (leave, kick) and records the event with `record`, which is given the
 * text to append when ownership passed on ('' otherwise); the remaining members are told. The last
 * member out deletes the room. Returns true when it was deleted.
 */
export function removeMember(
  chat: Chat,
  room: Room,
  userId: number,
  record: (heirNote: string) => StoredMessage,
): boolean {
  const session = chat.presence.byUser(userId);
  chat.rooms.part(room, userId, session);
  if (room.members.size === 0) {
    deleteRoom(chat, room);
    chat.log.info({ room: room.name }, 'room deleted: its last member left');
    return true;
  }
  chat.store.deleteMember(room.id, userId);
  chat.onRoomExit(room.id, userId);
  const heir = room.ownerId === userId ? passOwnership(chat, room) : undefined;
  const message = record(heir ? `; ${heir.name} owns it now` : '');
  tellOthers(room, session, message);
  return false;
}

/**
 * Issue #11.13: an owner who left (or was kicked) kept the right to kick and delete. The room passes to
 * its longest-standing member (`members` keeps join order), so it always has an owner who is in it.
 */
function passOwnership(chat: Chat, room: Room): Member {
  const heir = room.members.values().next().value as Member;
  room.ownerId = heir.userId;
  chat.store.setRoomOwner(room.id, heir.userId);
  chat.log.info({ room: room.name, owner: heir.name }, 'room ownership passed on');
  return heir;
}

/** Deletes a room with its history; members still in it (online) are unlinked from it. */
export function deleteRoom(chat: Chat, room: Room): void {
  for (const member of room.online) member.parted(room);
  room.online.clear();
  chat.saveCounters();
  chat.store.deleteConversation(room.id);
  chat.requestCommit();
  chat.rooms.delete(room);
  chat.onRoomExit(room.id, null);
}

function addMember(chat: Chat, room: Room, member: Member, cursor: number, now: string): void {
  chat.store.insertMember(room.id, member.userId, cursor, now);
  chat.rooms.join(room, member, chat.presence.byUser(member.userId));
}

function assertRoomNameFree(chat: Chat, key: string): void {
  const existing = chat.rooms.get(key);
  if (existing) throw new ChatError('room_exists', `a room named ${existing.name} already exists; join it`);
}

/** Looks up every name (skipping the creator and repeats); throws no_such_user for the first unknown one. */
async function resolveMembers(chat: Chat, session: Session, names: readonly string[]): Promise<Member[]> {
  const found = new Map<string, Member>();
  for (const name of names) {
    const key = nameKey(name);
    if (key === session.key || found.has(key)) continue;
    const online = chat.presence.byName(key);
    const user = online ? { id: online.userId, name: online.name, key } : await chat.store.findUser(key);
    if (!user) throw new ChatError('no_such_user', `there is no user named ${name}; the room was not created`);
    found.set(key, { userId: user.id, name: user.name, key });
  }
  return [...found.values()];
}

function tellOthers(room: Room, session: Session | undefined, message: StoredMessage): void {
  const bytes = encodeMessage(message);
  for (const member of room.online) if (member !== session) member.deliver(bytes, message.id);
}
