/**
 * What the session knows of its conversations: the rooms it is in and the users it has met (by name
 * key, with the spelling the server gave; for tab completion, `Name: text` and /switch, issue #12.7);
 * and how far each conversation has been seen, so that a reconnect misses nothing and shows nothing
 * twice (issue #3): the last seq of each conversation, the highest msgid pushed, and the ids of the
 * messages shown. No I/O.
 */
import type { ChatMessage } from '../protocol/messages.js';
import { EVERYONE, nameKey } from '../protocol/names.js';
import type { Conversation } from './catch-up.js';

/** Message ids kept to recognise a message shown before a reconnect (the oldest are forgotten first). */
const MAX_REMEMBERED_IDS = 50_000;

/** The session's knowledge of rooms, users and how far each conversation has been seen. */
export class Known {
  private readonly rooms = new Map<string, string>();
  private readonly users = new Map<string, string>();
  private readonly conversations = new Map<string, Conversation>();
  private readonly shownIds = new Set<number>();
  /** Highest msgid pushed: sent as `since` when reconnecting. */
  private lastMsgid = 0;

  /** `me`: the name the session is logged in as (a private conversation is named by the other side). */
  constructor(private readonly me: () => string) {}

  /** Whether `name` is one of the rooms the session is in (any case). */
  isMyRoom(name: string): boolean {
    return this.rooms.has(nameKey(name));
  }

  /** Whether `name` is a user the session has met (any case). */
  isKnownUser(name: string): boolean {
    return this.users.has(nameKey(name));
  }

  /** The room as the server spells it, when the session is in it. */
  myRoom(name: string): string | undefined {
    return this.rooms.get(nameKey(name));
  }

  /** The session is in `room` now. */
  addRoom(room: string): void {
    this.rooms.set(nameKey(room), room);
  }

  /** The session is no longer in `room` (left, removed, deleted). */
  dropRoom(room: string): void {
    this.rooms.delete(nameKey(room));
  }

  /** The rooms a login said the name is in: they replace what was known. */
  setRooms(rooms: readonly string[]): void {
    this.rooms.clear();
    for (const room of rooms) this.addRoom(room);
  }

  /** `user` exists (seen in a message, an event or a reply). */
  addUser(user: string): void {
    this.users.set(nameKey(user), user);
  }

  /** Names seen in a listing: known from now on. Returns them, for the line that shows them. */
  addUsers(users: string[]): string[] {
    for (const user of users) this.addUser(user);
    return users;
  }

  /** Names for tab completion. */
  completions(): { users: string[]; rooms: string[] } {
    return { users: [...this.users.values()], rooms: [...this.rooms.values()] };
  }

  /** Whether the message with this id has been shown (before a reconnect, or in its catch-up). */
  wasShown(msgid: number): boolean {
    return this.shownIds.has(msgid);
  }

  /** The ids of the messages shown (a catch-up leaves them out). */
  get shown(): ReadonlySet<number> {
    return this.shownIds;
  }

  /** The highest msgid the server pushed; 0 before any. */
  get since(): number {
    return this.lastMsgid;
  }

  /** Each conversation a message was pushed in, with the last seq seen there. */
  seen(): Conversation[] {
    return [...this.conversations.values()];
  }

  /**
   * Notes a message as shown and, for a message the server pushed, how far its conversation has been
   * seen. The reply to our own message does not count for that: the server may still hold older
   * messages for us (a reader that fell behind gets them from its store later, issue #11.11), so its
   * msgid is no proof that everything below it arrived, and `since` or a history page from it would
   * skip them.
   */
  remember(message: ChatMessage, origin: 'pushed' | 'own' = 'pushed'): void {
    this.shownIds.add(message.msgid);
    if (this.shownIds.size > MAX_REMEMBERED_IDS) this.shownIds.delete(this.shownIds.values().next().value as number);
    if (origin === 'own') return;
    if (message.msgid > this.lastMsgid) this.lastMsgid = message.msgid;
    const conv = this.conversationOf(message);
    const known = this.conversations.get(conv.key);
    if (!known || message.seq > known.lastSeq)
      this.conversations.set(conv.key, { receiver: conv.receiver, lastSeq: message.seq });
  }

  /** The conversation a message is in, by key, and how `history` names it. */
  private conversationOf(message: ChatMessage): { key: string; receiver: string } {
    if (message.status === 'broadcast') return { key: EVERYONE, receiver: EVERYONE };
    if (message.status === 'private') {
      const other = nameKey(message.sender) === nameKey(this.me()) ? message.receiver : message.sender;
      return { key: `@${nameKey(other)}`, receiver: other };
    }
    return { key: `#${nameKey(message.receiver)}`, receiver: message.receiver };
  }
}
