/**
 * The one Store over SQL (design §4.3, §6): it holds the queries' parameters and maps their rows, once,
 * over a SqlDriver (drivers/) that runs them on SQLite or PostgreSQL. Results pass through as the
 * driver gives them, so a method is synchronous on SQLite and a promise on PostgreSQL where the Store
 * interface allows either (`T | Promise<T>`).
 */
import type { MaybePromise, PreparedQuery, SqlDriver, WriteResult } from './drivers/driver.js';
import { CommitNumbering, ProcessNumbering, type Numbering } from './numbering.js';
import { QUERY_NAMES, type QueryName } from './queries.js';
import type {
  AdminEvent,
  AdminEventKind,
  ConversationInsert,
  ConversationRecord,
  FileRecord,
  HistoryQuery,
  InitialState,
  MemberRecord,
  NewConversation,
  NewFile,
  NewMessage,
  NewUser,
  PendingConversation,
  RepeatedUploadQuery,
  ResentQuery,
  Role,
  RoomRecord,
  Store,
  StoredMessage,
  StoredRoom,
  UserRecord,
  UserSummary,
} from './store.js';

/** `f(value)` now when `value` is here, after it when it is a promise. */
function map<T, U>(value: MaybePromise<T>, f: (value: T) => U): MaybePromise<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}

/** A row of the `room` query: the room's columns, and one member's (null for a room without members). */
interface RoomRow {
  id: number;
  name: string;
  key: string;
  ownerId: number | null;
  userId: number | null;
  memberName: string | null;
  memberKey: string | null;
  cursor: number | null;
}

const changed = (result: WriteResult): boolean => result.changes > 0;
const newId = (result: WriteResult): number => Number(result.lastInsertRowid);

export class SqlStore implements Store {
  /** Every query, prepared once by the driver; reached by name as a property (a fast, monomorphic lookup). */
  private readonly q: Record<QueryName, PreparedQuery>;

  /** Who numbers messages and conversations: this process, or the commit (numbering.ts). */
  private readonly numbering: Numbering;

  constructor(protected readonly driver: SqlDriver) {
    this.q = Object.fromEntries(QUERY_NAMES.map((name) => [name, driver.prepare(name)])) as Record<
      QueryName,
      PreparedQuery
    >;
    this.numbering =
      driver.dialect.numbering === 'process' ? new ProcessNumbering(this.q) : new CommitNumbering(this.q);
  }

  async load(): Promise<InitialState> {
    const q = this.q;
    const rooms = new Map<number, RoomRecord>();
    for (const room of (await q.rooms.all([])) as Omit<RoomRecord, 'members'>[])
      rooms.set(room.id, { ...room, members: [] });
    for (const row of (await q.roomMembers.all([])) as (MemberRecord & { convId: number })[]) {
      rooms.get(row.convId)?.members.push({ userId: row.userId, name: row.name, key: row.key, cursor: row.cursor });
    }
    return {
      messagesBelow: await this.numbering.messagesBelow(),
      rooms: [...rooms.values()],
      everyone: (await q.findConversation.get(['everyone'])) as ConversationRecord | undefined,
      waitingBytes: (await q.waitingBytes.all([])) as { key: string; bytes: number }[],
    };
  }

  async loadRoom(convId: number): Promise<StoredRoom | undefined> {
    const rows = (await this.q.room.all([convId])) as RoomRow[];
    const first = rows[0];
    if (first === undefined) return undefined;
    const members: MemberRecord[] = [];
    for (const row of rows)
      if (row.userId !== null)
        members.push({ userId: row.userId, name: row.memberName!, key: row.memberKey!, cursor: row.cursor! });
    return { id: first.id, name: first.name, key: first.key, ownerId: first.ownerId, members };
  }

  async insertUser(user: NewUser, createdAt: string): Promise<number> {
    return newId(await this.q.insertUser.write([user.name, user.key, createdAt, user.passwordHash, user.role]));
  }

  setPassword(userId: number, passwordHash: string): void {
    void this.q.setPassword.write([passwordHash, userId]);
  }

  setRole(userId: number, role: Role): void {
    void this.q.setRole.write([role, userId]);
  }

  setMutedUntil(userId: number, until: string | null): void {
    void this.q.setMutedUntil.write([until, userId]);
  }

  async insertToken(tokenHash: string, userId: number, createdAt: string): Promise<number> {
    return newId(await this.q.insertToken.write([tokenHash, userId, createdAt]));
  }

  async insertTokenIfPassword(
    tokenHash: string,
    userId: number,
    passwordHash: string,
    createdAt: string,
  ): Promise<number | null> {
    const result = await this.q.insertTokenIfPassword.write([tokenHash, createdAt, userId, passwordHash]);
    return result.changes === 0 ? null : newId(result);
  }

  setPasswordIf(userId: number, passwordHash: string, expected: string): MaybePromise<boolean> {
    return map(this.q.setPasswordIf.write([passwordHash, userId, expected]), changed);
  }

  setFirstPassword(userId: number, passwordHash: string, whileClaimed: boolean): MaybePromise<boolean> {
    return map(
      (whileClaimed ? this.q.setFirstPasswordIfClaimed : this.q.setFirstPassword).write([passwordHash, userId]),
      changed,
    );
  }

  releaseName(userId: number): void {
    void this.q.releaseName.write([userId]);
  }

  recordAdminEvent(userId: number, kind: AdminEventKind, createdAt: string): void {
    void this.q.insertAdminEvent.write([userId, kind, createdAt]);
  }

  async lastAdminEventId(): Promise<number> {
    return ((await this.q.lastAdminEventId.get([])) as { n: number }).n;
  }

  async adminEventsAfter(afterId: number, limit: number): Promise<AdminEvent[]> {
    return (await this.q.adminEventsAfter.all([afterId, limit])) as AdminEvent[];
  }

  deleteToken(tokenId: number): void {
    void this.q.deleteToken.write([tokenId]);
  }

  deleteTokens(userId: number): void {
    void this.q.deleteTokens.write([userId]);
  }

  insertInvite(codeHash: string, uses: number, expiresAt: string, createdAt: string): void {
    void this.q.insertInvite.write([codeHash, uses, expiresAt, createdAt]);
  }

  useInvite(codeHash: string, now: string): MaybePromise<boolean> {
    return map(this.q.useInvite.write([codeHash, now]), (result) => result.changes === 1);
  }

  insertConversation(
    conv: NewConversation,
    createdBy: number | null,
    createdAt: string,
    memberIds: readonly number[] = [],
  ): MaybePromise<ConversationInsert> {
    return this.numbering.insertConversation(conv, createdBy, createdAt, memberIds);
  }

  setRoomOwner(convId: number, ownerId: number | null): void {
    void this.q.setRoomOwner.write([ownerId, convId]);
  }

  deleteConversation(convId: number): void {
    this.numbering.beforeDelete(convId);
    void this.q.deleteConversation.write([convId]);
  }

  insertMember(convId: number, userId: number, cursor: number, joinedAt: string): void {
    void this.q.insertMember.write([convId, userId, cursor, joinedAt]);
  }

  joinMember(convId: number, userId: number, joinedAt: string): void {
    void this.q.joinMember.write([userId, joinedAt, convId]);
  }

  deleteMember(convId: number, userId: number): void {
    void this.q.deleteMember.write([convId, userId]);
  }

  appendMessage(m: NewMessage): MaybePromise<StoredMessage> {
    return this.numbering.appendMessage(m);
  }

  advanceCursors(userId: number, belowId: number): void {
    void this.q.advanceCursors.write([belowId, userId]);
    void this.q.advanceEveryoneCursor.write([belowId, userId]);
  }

  commit(): void | Promise<void> {
    try {
      const done = this.driver.commit();
      return done instanceof Promise ? done.catch((err: unknown) => this.forget(err)) : done;
    } catch (err) {
      return this.forget(err);
    }
  }

  probe(): MaybePromise<void> {
    return this.driver.probe();
  }

  /** Drops the writes recorded since the last commit (a test store plays a failed commit with it). */
  rollback(): void {
    this.driver.rollback();
    this.numbering.forgetUncommitted();
  }

  /** A commit failed: nothing it held was stored, so the ids it took are free again. */
  private forget(err: unknown): never {
    this.numbering.forgetUncommitted();
    throw err;
  }

  async insertFile(f: NewFile): Promise<number> {
    return newId(
      await this.q.insertFile.write([
        f.convId,
        f.kind,
        f.senderId,
        f.receiverId,
        f.receiver,
        f.name,
        f.size,
        f.sha256,
        f.createdAt,
        f.clientRef,
      ]),
    );
  }

  completeFile(fileId: number, completedAt: string): void {
    void this.q.completeFile.write([completedAt, fileId]);
  }

  deleteFile(fileId: number): void {
    void this.q.deleteFile.write([fileId]);
  }

  async findFile(fileId: number): Promise<FileRecord | undefined> {
    return (await this.q.findFile.get([fileId])) as FileRecord | undefined;
  }

  async findUnfinishedUpload(
    senderId: number,
    convId: number,
    size: number,
    sha256: string,
  ): Promise<FileRecord | undefined> {
    return (await this.q.findUnfinishedUpload.get([senderId, convId, size, sha256])) as FileRecord | undefined;
  }

  async findRepeatedUpload(q: RepeatedUploadQuery): Promise<StoredMessage | undefined> {
    const params = [q.senderId, q.clientRef, q.convId, q.size, q.sha256, q.since];
    return (await this.q.findRepeatedUpload.get(params)) as StoredMessage | undefined;
  }

  async filesIn(convId: number, limit: number): Promise<FileRecord[]> {
    return (await this.q.filesIn.all([convId, limit])) as FileRecord[];
  }

  async filesOf(userId: number, limit: number): Promise<FileRecord[]> {
    return (await this.q.filesOf.all([userId, limit])) as FileRecord[];
  }

  async unfinishedUploadsOf(senderId: number): Promise<FileRecord[]> {
    return (await this.q.unfinishedUploadsOf.all([senderId])) as FileRecord[];
  }

  async unfinishedUploadsIn(convId: number): Promise<FileRecord[]> {
    return (await this.q.unfinishedUploadsIn.all([convId])) as FileRecord[];
  }

  async bytesStoredBy(userId: number): Promise<number> {
    return ((await this.q.bytesStoredBy.get([userId])) as { n: number }).n;
  }

  async expiredFiles(createdBefore: string, abandonedBefore: string, limit: number): Promise<FileRecord[]> {
    return (await this.q.expiredFiles.all([createdBefore, abandonedBefore, limit])) as FileRecord[];
  }

  async sha256InUse(sha256: string): Promise<boolean> {
    return (await this.q.sha256InUse.get([sha256])) !== undefined;
  }

  async findUser(key: string): Promise<UserRecord | undefined> {
    return (await this.q.findUser.get([key])) as UserRecord | undefined;
  }

  findResent(q: ResentQuery): MaybePromise<StoredMessage | undefined> {
    // Synchronous on SQLite: it runs for every message that carries a request id. On PostgreSQL what is
    // not committed yet is found in memory, and the read does not commit other writes early.
    const pending = this.numbering.pendingResend(q);
    if (pending !== undefined) {
      this.driver.scheduleCommit(); // its answer comes with the commit: make sure one comes
      return pending;
    }
    return this.q.findResent.get([q.senderId, q.clientRef, q.kind, q.receiverKey, q.text, q.since]) as MaybePromise<
      StoredMessage | undefined
    >;
  }

  async hasToken(userId: number): Promise<boolean> {
    return (await this.q.hasToken.get([userId])) !== undefined;
  }

  async findUserByToken(tokenHash: string): Promise<(UserRecord & { tokenId: number }) | undefined> {
    return (await this.q.findUserByToken.get([tokenHash])) as (UserRecord & { tokenId: number }) | undefined;
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.q.listUsers.all([])) as UserRecord[];
  }

  async usersAfter(afterKey: string, limit: number): Promise<UserSummary[]> {
    return (await this.q.usersAfter.all([afterKey, limit])) as UserSummary[];
  }

  async findConversation(key: string): Promise<ConversationRecord | undefined> {
    return (await this.q.findConversation.get([key])) as ConversationRecord | undefined;
  }

  async privatePartners(userId: number): Promise<number[]> {
    return ((await this.q.privatePartners.all([userId])) as { userId: number }[]).map((row) => row.userId);
  }

  async pendingConversations(userId: number): Promise<PendingConversation[]> {
    return (await this.q.pendingConversations.all([userId, userId])) as PendingConversation[];
  }

  async pendingIn(
    convId: number,
    userId: number,
    range: { afterSeq: number; beforeSeq: number; belowId: number },
    limit: number,
  ): Promise<StoredMessage[]> {
    const params = [convId, range.afterSeq, range.beforeSeq, range.belowId, userId, limit];
    return (await this.q.pendingIn.all(params)) as StoredMessage[];
  }

  async catchUpFor(
    userId: number,
    everyoneId: number,
    fromId: number,
    belowId: number,
    limit: number,
  ): Promise<StoredMessage[]> {
    const params = [fromId, belowId, userId, everyoneId, userId, limit];
    return (await this.q.catchUpFor.all(params)) as StoredMessage[];
  }

  async messagesBetween(fromId: number, belowId: number, limit: number): Promise<StoredMessage[]> {
    return (await this.q.messagesBetween.all([fromId, belowId, limit])) as StoredMessage[];
  }

  async history(convId: number, query: HistoryQuery): Promise<StoredMessage[]> {
    const { before, after, limit } = query;
    const q = this.q;
    if (after !== undefined && before !== undefined)
      return (await q.historyBetween.all([convId, after, before, limit])) as StoredMessage[];
    if (after !== undefined) return (await q.historyAfter.all([convId, after, limit])) as StoredMessage[];
    const rows =
      before !== undefined
        ? await q.historyBefore.all([convId, before, limit])
        : await q.historyNewest.all([convId, limit]);
    return (rows as StoredMessage[]).reverse();
  }

  /** Commits what is left and closes; the database is closed even when that commit fails (then it throws). */
  close(): Promise<void> {
    return this.driver.close();
  }
}
