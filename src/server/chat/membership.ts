/**
 * Rooms: creating (optionally with members), joining and leaving. Membership lasts across disconnects
 * and restarts; the room is deleted when its last member leaves (issue #2). Each change is a system
 * message in the room's history, so a member who was offline is told of it at login.
 */
import { ChatError } from '../../protocol/errors.js';
import { isValidName, nameKey, reservedNameText } from '../../protocol/names.js';
import type { SystemEvent } from '../../protocol/wire.js';
import { RoomGoneAfterChange } from '../cluster/unknown-room.js';
import type { StoredMessage } from '../store/store.js';
import type { Chat, Draft } from './chat.js';
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

  const creator: Member = { userId: session.userId, name: session.name, key: session.key };
  const everyone = [creator, ...members];
  const inserted = chat.store.insertConversation(
    { kind: 'room', key, name },
    session.userId,
    chat.now(),
    everyone.map((m) => m.userId),
  );
  chat.requestCommit();
  // #15: an asynchronous store tells the id after the commit. Two creates of one name (on two nodes,
  // or here while that commit ran) both reach the store: the second finds the room made.
  const { id, created } = inserted instanceof Promise ? await inserted : inserted;
  if (!created) throw roomExists(name);
  const room = new Room(id, name, key, session.userId);
  chat.rooms.add(room);
  for (const member of everyone) chat.rooms.join(room, member, chat.presence.byUser(member.userId));
  const others = members.map((m) => m.name);
  const text =
    others.length > 0 ? `${session.name} created ${name} with ${others.join(', ')}` : `${session.name} created ${name}`;
  // The members added are told; an offline one finds it at login (their cursor starts before it).
  const recorded = chat.record(room, { kind: 'system', event: 'created', author: session, receiver: name, text }, (m) =>
    tellOthers(room, session, m),
  );
  const message = recorded instanceof Promise ? await recorded : recorded;
  return { room, message };
}

export interface Joined {
  room: Room;
  message: StoredMessage;
}

/** Joins an existing room. Throws no_such_room, already_a_member. */
export function joinRoom(chat: Chat, session: Session, name: string): Joined | Promise<Joined> {
  const room = chat.rooms.get(nameKey(name));
  if (!room) throw new ChatError('no_such_room', `there is no room named ${name}; create it with "create"`);
  if (room.has(session.userId)) throw new ChatError('already_a_member', `you are already a member of ${room.name}`);
  const member: Member = { userId: session.userId, name: session.name, key: session.key };
  // A member from the join event on: the messages before it are not theirs, the ones after it all are.
  // #15: the membership row goes in the event's own transaction (a lost commit takes both or neither);
  // memory follows once it is committed, when the store makes that wait.
  chat.store.joinMember(room.id, member.userId, chat.now());
  const recorded = chat.record(
    room,
    {
      kind: 'system',
      event: 'join',
      author: session,
      receiver: room.name,
      text: `${session.name} joined ${room.name}`,
    },
    (message) => {
      if (chat.rooms.byId(room.id) !== room) return; // deleted meanwhile
      // #15: a read of this room from the store (another node changed it) may have made them a member
      // already; the others here are told of the join all the same: it is stored, and delivered once.
      if (!room.has(member.userId)) chat.rooms.join(room, member, chat.presence.byUser(member.userId));
      tellOthers(room, session, message);
    },
  );
  if (!(recorded instanceof Promise)) return { room, message: recorded };
  return recorded.then((message) => {
    // The join is stored: not an error to run again (retryUnknownRoom), whatever became of the room.
    if (!room.has(member.userId)) throw new RoomGoneAfterChange(`${room.name} was deleted meanwhile`);
    return { room, message };
  });
}

export interface Left {
  room: Room;
  deleted: boolean;
}

/** Leaves a room; the last member to leave deletes it. Throws no_such_room, not_a_member. */
export function leaveRoom(chat: Chat, session: Session, name: string): Left | Promise<Left> {
  const room = findRoom(chat, name);
  if (!room.has(session.userId)) throw new ChatError('not_a_member', `you are not a member of ${room.name}`);
  const deleted = removeMember(chat, room, session.userId, (heir) => ({
    kind: 'system',
    event: 'leave',
    author: session,
    receiver: room.name,
    text: `${session.name} left ${room.name}${heir}`,
  }));
  if (deleted instanceof Promise) return deleted.then((d) => ({ room, deleted: d }));
  return { room, deleted };
}

/** The room named `name`. Throws no_such_room. */
export function findRoom(chat: Chat, name: string): Room {
  const room = chat.rooms.get(nameKey(name));
  if (!room) throw new ChatError('no_such_room', `there is no room named ${name}`);
  return room;
}

/**
 * Takes a member out of a room (leave, kick) and records the event that `describe` gives, which is told
 * the text to append when ownership passed on ('' otherwise); the remaining members are told, and
 * `alsoTell` (the one removed, for a kick) once it is stored. The last member out deletes the room,
 * without an event. Returns true when it was deleted (a promise when the event waits for its commit).
 */
export function removeMember(
  chat: Chat,
  room: Room,
  userId: number,
  describe: (heirNote: string) => Draft,
  alsoTell?: (message: StoredMessage) => void,
): boolean | Promise<boolean> {
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
  const recorded = chat.record(room, describe(heir ? `; ${heir.name} owns it now` : ''), (message) => {
    alsoTell?.(message);
    tellOthers(room, session, message);
  });
  return recorded instanceof Promise ? recorded.then(() => false) : false;
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

/**
 * Deletes a room with its history; members still in it (online) are unlinked from it. `told`: the event
 * its online members here were told, for those on other nodes (#15).
 */
export function deleteRoom(chat: Chat, room: Room, told?: SystemEvent): void {
  for (const member of room.online) member.parted(room);
  room.online.clear();
  chat.store.deleteConversation(room.id);
  chat.requestCommit();
  chat.rooms.delete(room);
  chat.onRoomExit(room.id, null);
  chat.onRoomDeleted(room.id, told);
}

function assertRoomNameFree(chat: Chat, key: string): void {
  const existing = chat.rooms.get(key);
  if (existing) throw roomExists(existing.name);
}

function roomExists(name: string): ChatError {
  return new ChatError('room_exists', `a room named ${name} already exists; join it`);
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
