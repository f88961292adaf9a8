/**
 * Storage behind one interface (design §1): SqlStore (sql-store.ts) over SQLite or PostgreSQL, chosen by
 * openStore (open-store.ts); test/server/store/store-suite.ts checks this contract on both. The chat domain records writes in order as they happen; `commit()` makes everything recorded
 * so far durable in one transaction (group commit, issue #2): the server releases a tick's replies and
 * events only after it.
 *
 * Contract for every implementation:
 * - a read sees every write recorded before it (even before commit; PostgreSQL commits them first);
 * - writes are applied in the order recorded; `commit()` is atomic;
 * - every id is assigned by the store (#15: several server nodes share one database, so no process
 *   may count ids in its memory). A message's id and seq, and a new conversation's id, come back from
 *   appendMessage and insertConversation: at once from a store that can answer at once (SQLite, one
 *   process), or as a promise that settles once the tick's commit is done (PostgreSQL). A store answers
 *   either always at once or never: the domain keeps the synchronous path as fast as it was.
 */
import type { ChatKind, SystemEventKind } from '../../protocol/wire.js';

export type Role = 'user' | 'admin';

export interface UserRecord {
  id: number;
  /** As first registered. */
  name: string;
  /** nameKey(name): the unique, case-insensitive key. */
  key: string;
  /** The account's password hash; null for a name taken in open mode, which no account owns. */
  passwordHash: string | null;
  role: Role;
  /** ISO time until which the user may not send messages; null when not muted. */
  mutedUntil: string | null;
}

/** What a listing of every user shows of each (issue #12.5). */
export type UserSummary = Pick<UserRecord, 'name' | 'key' | 'role'>;

export type NewUser = Pick<UserRecord, 'name' | 'key' | 'passwordHash' | 'role'>;

/**
 * What `classchat admin` changed for a user, for the running server to apply (issue #11.3):
 * reset_password and revoke_tokens close the user's sessions, release_name too (the name is free to
 * claim again), role makes the live session's role the stored one.
 */
export type AdminEventKind = 'reset_password' | 'revoke_tokens' | 'release_name' | 'role';

export interface AdminEvent {
  id: number;
  userId: number;
  kind: AdminEventKind;
  /** The user's role now (for `role`; the latest, whichever event is applied). */
  role: Role;
}

export type ConversationKind = 'room' | 'dm' | 'everyone';

export interface ConversationRecord {
  id: number;
  kind: ConversationKind;
  /** Unique: a room's name key, `dm:<low user id>:<high user id>`, or `everyone`. */
  key: string;
  /** A room's name as created; empty for the others. */
  name: string;
  /** Highest `seq` stored in it (0 when empty). */
  lastSeq: number;
}

export interface MemberRecord {
  userId: number;
  name: string;
  key: string;
  /** Highest seq of the conversation this member has been given. */
  cursor: number;
}

export interface RoomRecord extends ConversationRecord {
  /** Its owner, who may kick from it and delete it: the creator, then whoever it passed to (issue #11.13). */
  ownerId: number | null;
  members: MemberRecord[];
}

/** A room as loadRoom reads it: what the domain keeps of it in memory. */
export type StoredRoom = Pick<RoomRecord, 'id' | 'name' | 'key' | 'ownerId' | 'members'>;

/** One row per message, whatever its fan-out (design §2). */
export interface StoredMessage {
  id: number;
  convId: number;
  seq: number;
  kind: ChatKind | 'system';
  event: SystemEventKind | null;
  senderId: number | null;
  sender: string;
  receiver: string;
  text: string;
  ts: string;
  /** The request id the sender gave it (JSON-encoded), to recognise a resend; null when none. */
  clientRef?: string | null;
  /** The file this message announced (issue #5); null or absent for other messages. */
  fileId?: number | null;
}

/**
 * A message to append: the store gives it its id and seq (appendMessage). Message ids increase in
 * commit order across every node and are never reused, not even after the rows were deleted and the
 * server restarted; a seq is one more than the highest of its conversation.
 */
export type NewMessage = Omit<StoredMessage, 'id' | 'seq'>;

/** A conversation to add: the store gives it its id (insertConversation). */
export type NewConversation = Omit<ConversationRecord, 'id' | 'lastSeq'>;

/**
 * What insertConversation did: the conversation's id, and `created: false` when one with the same key
 * existed already (another node, or another request, made it first), which is not an error: two nodes
 * opening the same private conversation at once must not fail a commit.
 */
export interface ConversationInsert {
  id: number;
  created: boolean;
}

/** One upload of a file to a conversation (issue #5). */
export interface FileRecord {
  id: number;
  convId: number;
  /** 'private' (to one user) or 'group' (to a room). */
  kind: 'private' | 'group';
  senderId: number;
  /** The recipient of a private file; null for a room's. */
  receiverId: number | null;
  /** The user or room name as shown. */
  receiver: string;
  /** The sender's name. */
  sender: string;
  /** The cleaned name (safeFileName). */
  name: string;
  size: number;
  /** Lowercase hex; also the name of the bytes on disk. */
  sha256: string;
  createdAt: string;
  /** Null while the upload is unfinished. */
  completedAt: string | null;
  /** The id the sender gave its `upload` request (JSON-encoded), to recognise it repeated; null when none. */
  clientRef: string | null;
}

export type NewFile = Omit<FileRecord, 'id' | 'sender' | 'completedAt'>;

/** A finished upload announced again with the same request id and content (see findRepeatedUpload). */
export interface RepeatedUploadQuery {
  senderId: number;
  clientRef: string;
  convId: number;
  size: number;
  sha256: string;
  /** Only uploads finished at or after this ISO time. */
  since: string;
}

/** A conversation where messages wait for a user: their cursor, and the newest message's id. */
export interface PendingConversation {
  convId: number;
  cursor: number;
  newestId: number;
}

export interface InitialState {
  /**
   * Every message stored when load() read has an id below this: where the domain's watermark starts
   * (the store's own counters stay in the store).
   */
  messagesBelow: number;
  rooms: RoomRecord[];
  everyone: ConversationRecord | undefined;
  /** Bytes of private messages waiting for each user who has any, by name key (issue #11.12). */
  waitingBytes: { key: string; bytes: number }[];
}

export interface ResentQuery {
  senderId: number;
  clientRef: string;
  kind: ChatKind;
  receiverKey: string;
  text: string;
  since: string;
}

export interface HistoryQuery {
  /** Only messages with seq < before. */
  before?: number | undefined;
  /** Only messages with seq > after (oldest first); otherwise the newest page. */
  after?: number | undefined;
  limit: number;
}

export interface Store {
  /** Reads what the domain keeps in memory: every room with its members, and where message ids stand. */
  load(): Promise<InitialState>;

  /**
   * One room with its members in the order they joined, read in one statement (#15: a node applies a
   * room change made on another node to that room alone); undefined when the store has no such room.
   */
  loadRoom(convId: number): Promise<StoredRoom | undefined>;

  /**
   * Adds a user and resolves to the id the database gave it. Users get their ids from the database,
   * not from a counter in memory, because `classchat admin` adds users while the server runs.
   * The user's cursor in the everyone conversation starts at its current end, so broadcasts sent from
   * then on wait for them while they are offline (issue #12.8). Here, not in the domain, because
   * `classchat admin` adds users through the store alone.
   */
  insertUser(user: NewUser, createdAt: string): Promise<number>;
  setPassword(userId: number, passwordHash: string): void;
  setRole(userId: number, role: Role): void;
  setMutedUntil(userId: number, until: string | null): void;
  /**
   * Session tokens, stored as hashes (src/server/auth/tokens.ts). A token is known by its row id once
   * stored: a session keeps that small number to revoke it, not the 43-character hash.
   */
  insertToken(tokenHash: string, userId: number, createdAt: string): Promise<number>;
  /**
   * Like insertToken, but only while the user's password hash is still `passwordHash` (checked in the
   * same statement); resolves to null when it is not (issue #11.3: a login racing a reset).
   */
  insertTokenIfPassword(
    tokenHash: string,
    userId: number,
    passwordHash: string,
    createdAt: string,
  ): Promise<number | null>;
  /**
   * Sets a new password hash only while the old one is `expected`; false when it changed meanwhile.
   * Synchronous where the backend answers at once (SQLite); a promise, settled once committed, elsewhere.
   */
  setPasswordIf(userId: number, passwordHash: string, expected: string): boolean | Promise<boolean>;
  /**
   * Gives a user without a password its first one (issue #12.5); `whileClaimed`: only while a token
   * still holds the name. False when the user has a password by now, or (whileClaimed) no token.
   */
  setFirstPassword(userId: number, passwordHash: string, whileClaimed: boolean): boolean | Promise<boolean>;
  /** Frees a name (issue #11.3): no password and a plain role, so the next claim of it starts afresh. */
  releaseName(userId: number): void;
  /** Records a change made by `classchat admin`, in the same transaction as the change. */
  recordAdminEvent(userId: number, kind: AdminEventKind, createdAt: string): void;
  /** The highest admin event id so far (0 when none): a starting server applies only later ones. */
  lastAdminEventId(): Promise<number>;
  /** Admin events after id `afterId`, oldest first, at most `limit`. */
  adminEventsAfter(afterId: number, limit: number): Promise<AdminEvent[]>;
  deleteToken(tokenId: number): void;
  /** Revokes every token of the user (password change, reset). */
  deleteTokens(userId: number): void;
  /** Adds an invite code (issue #11.4), stored as its hash, good for `uses` sign-ups until `expiresAt`. */
  insertInvite(codeHash: string, uses: number, expiresAt: string, createdAt: string): void;
  /** Takes one use of the invite if it exists, has uses left and has not expired at `now`; true if it did. */
  useInvite(codeHash: string, now: string): boolean | Promise<boolean>;
  /**
   * Adds a conversation with its first members (cursor 0), in the same transaction; a room's creator
   * is also its first owner. The store assigns the id (never one a deleted conversation had). When a
   * conversation with the same key exists, nothing is written and that one's id comes back with
   * `created: false`. A promise (asynchronous stores) settles after the tick's commit.
   */
  insertConversation(
    conv: NewConversation,
    createdBy: number | null,
    createdAt: string,
    memberIds?: readonly number[],
  ): ConversationInsert | Promise<ConversationInsert>;
  /** Hands a room to a new owner (null: nobody). */
  setRoomOwner(convId: number, ownerId: number | null): void;
  /** Deletes a conversation with its members and messages. */
  deleteConversation(convId: number): void;
  insertMember(convId: number, userId: number, cursor: number, joinedAt: string): void;
  /**
   * Makes a user a member of a room, its cursor at the room's newest message as stored when the write
   * runs; nothing when already a member or the room is gone. Recorded in the same tick as the join's
   * event (#15): the two are stored together or not at all, and the cursor stands just before the event
   * or on it (the event is the joiner's own, never waiting for them), whichever runs first.
   */
  joinMember(convId: number, userId: number, joinedAt: string): void;
  deleteMember(convId: number, userId: number): void;
  /**
   * Appends a message: the store assigns its id (increasing in commit order, never reused) and its seq
   * (one more than the conversation's highest). A synchronous store returns it at once; an asynchronous
   * one returns a promise that settles once the tick's commit is done (rejected when it failed: then
   * the message does not exist). Promises of one node settle in the order of their ids.
   */
  appendMessage(message: NewMessage): StoredMessage | Promise<StoredMessage>;
  /** Adds an unfinished upload and resolves to its id. */
  insertFile(file: NewFile): Promise<number>;
  completeFile(fileId: number, completedAt: string): void;
  deleteFile(fileId: number): void;
  /** Marks everything below message id `belowId` in the user's conversations (everyone's too) as given. */
  advanceCursors(userId: number, belowId: number): void;

  /**
   * Makes every write recorded so far durable. Returns a promise only when it must wait. Rejects with
   * StoreUnreachable (unreachable.ts) when the database could not be reached: then whether it was
   * stored is unknown; any other failure means it was not.
   */
  commit(): void | Promise<void>;
  /** Resolves once the database answers again; rejects with StoreUnreachable while it cannot be reached (#15). */
  probe(): void | Promise<void>;

  findUser(key: string): Promise<UserRecord | undefined>;
  findFile(fileId: number): Promise<FileRecord | undefined>;
  /** The sender's unfinished upload of the same bytes to the same conversation, to resume. */
  findUnfinishedUpload(senderId: number, convId: number, size: number, sha256: string): Promise<FileRecord | undefined>;
  /** The message that announced the sender's finished upload with this request id and content, if any. */
  findRepeatedUpload(query: RepeatedUploadQuery): Promise<StoredMessage | undefined>;
  /** Finished files of one conversation, newest first. */
  filesIn(convId: number, limit: number): Promise<FileRecord[]>;
  /** Finished files of every conversation the user is a member of, newest first. */
  filesOf(userId: number, limit: number): Promise<FileRecord[]>;
  /** The user's unfinished uploads, oldest first (issue #11.7: at most maxUploadsPerUser). */
  unfinishedUploadsOf(senderId: number): Promise<FileRecord[]>;
  /** Every unfinished upload to a conversation, oldest first (issue #11.16: they end with a membership). */
  unfinishedUploadsIn(convId: number): Promise<FileRecord[]>;
  /** Bytes of every file (finished or not) the user has stored: what the quota counts. */
  bytesStoredBy(userId: number): Promise<number>;
  /** Files created before `createdBefore`, and unfinished uploads created before `abandonedBefore`. */
  expiredFiles(createdBefore: string, abandonedBefore: string, limit: number): Promise<FileRecord[]>;
  /** True when a finished file still has these bytes (so they must stay on disk). */
  sha256InUse(sha256: string): Promise<boolean>;
  /** True when the user has at least one session token: with no password, that token claims the name (issue #11.1). */
  hasToken(userId: number): Promise<boolean>;
  findUserByToken(tokenHash: string): Promise<(UserRecord & { tokenId: number }) | undefined>;
  /**
   * The message a user already sent with this request id and the same kind, receiver (by name key) and
   * text, no earlier than `since`. Synchronous where the backend can answer at once (SQLite), since it
   * runs for every message that carries an id.
   */
  findResent(query: ResentQuery): StoredMessage | undefined | Promise<StoredMessage | undefined>;
  listUsers(): Promise<UserRecord[]>;
  /** Up to `limit` users whose name key sorts after `afterKey` ('' for the first), in key order (issue #12.5). */
  usersAfter(afterKey: string, limit: number): Promise<UserSummary[]>;
  findConversation(key: string): Promise<ConversationRecord | undefined>;
  /** Ids of the users who share a private conversation with `userId`. */
  privatePartners(userId: number): Promise<number[]>;
  /**
   * The user's conversations, the everyone conversation among them, with messages after their cursor
   * (issue #11.6: catch-up starts here).
   */
  pendingConversations(userId: number): Promise<PendingConversation[]>;
  /**
   * Messages waiting for `userId` in one conversation, newest first: seq in (afterSeq, beforeSeq), id
   * below `belowId`, not sent by the user; at most `limit`.
   */
  pendingIn(
    convId: number,
    userId: number,
    range: { afterSeq: number; beforeSeq: number; belowId: number },
    limit: number,
  ): Promise<StoredMessage[]>;
  /**
   * Messages for an online user with fromId <= id < belowId, oldest first, at most `limit`: the same
   * ones live delivery would have queued (their conversations after the cursor, and broadcasts in
   * `everyoneId`), not sent by the user. For a member catching up from the store (issue #11.11).
   */
  catchUpFor(
    userId: number,
    everyoneId: number,
    fromId: number,
    belowId: number,
    limit: number,
  ): Promise<StoredMessage[]>;
  /** A page of a conversation, oldest first. */
  history(convId: number, query: HistoryQuery): Promise<StoredMessage[]>;
  /** Every message with fromId <= id < belowId, by id, at most `limit` (#15: a node filling what the bus missed). */
  messagesBetween(fromId: number, belowId: number, limit: number): Promise<StoredMessage[]>;

  close(): Promise<void>;
}
