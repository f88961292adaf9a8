/**
 * The chat domain's state: who is online, the rooms, the conversations in use, the id counters and
 * the clock. Operations live in the files beside this one (login, messaging, membership, lookups); they
 * change this state, read and record writes through the Store interface, and queue output on sessions.
 * The domain touches no socket or file itself (design §4.2): the store does the disk, the group commit
 * makes a tick's writes durable before the connections write its output.
 */
import type { Logger } from 'pino';
import { EVERYONE } from '../../protocol/names.js';
import type { ChatKind, SystemEventKind } from '../../protocol/wire.js';
import type { Limits } from '../limits.js';
import type { Store, StoredMessage } from '../store/store.js';
import { Presence } from './presence.js';
import { Room, Rooms, type Conversation } from './room.js';

/** The limits the domain applies itself (the rest are enforced at the edge). */
export type ChatLimits = Pick<
  Limits,
  | 'maxTextBytes'
  | 'offlineDeliveryLimit'
  | 'offlineDeliveryBytes'
  | 'offlineMaxAgeDays'
  | 'floodRate'
  | 'maxQueuedBytes'
  | 'storedBytesPerHour'
  | 'storedBytesPerHourPerAddress'
>;

/**
 * The domain's one clock: milliseconds since the epoch. Date.now in a server; a test may pass its own
 * to drive time. Every time the domain stamps or compares comes from it (chat.now(), chat.nowMs()).
 * `classchat admin` is another process with no Chat: its rows (invites, password changes) use the real
 * clock, so a test server on a clock far from now sees them as long past or far ahead.
 */
export type Clock = () => number;

/** Who a message is from: a user, or the server itself (null). */
export interface Author {
  readonly userId: number;
  readonly name: string;
}

export class Chat {
  readonly presence = new Presence();
  readonly rooms = new Rooms();
  /**
   * Bytes of private messages waiting for each offline user (issue #11.12: one address queued 18 GiB
   * an hour for one user). Read from the store at start, grown as messages queue, cleared at login.
   */
  readonly waitingBytes = new Map<number, number>();
  /** Private conversations used since start-up, by key; loaded on first use. */
  private readonly conversations = new Map<string, Conversation>();
  private readonly loading = new Map<string, Promise<Conversation>>();
  private nextConversationId = 1;
  private nextMessageId = 1;
  private everyoneConversation: Conversation | undefined;
  private lastMs = NaN;
  private lastIso = '';
  /**
   * Told after a user stops being a member of a room (leave, kick: `userId`) or the room is deleted
   * (null): issue #11.16, an unfinished upload to a room ends with its sender's membership.
   */
  onRoomExit: (roomId: number, userId: number | null) => void = () => {};

  private constructor(
    readonly store: Store,
    readonly log: Logger,
    readonly limits: ChatLimits,
    /** Called after every write, so that the tick ends with a commit. */
    readonly requestCommit: () => void,
    private readonly clock: Clock,
  ) {}

  /** Loads the persistent state (counters, rooms and members) from the store. */
  static async open(
    store: Store,
    log: Logger,
    limits: ChatLimits,
    requestCommit: () => void,
    clock: Clock = Date.now,
  ): Promise<Chat> {
    const chat = new Chat(store, log, limits, requestCommit, clock);
    const state = await store.load();
    chat.nextConversationId = state.nextConversationId;
    chat.nextMessageId = state.nextMessageId;
    for (const record of state.rooms) {
      const room = new Room(record.id, record.name, record.key, record.lastSeq, record.ownerId);
      for (const m of record.members) room.addMember({ userId: m.userId, name: m.name, key: m.key });
      chat.rooms.add(room);
    }
    for (const { userId, bytes } of state.waitingBytes) chat.waitingBytes.set(userId, bytes);
    if (state.everyone) {
      chat.everyoneConversation = { id: state.everyone.id, key: state.everyone.key, lastSeq: state.everyone.lastSeq };
    } else {
      const id = chat.newConversationId();
      store.insertConversation({ id, kind: 'everyone', key: EVERYONE, name: '' }, null, chat.now());
      await store.commit();
      chat.everyoneConversation = { id, key: EVERYONE, lastSeq: 0 };
    }
    return chat;
  }

  /** The time now in milliseconds since the epoch, for arithmetic: mutes, the resend window, retention. */
  nowMs(): number {
    return this.clock();
  }

  /**
   * The time now as every stored row and wire event carries it: ISO 8601 UTC, from the same clock as
   * nowMs(). Formatted once per millisecond (a busy tick stamps many messages with the same one).
   */
  now(): string {
    const ms = this.clock();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }

  get everyone(): Conversation {
    return this.everyoneConversation!;
  }

  newConversationId(): number {
    return this.nextConversationId++;
  }

  /** Persists the id counters (before rows are deleted, which would lower the highest stored id). */
  saveCounters(): void {
    this.store.saveCounters({ conversation: this.nextConversationId, message: this.nextMessageId });
  }

  /** The id the next message will get: messages below it exist (or are being committed). */
  watermark(): number {
    return this.nextMessageId;
  }

  /** Assigns a message its id, sequence number and time, and records it. */
  record(
    conv: Conversation,
    kind: ChatKind | 'system',
    author: Author | null,
    receiver: string,
    text: string,
    event: SystemEventKind | null = null,
    clientRef: string | null = null,
    fileId: number | null = null,
  ): StoredMessage {
    const message: StoredMessage = {
      id: this.nextMessageId++,
      convId: conv.id,
      seq: ++conv.lastSeq,
      kind,
      event,
      senderId: author ? author.userId : null,
      sender: author ? author.name : 'server',
      receiver,
      text,
      ts: this.now(),
      clientRef,
      fileId,
    };
    this.store.insertMessage(message);
    this.requestCommit();
    return message;
  }

  /** The private conversation of two users, loaded or created on first use. */
  privateConversation(a: number, b: number): Conversation | Promise<Conversation> {
    const key = privateKey(a, b);
    const cached = this.conversations.get(key);
    if (cached) return cached;
    let pending = this.loading.get(key);
    if (!pending) {
      // One load per key even when several messages race to open the same conversation.
      pending = this.loadOrCreatePrivate(key, a, b);
      this.loading.set(key, pending);
      const forget = () => this.loading.delete(key);
      pending.then(forget, forget);
    }
    return pending;
  }

  private async loadOrCreatePrivate(key: string, a: number, b: number): Promise<Conversation> {
    const found = await this.store.findConversation(key);
    let conv: Conversation;
    if (found) {
      conv = { id: found.id, key, lastSeq: found.lastSeq };
    } else {
      conv = { id: this.newConversationId(), key, lastSeq: 0 };
      const now = this.now();
      this.store.insertConversation({ id: conv.id, kind: 'dm', key, name: '' }, a, now);
      this.store.insertMember(conv.id, a, 0, now);
      this.store.insertMember(conv.id, b, 0, now);
      this.requestCommit();
    }
    this.conversations.set(key, conv);
    return conv;
  }

  /** An already loaded private conversation, if any (history reads it without creating one). */
  async findPrivate(a: number, b: number): Promise<Conversation | undefined> {
    const key = privateKey(a, b);
    const cached = this.conversations.get(key);
    if (cached) return cached;
    const found = await this.store.findConversation(key);
    return found ? { id: found.id, key, lastSeq: found.lastSeq } : undefined;
  }
}

/** The key of the private conversation between two users, the same whichever writes first. */
export function privateKey(a: number, b: number): string {
  return a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`;
}
