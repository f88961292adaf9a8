/**
 * Delivering another node's message on this node (#15): what the local path does for its kind, to this
 * node's sessions. The sender's own session is on its node (a name is online on one node at a time), so
 * "everyone but the sender" is everyone here whose user is not the sender.
 */
import { nameKey } from '../../protocol/names.js';
import type { Chat } from '../chat/chat.js';
import { encodeMessage } from '../chat/encode.js';
import type { StoredMessage } from '../store/store.js';

/** A room made or joined elsewhere: this node reads that room again before it delivers the message. */
export function roomsChangeBefore(message: StoredMessage): boolean {
  return message.kind === 'system' && (message.event === 'created' || message.event === 'join');
}

/** A member left or was kicked elsewhere: told to the members as they were, then that room is read again. */
export function roomsChangeAfter(message: StoredMessage): boolean {
  return message.kind === 'system' && (message.event === 'leave' || message.event === 'kicked');
}

export function deliverRemote(chat: Chat, message: StoredMessage): void {
  const bytes = encodeMessage(message);
  switch (message.kind) {
    case 'group':
    case 'system': {
      const room = chat.rooms.byId(message.convId);
      if (!room) return;
      for (const member of room.online) if (member.userId !== message.senderId) member.deliver(bytes, message.id);
      return;
    }
    case 'broadcast':
      for (const user of chat.presence.sessions())
        if (user.userId !== message.senderId) user.deliver(bytes, message.id);
      return;
    case 'private': {
      const recipient = chat.presence.byName(nameKey(message.receiver));
      if (!recipient || recipient.userId === message.senderId) return;
      if (message.senderId !== null) (recipient.partners ??= new Set()).add(message.senderId);
      recipient.deliver(bytes, message.id);
      return;
    }
  }
}

/**
 * Counts another node's private message into what waits for its receiver when they are offline on
 * every node (issue #11.12 across nodes, #15): the sender's node checked maxQueuedBytes against its own
 * count, and this node's count must see the message too, or each node would let a user's queue grow to
 * the whole limit. One from a sender online here was counted when it was sent here (a commit's answer
 * lost, read back from the store).
 */
export function countWaiting(chat: Chat, message: StoredMessage): void {
  if (message.kind !== 'private') return;
  const key = nameKey(message.receiver);
  if (chat.presence.byName(key) || chat.elsewhere.byName(key)) return;
  if (chat.presence.byName(nameKey(message.sender))) return;
  chat.waitingBytes.set(key, (chat.waitingBytes.get(key) ?? 0) + Buffer.byteLength(message.text));
}
