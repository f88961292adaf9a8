/**
 * Moderation (issue #4): an admin (the instructor) may kick anyone off the server, mute them for a
 * time and delete any room; a room's owner (its creator, then whoever it passed to when the owner left:
 * issue #11.13) may kick from it and delete it. Every action
 * is logged with who did it.
 */
import { ChatError } from '../../protocol/errors.js';
import { nameKey } from '../../protocol/names.js';
import type { SystemEvent } from '../../protocol/wire.js';
import type { StoredMessage } from '../store/store.js';
import type { Chat } from './chat.js';
import { encodeMessage, encodeSystemEvent } from './encode.js';
import { deleteRoom, findRoom, removeMember } from './membership.js';
import type { Room } from './room.js';
import type { Session } from './session.js';

function assertAdmin(session: Session, what: string): void {
  if (session.role !== 'admin') throw new ChatError('forbidden', `only an admin may ${what}`);
}

/** Issue #11.13: the owner must still be a member (ownership passes on when they leave). */
function assertOwnerOrAdmin(session: Session, room: Room, what: string): void {
  const owns = room.ownerId === session.userId && room.has(session.userId);
  if (session.role !== 'admin' && !owns)
    throw new ChatError('forbidden', `only ${room.name}'s owner or an admin may ${what}`);
}

const because = (reason: string | undefined) => (reason ? `: ${reason}` : '');

/** Closes a user's connection. Admin only. Throws forbidden, no_such_user (not online). */
export function kickUser(chat: Chat, actor: Session, name: string, reason?: string): void {
  assertAdmin(actor, 'kick a user off the server');
  const key = nameKey(name);
  const text = `${actor.name} removed you from the server${because(reason)}`;
  const target = chat.presence.byName(key);
  // #15: online on another node, that node closes it.
  const elsewhere = target ? undefined : chat.elsewhere.byName(key);
  if (elsewhere && chat.clusterModeration) {
    chat.log.warn({ by: actor.name, user: elsewhere.name, node: elsewhere.node, reason }, 'kicked');
    chat.clusterModeration.kick(elsewhere.userId, text);
    return;
  }
  if (!target) throw new ChatError('no_such_user', `${name} is not online`);
  chat.log.warn({ by: actor.name, user: target.name, reason }, 'kicked');
  target.close('kicked', text);
}

/**
 * Takes a member out of a room. The owner or an admin. Throws no_such_room, forbidden, not_a_member.
 * A promise when the event waits for its commit (#15).
 */
export function kickFromRoom(
  chat: Chat,
  actor: Session,
  roomName: string,
  name: string,
  reason?: string,
): void | Promise<void> {
  const room = findRoom(chat, roomName);
  assertOwnerOrAdmin(actor, room, 'kick from it');
  const member = room.members.get(memberId(room, name) ?? -1);
  if (!member) throw new ChatError('not_a_member', `${name} is not a member of ${room.name}`);
  const text = `${member.name} was removed from ${room.name} by ${actor.name}${because(reason)}`;
  // The one removed is told too (live); the others get it from the room's history as well.
  const tellTarget = (recorded: StoredMessage) => {
    // Online when the event is stored (#15: after its commit, when that waits).
    const target = chat.presence.byUser(member.userId);
    if (!target || target === actor) return;
    if (target.catchUp === null) target.deliver(encodeMessage(recorded), recorded.id);
    // Behind (issue #11.11): its chat waits in the store, and catch-up skips a room it is no longer
    // in, so it is told now, as an event without a msgid (a msgid above what it is still owed would
    // make its client's `since` skip those).
    else
      target.deliver(
        encodeSystemEvent({
          status: 'system',
          event: 'kicked',
          sender: actor.name,
          receiver: room.name,
          text: recorded.text,
          ts: recorded.ts,
        }),
      );
  };
  const deleted = removeMember(
    chat,
    room,
    member.userId,
    (heirNote) => ({ kind: 'system', event: 'kicked', author: actor, receiver: room.name, text: text + heirNote }),
    tellTarget,
  );
  const logKick = (wasDeleted: boolean) =>
    chat.log.warn(
      { by: actor.name, user: member.name, room: room.name, deleted: wasDeleted, reason },
      'kicked from room',
    );
  if (deleted instanceof Promise) return deleted.then(logKick);
  logKick(deleted);
}

/** Deletes a room and its history; online members are told. The owner or an admin. */
export function removeRoom(chat: Chat, actor: Session, roomName: string): Room {
  const room = findRoom(chat, roomName);
  assertOwnerOrAdmin(actor, room, 'delete it');
  const told: SystemEvent = {
    status: 'system',
    event: 'deleted',
    sender: actor.name,
    receiver: room.name,
    text: `${actor.name} deleted ${room.name}`,
    ts: chat.now(),
  };
  const bytes = encodeSystemEvent(told);
  for (const member of room.online) if (member !== actor) member.deliver(bytes);
  deleteRoom(chat, room, told);
  chat.log.warn({ by: actor.name, room: room.name }, 'room deleted');
  return room;
}

/**
 * Mutes a user (online or not) for `seconds`; 0 lifts a mute. Admin only. Throws forbidden, no_such_user.
 * `undo` puts the online target's mute back as it was, for a commit that does not reach the database (#15).
 */
export async function muteUser(
  chat: Chat,
  actor: Session,
  name: string,
  seconds: number,
  reason?: string,
): Promise<{ name: string; until: string | null; undo: () => void }> {
  assertAdmin(actor, 'mute a user');
  const key = nameKey(name);
  const online = chat.presence.byName(key);
  const user = online ? { id: online.userId, name: online.name } : await chat.store.findUser(key);
  if (!user) throw new ChatError('no_such_user', `there is no user named ${name}`);
  const until = seconds > 0 ? new Date(chat.nowMs() + seconds * 1000).toISOString() : null;
  chat.store.setMutedUntil(user.id, until);
  chat.requestCommit();
  const target = chat.presence.byUser(user.id);
  const before = target?.mutedUntil;
  const undo = () => {
    if (target !== undefined && before !== undefined) target.mutedUntil = before;
  };
  const mutedUntil = until === null ? 0 : Date.parse(until);
  const told: SystemEvent = {
    status: 'system',
    event: 'muted',
    sender: actor.name,
    receiver: user.name,
    text:
      until === null ? `${actor.name} lifted your mute` : `${actor.name} muted you for ${seconds} s${because(reason)}`,
    ts: chat.now(),
  };
  if (target) {
    target.mutedUntil = mutedUntil;
    target.deliver(encodeSystemEvent(told));
  } else {
    // #15: a session on another node is muted (or freed) by that node; one logging in reads the store.
    chat.clusterModeration?.mute(user.id, mutedUntil, told);
  }
  chat.log.warn({ by: actor.name, user: user.name, seconds, reason }, until === null ? 'unmuted' : 'muted');
  return { name: user.name, until, undo };
}

function memberId(room: Room, name: string): number | undefined {
  const key = nameKey(name);
  for (const member of room.members.values()) if (member.key === key) return member.userId;
  return undefined;
}
