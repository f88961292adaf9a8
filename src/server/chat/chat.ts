/**
 * The chat domain's state: who is online, the rooms, the conversations in use, how far messages have
 * been delivered, and the clock. Operations live in the files beside this one (login, messaging,
 * membership, lookups); they change this state, read and record writes through the Store interface
 * (which gives messages and conversations their ids: #15), and queue output on sessions.
 * The domain touches no socket or file itself (design §4.2): the store does the disk, the group commit
 * makes a tick's writes durable before the connections write its output.
 */
import type { Logger } from 'pino';
import { EVERYONE } from '../../protocol/names.js';
import type { ChatKind, SystemEvent, SystemEventKind } from '../../protocol/wire.js';
// A message read from the store is delivered as a joined node delivers another node's: by its kind.
import { deliverRemote as deliverStored } from '../cluster/remote-delivery.js';
import type { Limits } from '../limits.js';
import type { ConversationInsert, RoomRecord, Store, StoredMessage } from '../store/store.js';
import { StoreUnreachable } from '../store/unreachable.js';
import { OnlineElsewhere } from './elsewhere.js';
import { Presence } from './presence.js';
import { Room, Rooms, type Conversation } from './room.js';
import { applyStoredRoom, forgetRoom } from './room-sync.js';
import type { Session } from './session.js';

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

/** A message to record, before the store gives it its id, seq and time. */
export interface Draft {
  kind: ChatKind | 'system';
  author: Author | null;
  receiver: string;
  text: string;
  event?: SystemEventKind | null;
  /** The request id the sender gave it (JSON), to recognise a resend. */
  clientRef?: string | null;
  /** The file it announces (issue #5). */
  fileId?: number | null;
}

/**
 * Orders delivery on a node joined to others (#15, src/server/cluster/feed.ts): this node's messages and
 * the other nodes' are delivered in one id order, so this node's messages wait for lower ids of others.
 */
export interface ClusterOrder {
  /**
   * This node's committed `message`: `deliver` when its turn comes, or only `acknowledge` when the node
   * already delivered it (read from the store while filling a gap before its commit settled here).
   */
  local(message: StoredMessage, deliver: () => void, acknowledge: () => void): void;
  /** Resolves once every message committed (on any node) before the call is delivered here. */
  caughtUp(): Promise<void>;
  /**
   * Reads the store from where delivery stands to its end and delivers what it holds (#15: after an
   * outage, a commit whose answer was lost may have stored messages nobody was given). Resolves once
   * delivered; rejects when the store could not be read.
   */
  catchUpFromStore(): Promise<void>;
}

/**
 * A name is online on one node at a time (#15, src/server/cluster/names.ts): claimed before a session
 * goes online, released when it ends. Absent for a server alone (its presence map is enough).
 */
export interface ClusterNames {
  /**
   * Takes the name key for this node. `replace` (a login): a session of it on another node is asked to
   * close with `replaced` first. Throws ChatError name_taken when another node keeps it.
   */
  claim(key: string, name: string, replace: boolean): Promise<void>;
  /** Frees the name key (its last session here ended). */
  release(key: string): void;
}

/**
 * Presence across nodes (#15, src/server/cluster/presence.ts): the other nodes are told when a session
 * here goes online or offline, so their `who` lists it and its contacts there get `connect`/`disconnect`.
 */
export interface ClusterPresence {
  /** `session` went online here (its `connect` was announced). */
  online(session: Session): void;
  /** `session`, once online, went offline here. */
  offline(session: Session): void;
}

/**
 * Moderation across nodes (#15, src/server/cluster/moderation.ts): a change to a user whose session is on
 * another node is carried out by that node.
 */
export interface ClusterModeration {
  /** Closes the session of `userId` with `kicked`, on the node holding it. */
  kick(userId: number, text: string): void;
  /** Sets the mute of `userId`'s session (0: none) on the node holding it, and tells them `event`. */
  mute(userId: number, mutedUntil: number, event: SystemEvent): void;
}

/** A message appended to an asynchronous store, waiting for its commit (see Chat.record). */
interface Settling {
  stored: StoredMessage | null;
  failure: { err: unknown } | null;
  deliver: (message: StoredMessage) => void;
  resolve: (message: StoredMessage) => void;
  reject: (err: unknown) => void;
}

export class Chat {
  readonly presence = new Presence();
  /** Who is online on the other nodes (#15); empty on a server alone. */
  readonly elsewhere = new OnlineElsewhere();
  /** Filled at start; changed in place, also when read again from the store (reloadRooms, refreshRoom). */
  readonly rooms = new Rooms();
  /**
   * Bytes of private messages waiting for each offline user, by name key (issue #11.12: one address
   * queued 18 GiB an hour for one user). Read from the store at start, grown as messages queue (this
   * node's and, joined to others, theirs: #15), cleared when the user logs in here or elsewhere.
   */
  readonly waitingBytes = new Map<string, number>();
  /** Private conversations used since start-up, by key; loaded on first use. */
  private readonly conversations = new Map<string, Conversation>();
  private readonly loading = new Map<string, Promise<Conversation>>();
  /** Every message with a lower id has been stored and queued to its online recipients (watermark()). */
  private deliveredBelow = 1;
  /** Messages whose commit is awaited (an asynchronous store), in the order appended: their id order. */
  private readonly settling: Settling[] = [];
  /**
   * #15: a commit failed because the database could not be reached, and it may have stored messages
   * from this id on (its COMMIT may have arrived, its answer not). Until the store is read from here
   * (deliverMissed, on recovery) nothing at or past it is delivered, so the watermark never passes a
   * message that was stored and not delivered. Null: no such doubt (and always on a node joined to
   * others: the cluster feed reads its own gaps).
   */
  private uncertainFrom: number | null = null;
  /** Messages whose commit succeeded while uncertainFrom was set: delivered by deliverMissed, in id order. */
  private held: { entry: Settling; message: StoredMessage }[] = [];
  private everyoneConversation: Conversation | undefined;
  private lastMs = NaN;
  private lastIso = '';
  /**
   * Told after a user stops being a member of a room (leave, kick: `userId`) or the room is deleted
   * (null): issue #11.16, an unfinished upload to a room ends with its sender's membership.
   */
  onRoomExit: (roomId: number, userId: number | null) => void = () => {};
  /** Set when this node is joined to others by a bus (#15): delivery then goes in one id order with theirs. */
  cluster: ClusterOrder | null = null;
  /** Set when this node is joined to others by a bus (#15): names are claimed cluster-wide. */
  names: ClusterNames | null = null;
  /** Set when joined to others (#15): they are told who goes online and offline here. */
  clusterPresence: ClusterPresence | null = null;
  /** Set when joined to others (#15): kicks and mutes of users online on another node. */
  clusterModeration: ClusterModeration | null = null;
  /**
   * Told when a room is deleted here (not a message), with the `deleted` event its online members were
   * told, if any: other nodes are told through the bus and tell theirs (#15).
   */
  onRoomDeleted: (roomId: number, told?: SystemEvent) => void = () => {};
  /**
   * True while the database is known to be unreachable (#15, store-outage.ts): a logout's cursors then
   * wait in memory (saveCursors) instead of making a tick wait for, and fail with, the database.
   */
  storeDown: () => boolean = () => false;
  /** Cursors of logouts during an outage, by user: where to advance them once the database is back. */
  private readonly deferredCursors = new Map<number, number>();

  private constructor(
    readonly store: Store,
    readonly log: Logger,
    readonly limits: ChatLimits,
    /** Called after every write, so that the tick ends with a commit. */
    readonly requestCommit: () => void,
    private readonly clock: Clock,
  ) {}

  /** Loads the persistent state (rooms and members, where message ids stand) from the store. */
  static async open(
    store: Store,
    log: Logger,
    limits: ChatLimits,
    requestCommit: () => void,
    clock: Clock = Date.now,
  ): Promise<Chat> {
    const chat = new Chat(store, log, limits, requestCommit, clock);
    const state = await store.load();
    chat.deliveredBelow = state.messagesBelow;
    for (const record of state.rooms) chat.rooms.add(roomOf(record));
    for (const { key, bytes } of state.waitingBytes) chat.waitingBytes.set(key, bytes);
    if (state.everyone) {
      chat.everyoneConversation = { id: state.everyone.id, key: state.everyone.key };
    } else {
      // Another node starting at the same moment may have made it: then it is that one (created: false).
      const inserted = store.insertConversation({ kind: 'everyone', key: EVERYONE, name: '' }, null, chat.now());
      const committed = store.commit();
      const [{ id }] = await Promise.all([inserted, committed]);
      chat.everyoneConversation = { id, key: EVERYONE };
    }
    return chat;
  }

  /**
   * Reads rooms, members and what waits for offline users from the store again, and makes memory what
   * the store holds (#15). After a commit failed because the database could not be reached, memory may
   * hold changes the store does not (a leave or kick parts the member, a delete drops the room, before
   * their commit), or lack ones it does (a commit whose answer was lost). Undoing each change on failure
   * would need an undo beside every change; reading the truth back once the database answers again is
   * one place, and correct whichever way each lost commit went.
   * Applied in place, and only if no room changed in memory while the store was read: a change made
   * meanwhile (a request in flight, another node's room change) may be missing from what was read, and
   * applying the read would undo it. After a few such reads, room by room (refreshRoom), so that a busy
   * node does not read every room again and again.
   */
  async reloadRooms(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const mark = this.rooms.changes;
      const state = await this.store.load();
      this.waitingBytes.clear();
      for (const { key, bytes } of state.waitingBytes) this.waitingBytes.set(key, bytes);
      if (this.rooms.changes === mark) {
        const stored = new Set<number>();
        for (const record of state.rooms) {
          stored.add(record.id);
          applyStoredRoom(this, record.id, record);
        }
        for (const room of [...this.rooms.all()]) if (!stored.has(room.id)) forgetRoom(this, room);
        return;
      }
      if (attempt === WHOLE_RELOADS) {
        const keys = new Map<number, string>();
        for (const record of state.rooms) keys.set(record.id, record.key);
        for (const room of this.rooms.all()) keys.set(room.id, room.key);
        for (const [id, key] of keys) await this.refreshRoom(id, key);
        return;
      }
    }
  }

  /**
   * Makes room `id` (name key `key`) in memory what the store holds now (#15: another node made, joined,
   * left or deleted it). Read again while a change to that room (or to a room of that name) was made in
   * memory during the read: a local create, join, leave, kick or delete committing meanwhile may be
   * missing from the read, and applying it would undo that change. (A read sees every write recorded
   * before it, so a leave or kick parted in memory before its commit is in it.)
   */
  async refreshRoom(id: number, key: string): Promise<void> {
    for (;;) {
      const byId = this.rooms.byId(id);
      const byKey = this.rooms.get(key);
      const idChanges = byId?.changes;
      const keyChanges = byKey?.changes;
      const stored = await this.store.loadRoom(id);
      const unchanged =
        this.rooms.byId(id) === byId &&
        byId?.changes === idChanges &&
        this.rooms.get(key) === byKey &&
        byKey?.changes === keyChanges;
      if (unchanged) {
        applyStoredRoom(this, id, stored);
        return;
      }
    }
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

  /**
   * Every message with an id below this has been stored and queued to the recipients online then: what
   * a login reads from the store lies below it, and a session online from then on gets everything from
   * it live (login, disconnect's cursors, a reader catching up: issue #11.11).
   */
  watermark(): number {
    return this.deliveredBelow;
  }

  /** Every message below `belowId` was delivered here, this node's and the others' (#15: the cluster feed). */
  advanceWatermark(belowId: number): void {
    if (belowId > this.deliveredBelow) this.deliveredBelow = belowId;
  }

  /**
   * Records a message stamped with the time now; the store gives it its id and seq (#15). `deliver`
   * queues it to its online recipients once it exists: at once with a synchronous store (SQLite), and
   * with an asynchronous one (PostgreSQL) after the commit of its tick, in id order, so that every
   * session gets messages in msgid order and the watermark passes a message only once it is delivered.
   * Returns the message, or a promise of it that settles after `deliver` ran; rejected when its commit
   * failed, and then nothing was delivered and nothing in memory counts it.
   */
  record(
    conv: Conversation,
    draft: Draft,
    deliver: (message: StoredMessage) => void,
  ): StoredMessage | Promise<StoredMessage> {
    const author = draft.author;
    const appended = this.store.appendMessage({
      convId: conv.id,
      kind: draft.kind,
      event: draft.event ?? null,
      senderId: author ? author.userId : null,
      sender: author ? author.name : 'server',
      receiver: draft.receiver,
      text: draft.text,
      ts: this.now(),
      clientRef: draft.clientRef ?? null,
      fileId: draft.fileId ?? null,
    });
    this.requestCommit();
    if (appended instanceof Promise) return this.afterCommit(appended, deliver);
    deliver(appended);
    this.deliveredBelow = appended.id + 1;
    return appended;
  }

  /** Delivers messages of an asynchronous store as their commits settle, strictly in the order appended. */
  private afterCommit(
    appended: Promise<StoredMessage>,
    deliver: (message: StoredMessage) => void,
  ): Promise<StoredMessage> {
    return new Promise<StoredMessage>((resolve, reject) => {
      const entry: Settling = { stored: null, failure: null, deliver, resolve, reject };
      this.settling.push(entry);
      appended.then(
        (stored) => {
          entry.stored = stored;
          this.settleInOrder();
        },
        (err: unknown) => {
          entry.failure = { err };
          this.settleInOrder();
        },
      );
    });
  }

  /** Delivers the settled messages at the head of the queue; a later one waits for every earlier one. */
  private settleInOrder(): void {
    const queue = this.settling;
    let head = queue[0];
    while (head !== undefined && (head.stored !== null || head.failure !== null)) {
      queue.shift();
      if (head.failure !== null) {
        // Lost on the way back, it may be stored all the same: hold what follows until the store says.
        if (head.failure.err instanceof StoreUnreachable && this.cluster === null)
          this.uncertainFrom ??= this.deliveredBelow;
        head.reject(head.failure.err);
      } else if (this.uncertainFrom !== null && this.cluster === null) {
        this.held.push({ entry: head, message: head.stored! });
      } else {
        const settled = head;
        const message = head.stored!;
        if (this.cluster === null) this.deliverSettled(settled, message);
        else
          this.cluster.local(
            message,
            () => this.deliverSettled(settled, message),
            () => settled.resolve(message),
          );
      }
      head = queue[0];
    }
  }

  private deliverSettled(entry: Settling, message: StoredMessage): void {
    if (message.id < this.deliveredBelow) {
      // Read from the store and delivered by deliverMissed before its own commit's answer came: not twice.
      entry.resolve(message);
      return;
    }
    try {
      entry.deliver(message);
    } catch (err) {
      // Delivery queues bytes and does no I/O; should it throw, the message is stored all the same.
      this.log.error({ err, msgid: message.id }, 'delivering a stored message failed');
    }
    if (message.id >= this.deliveredBelow) this.deliveredBelow = message.id + 1;
    entry.resolve(message);
  }

  /**
   * After an outage (#15, before requests are served again, after reloadRooms): a commit whose answer
   * was lost may have stored messages that were never delivered. Reads the store from the first such id
   * to its end and delivers each message once, in id order: one held here (its commit answered while
   * the doubt stood) as its own request would have, any other as stored, the way a joined node delivers
   * another node's (cluster/remote-delivery.ts). On a node joined to others the cluster feed does the
   * reading. Throws (the probe tries again) when the store cannot be read.
   */
  async deliverMissed(): Promise<void> {
    if (this.cluster !== null) return this.cluster.catchUpFromStore();
    const from = this.uncertainFrom;
    if (from === null) return;
    let next = from;
    for (;;) {
      const rows = await this.store.messagesBetween(next, Number.MAX_SAFE_INTEGER, MISSED_PAGE);
      for (const row of rows) {
        if (row.id < this.deliveredBelow) continue;
        const i = this.held.findIndex((h) => h.message.id === row.id);
        if (i >= 0) {
          const [{ entry, message }] = this.held.splice(i, 1) as [{ entry: Settling; message: StoredMessage }];
          this.deliverSettled(entry, message);
        } else {
          this.deliverOne(row);
        }
      }
      if (rows.length < MISSED_PAGE) break;
      next = rows.at(-1)!.id + 1;
    }
    // Held messages not read back (their conversation was deleted since): answered, in their order.
    const rest = this.held.sort((a, b) => a.message.id - b.message.id);
    this.held = [];
    for (const { entry, message } of rest) this.deliverSettled(entry, message);
    this.uncertainFrom = null;
    // Answers that settled while the store was read: their turn now.
    this.settleInOrder();
  }

  private deliverOne(message: StoredMessage): void {
    try {
      deliverStored(this, message);
    } catch (err) {
      this.log.error({ err, msgid: message.id }, 'delivering a stored message failed');
    }
    this.deliveredBelow = message.id + 1;
    this.log.info({ msgid: message.id }, 'delivered a message whose commit answer was lost');
  }

  /**
   * Moves a user's cursors to `belowId` (everything below it was delivered to them), at logout. During
   * an outage (#15) the write would only fail, and take the in-memory answers of its tick with it: it
   * waits here instead and is written on recovery (writeDeferredCursors). A cursor kept back only
   * brings a message twice, never skips one, so waiting never loses anything.
   */
  saveCursors(userId: number, belowId: number): void {
    if (this.storeDown()) {
      this.deferredCursors.set(userId, Math.max(belowId, this.deferredCursors.get(userId) ?? 0));
      return;
    }
    this.store.advanceCursors(userId, belowId);
    this.requestCommit();
  }

  /** The database is back (#15): the cursors of the logouts during the outage are written now. */
  writeDeferredCursors(): void {
    if (this.deferredCursors.size === 0) return;
    for (const [userId, belowId] of this.deferredCursors) this.store.advanceCursors(userId, belowId);
    this.log.info({ users: this.deferredCursors.size }, 'saved the cursors of logouts during the database outage');
    this.deferredCursors.clear();
    this.requestCommit();
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
      conv = { id: found.id, key };
    } else {
      // With both members in the same write; created elsewhere meanwhile, it is that one (#15).
      const inserted: ConversationInsert | Promise<ConversationInsert> = this.store.insertConversation(
        { kind: 'dm', key, name: '' },
        a,
        this.now(),
        [a, b],
      );
      this.requestCommit();
      conv = { id: (await inserted).id, key };
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
    return found ? { id: found.id, key } : undefined;
  }
}

/** Whole reads of the rooms that found a room changed meanwhile, before reloadRooms goes room by room. */
const WHOLE_RELOADS = 3;

/** Rows per store read while delivering what a lost commit answer may have stored. */
const MISSED_PAGE = 500;

/** A room as the store holds it, with its members in the order they joined. */
function roomOf(record: RoomRecord): Room {
  const room = new Room(record.id, record.name, record.key, record.ownerId);
  for (const m of record.members) room.addMember({ userId: m.userId, name: m.name, key: m.key });
  return room;
}

/** The key of the private conversation between two users, the same whichever writes first. */
export function privateKey(a: number, b: number): string {
  return a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`;
}
