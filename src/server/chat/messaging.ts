/**
 * Sending chat messages: private (to a user, queued when they are offline), group (to a room's
 * members) and broadcast (to every user: those online now, the others at their next login). Each
 * message is stored once and its bytes are shared by every recipient. The fast paths stay
 * synchronous: a promise appears only when a read is needed, or when the store gives a message its id
 * only once its tick is committed (#15: PostgreSQL); then it is delivered and answered after that.
 */
import { ChatError } from '../../protocol/errors.js';
import { EVERYONE, nameKey } from '../../protocol/names.js';
import type { StoredMessage } from '../store/store.js';
import type { Chat } from './chat.js';
import { encodeMessage } from './encode.js';
import { isOnline } from './lookups.js';
import type { Conversation, Room } from './room.js';
import type { Session } from './session.js';

export interface Sent {
  message: StoredMessage;
  /** How many online recipients it was queued to. */
  delivered: number;
}

/** Throws too_large when `text` is over the limit (counted in UTF-8 bytes). */
export function assertTextSize(chat: Chat, text: string): void {
  const limit = chat.limits.maxTextBytes;
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short texts need no byte count.
  if (text.length * 3 > limit && Buffer.byteLength(text) > limit) {
    throw new ChatError('too_large', `a message text is at most ${limit} bytes`);
  }
}

/** Posts to a room. Throws no_such_room, not_a_member. */
export function sendGroup(
  chat: Chat,
  session: Session,
  roomName: string,
  text: string,
  clientRef: string | null = null,
  fileId: number | null = null,
): Sent | Promise<Sent> {
  assertTextSize(chat, text);
  const room = chat.rooms.get(nameKey(roomName));
  if (!room) throw new ChatError('no_such_room', `there is no room named ${roomName}`);
  if (!room.has(session.userId))
    throw new ChatError('not_a_member', `you are not a member of ${room.name}; join it first`);
  let delivered = 0;
  const recorded = chat.record(
    room,
    { kind: 'group', author: session, receiver: room.name, text, clientRef, fileId },
    // Whoever is online in the room once the message exists (#15: after its commit, when that waits).
    (message) => {
      delivered = deliverToRoom(room, session, message);
      logDelivery(chat, message, delivered);
    },
  );
  if (recorded instanceof Promise) return recorded.then((message) => ({ message, delivered }));
  return { message: recorded, delivered };
}

function deliverToRoom(room: Room, sender: Session, message: StoredMessage): number {
  const bytes = encodeMessage(message);
  let delivered = 0;
  for (const member of room.online) {
    if (member !== sender) {
      member.deliver(bytes, message.id);
      delivered++;
    }
  }
  return delivered;
}

/** Sends to every online user but the sender; stored in the `everyone` history. */
export function sendBroadcast(
  chat: Chat,
  session: Session,
  text: string,
  clientRef: string | null = null,
): Sent | Promise<Sent> {
  assertTextSize(chat, text);
  let delivered = 0;
  const recorded = chat.record(
    chat.everyone,
    { kind: 'broadcast', author: session, receiver: EVERYONE, text, clientRef },
    (message) => {
      const bytes = encodeMessage(message);
      for (const user of chat.presence.sessions()) {
        if (user !== session) {
          user.deliver(bytes, message.id);
          delivered++;
        }
      }
      // Users online on other nodes get it from theirs (#15): `delivered` counts everyone online.
      delivered += chat.elsewhere.size;
      logDelivery(chat, message, delivered);
    },
  );
  if (recorded instanceof Promise) return recorded.then((message) => ({ message, delivered }));
  return { message: recorded, delivered };
}

export interface SentPrivate extends Sent {
  /** True when the recipient was offline: the message waits for their next login. */
  queued: boolean;
}

/** Sends to one user, online or not. Throws no_such_user, bad_request (to yourself). */
export function sendPrivate(
  chat: Chat,
  session: Session,
  toName: string,
  text: string,
  clientRef: string | null = null,
  fileId: number | null = null,
): SentPrivate | Promise<SentPrivate> {
  assertTextSize(chat, text);
  const key = nameKey(toName);
  if (key === session.key) throw new ChatError('bad_request', 'you cannot send a private message to yourself');
  const online = chat.presence.byName(key);
  if (online) {
    const conv = chat.privateConversation(session.userId, online.userId);
    if (!(conv instanceof Promise))
      return deliverPrivate(chat, session, online.userId, online.name, conv, text, clientRef, fileId);
  }
  return sendPrivateSlow(chat, session, key, toName, text, clientRef, fileId);
}

async function sendPrivateSlow(
  chat: Chat,
  session: Session,
  key: string,
  toName: string,
  text: string,
  clientRef: string | null,
  fileId: number | null,
): Promise<SentPrivate> {
  const online = chat.presence.byName(key);
  const user = online ? { id: online.userId, name: online.name } : await chat.store.findUser(key);
  if (!user) {
    const hint = chat.rooms.get(key) ? `; ${toName} is a room, send to it with "group"` : '';
    throw new ChatError('no_such_user', `there is no user named ${toName}${hint}`);
  }
  const conv = await chat.privateConversation(session.userId, user.id);
  return deliverPrivate(chat, session, user.id, user.name, conv, text, clientRef, fileId);
}

function deliverPrivate(
  chat: Chat,
  session: Session,
  toId: number,
  toName: string,
  conv: Conversation,
  text: string,
  clientRef: string | null,
  fileId: number | null,
): SentPrivate | Promise<SentPrivate> {
  // Looked up again: the recipient may have come online or left while the conversation loaded. Online
  // on another node (#15), it is delivered there: it does not wait for a login.
  if (!isOnline(chat, toId)) queueFor(chat, toName, text);
  let delivered = 0;
  let queued = false;
  const recorded = chat.record(
    conv,
    { kind: 'private', author: session, receiver: toName, text, clientRef, fileId },
    (message) => {
      (session.partners ??= new Set()).add(toId);
      // Looked up once the message exists (#15: after its commit, when that waits): one who came online
      // meanwhile gets it live, one who left meanwhile finds it waiting at their next login.
      const recipient = chat.presence.byUser(toId);
      if (recipient) {
        (recipient.partners ??= new Set()).add(session.userId);
        recipient.deliver(encodeMessage(message), message.id);
        delivered = 1;
      }
      queued = !recipient && chat.elsewhere.byUser(toId) === undefined;
      logDelivery(chat, message, delivered);
    },
  );
  if (recorded instanceof Promise) return recorded.then((message) => ({ message, delivered, queued }));
  return { message: recorded, delivered, queued };
}

/**
 * Counts a message into what waits for an offline user, or throws queue_full when it would pass
 * maxQueuedBytes (issue #11.12): what one user's queue can take from the disk is bounded.
 */
function queueFor(chat: Chat, toName: string, text: string): void {
  const key = nameKey(toName);
  const waiting = chat.waitingBytes.get(key) ?? 0;
  const bytes = Buffer.byteLength(text);
  const limit = chat.limits.maxQueuedBytes;
  if (waiting + bytes > limit) {
    throw new ChatError(
      'queue_full',
      `${toName} is offline and ${Math.round(waiting / 1024)} KiB already wait for them (at most ${Math.round(limit / 1024)} KiB); try again after they next log in`,
    );
  }
  chat.waitingBytes.set(key, waiting + bytes);
}

function logDelivery(chat: Chat, message: StoredMessage, delivered: number): void {
  if (chat.log.isLevelEnabled('debug')) {
    chat.log.debug(
      { msgid: message.id, kind: message.kind, from: message.sender, to: message.receiver, delivered },
      'message',
    );
  }
}
