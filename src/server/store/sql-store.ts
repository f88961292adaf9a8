/**
 * The one Store over SQL (design §4.3, §6): it holds the queries' parameters and maps their rows, once,
 * over a SqlDriver (drivers/) that runs them on SQLite or PostgreSQL. Results pass through as the
 * driver gives them, so a method is synchronous on SQLite and a promise on PostgreSQL where the Store
 * interface allows either (`T | Promise<T>`).
 */
import type { MaybePromise, SqlDriver, WriteResult } from './drivers/driver.js';
import type {
  AdminEvent,
  AdminEventKind,
  ConversationRecord,
  FileRecord,
  HistoryQuery,
  InitialState,
  MemberRecord,
  NewFile,
  NewUser,
  PendingConversation,
  RepeatedUploadQuery,
  ResentQuery,
  Role,
  RoomRecord,
  Store,
  StoredMessage,
  UserRecord,
  UserSummary,
} from './store.js';

/** `f(value)` now when `value` is here, after it when it is a promise. */
function map<T, U>(value: MaybePromise<T>, f: (value: T) => U): MaybePromise<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}

const changed = (result: WriteResult): boolean => result.changes > 0;
const newId = (result: WriteResult): number => Number(result.lastInsertRowid);

export class SqlStore implements Store {
  constructor(protected readonly driver: SqlDriver) {}

  private write(name: Parameters<SqlDriver['write']>[0], params: readonly unknown[]): MaybePromise<WriteResult> {
    return this.driver.write(name, params);
  }

  async load(): Promise<InitialState> {
    const d = this.driver;
    const counters = (await d.all('counters', [])) as { name: string; value: number }[];
    const saved = new Map(counters.map((c) => [c.name, c.value]));
    const next = async (name: 'nextConversationId' | 'nextMessageId', counter: string) =>
      Math.max(((await d.get(name, [])) as { n: number }).n, saved.get(counter) ?? 0);
    const rooms = new Map<number, RoomRecord>();
    for (const room of (await d.all('rooms', [])) as Omit<RoomRecord, 'members'>[])
      rooms.set(room.id, { ...room, members: [] });
    for (const row of (await d.all('roomMembers', [])) as (MemberRecord & { convId: number })[]) {
      rooms.get(row.convId)?.members.push({ userId: row.userId, name: row.name, key: row.key, cursor: row.cursor });
    }
    return {
      nextConversationId: await next('nextConversationId', 'next_conversation_id'),
      nextMessageId: await next('nextMessageId', 'next_message_id'),
      rooms: [...rooms.values()],
      everyone: (await d.get('findConversation', ['everyone'])) as ConversationRecord | undefined,
      waitingBytes: (await d.all('waitingBytes', [])) as { userId: number; bytes: number }[],
    };
  }

  async insertUser(user: NewUser, createdAt: string): Promise<number> {
    return newId(await this.write('insertUser', [user.name, user.key, createdAt, user.passwordHash, user.role]));
  }

  setPassword(userId: number, passwordHash: string): void {
    void this.write('setPassword', [passwordHash, userId]);
  }

  setRole(userId: number, role: Role): void {
    void this.write('setRole', [role, userId]);
  }

  setMutedUntil(userId: number, until: string | null): void {
    void this.write('setMutedUntil', [until, userId]);
  }

  async insertToken(tokenHash: string, userId: number, createdAt: string): Promise<number> {
    return newId(await this.write('insertToken', [tokenHash, userId, createdAt]));
  }

  async insertTokenIfPassword(
    tokenHash: string,
    userId: number,
    passwordHash: string,
    createdAt: string,
  ): Promise<number | null> {
    const result = await this.write('insertTokenIfPassword', [tokenHash, createdAt, userId, passwordHash]);
    return result.changes === 0 ? null : newId(result);
  }

  setPasswordIf(userId: number, passwordHash: string, expected: string): MaybePromise<boolean> {
    return map(this.write('setPasswordIf', [passwordHash, userId, expected]), changed);
  }

  setFirstPassword(userId: number, passwordHash: string, whileClaimed: boolean): MaybePromise<boolean> {
    return map(
      this.write(whileClaimed ? 'setFirstPasswordIfClaimed' : 'setFirstPassword', [passwordHash, userId]),
      changed,
    );
  }

  releaseName(userId: number): void {
    void this.write('releaseName', [userId]);
  }

  recordAdminEvent(userId: number, kind: AdminEventKind, createdAt: string): void {
    void this.write('insertAdminEvent', [userId, kind, createdAt]);
  }

  async lastAdminEventId(): Promise<number> {
    return ((await this.driver.get('lastAdminEventId', [])) as { n: number }).n;
  }

  async adminEventsAfter(afterId: number, limit: number): Promise<AdminEvent[]> {
    return (await this.driver.all('adminEventsAfter', [afterId, limit])) as AdminEvent[];
  }

  deleteToken(tokenId: number): void {
    void this.write('deleteToken', [tokenId]);
  }

  deleteTokens(userId: number): void {
    void this.write('deleteTokens', [userId]);
  }

  insertInvite(codeHash: string, uses: number, expiresAt: string, createdAt: string): void {
    void this.write('insertInvite', [codeHash, uses, expiresAt, createdAt]);
  }

  useInvite(codeHash: string, now: string): MaybePromise<boolean> {
    return map(this.write('useInvite', [codeHash, now]), (result) => result.changes === 1);
  }

  insertConversation(conv: Omit<ConversationRecord, 'lastSeq'>, createdBy: number | null, createdAt: string): void {
    const owner = conv.kind === 'room' ? createdBy : null;
    void this.write('insertConversation', [conv.id, conv.kind, conv.key, conv.name, createdBy, owner, createdAt]);
  }

  setRoomOwner(convId: number, ownerId: number | null): void {
    void this.write('setRoomOwner', [ownerId, convId]);
  }

  deleteConversation(convId: number): void {
    void this.write('deleteConversation', [convId]);
  }

  saveCounters(next: { conversation: number; message: number }): void {
    void this.write('saveCounter', ['next_conversation_id', next.conversation]);
    void this.write('saveCounter', ['next_message_id', next.message]);
  }

  insertMember(convId: number, userId: number, cursor: number, joinedAt: string): void {
    void this.write('insertMember', [convId, userId, cursor, joinedAt]);
  }

  deleteMember(convId: number, userId: number): void {
    void this.write('deleteMember', [convId, userId]);
  }

  insertMessage(m: StoredMessage): void {
    void this.write('insertMessage', [
      m.id,
      m.convId,
      m.seq,
      m.kind,
      m.event,
      m.senderId,
      m.sender,
      m.receiver,
      m.text,
      m.ts,
      m.clientRef ?? null,
      m.fileId ?? null,
    ]);
  }

  advanceCursors(userId: number, belowId: number): void {
    void this.write('advanceCursors', [belowId, userId]);
    void this.write('advanceEveryoneCursor', [belowId, userId]);
  }

  commit(): void | Promise<void> {
    return this.driver.commit();
  }

  async insertFile(f: NewFile): Promise<number> {
    return newId(
      await this.write('insertFile', [
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
    void this.write('completeFile', [completedAt, fileId]);
  }

  deleteFile(fileId: number): void {
    void this.write('deleteFile', [fileId]);
  }

  async findFile(fileId: number): Promise<FileRecord | undefined> {
    return (await this.driver.get('findFile', [fileId])) as FileRecord | undefined;
  }

  async findUnfinishedUpload(
    senderId: number,
    convId: number,
    size: number,
    sha256: string,
  ): Promise<FileRecord | undefined> {
    return (await this.driver.get('findUnfinishedUpload', [senderId, convId, size, sha256])) as FileRecord | undefined;
  }

  async findRepeatedUpload(q: RepeatedUploadQuery): Promise<StoredMessage | undefined> {
    const params = [q.senderId, q.clientRef, q.convId, q.size, q.sha256, q.since];
    return (await this.driver.get('findRepeatedUpload', params)) as StoredMessage | undefined;
  }

  async filesIn(convId: number, limit: number): Promise<FileRecord[]> {
    return (await this.driver.all('filesIn', [convId, limit])) as FileRecord[];
  }

  async filesOf(userId: number, limit: number): Promise<FileRecord[]> {
    return (await this.driver.all('filesOf', [userId, limit])) as FileRecord[];
  }

  async unfinishedUploadsOf(senderId: number): Promise<FileRecord[]> {
    return (await this.driver.all('unfinishedUploadsOf', [senderId])) as FileRecord[];
  }

  async unfinishedUploadsIn(convId: number): Promise<FileRecord[]> {
    return (await this.driver.all('unfinishedUploadsIn', [convId])) as FileRecord[];
  }

  async bytesStoredBy(userId: number): Promise<number> {
    return ((await this.driver.get('bytesStoredBy', [userId])) as { n: number }).n;
  }

  async expiredFiles(createdBefore: string, abandonedBefore: string, limit: number): Promise<FileRecord[]> {
    return (await this.driver.all('expiredFiles', [createdBefore, abandonedBefore, limit])) as FileRecord[];
  }

  async sha256InUse(sha256: string): Promise<boolean> {
    return (await this.driver.get('sha256InUse', [sha256])) !== undefined;
  }

  async findUser(key: string): Promise<UserRecord | undefined> {
    return (await this.driver.get('findUser', [key])) as UserRecord | undefined;
  }

  findResent(q: ResentQuery): MaybePromise<StoredMessage | undefined> {
    // Synchronous on SQLite: it runs for every message that carries a request id.
    return this.driver.get('findResent', [
      q.senderId,
      q.clientRef,
      q.kind,
      q.receiverKey,
      q.text,
      q.since,
    ]) as MaybePromise<StoredMessage | undefined>;
  }

  async hasToken(userId: number): Promise<boolean> {
    return (await this.driver.get('hasToken', [userId])) !== undefined;
  }

  async findUserByToken(tokenHash: string): Promise<(UserRecord & { tokenId: number }) | undefined> {
    return (await this.driver.get('findUserByToken', [tokenHash])) as (UserRecord & { tokenId: number }) | undefined;
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.driver.all('listUsers', [])) as UserRecord[];
  }

  async usersAfter(afterKey: string, limit: number): Promise<UserSummary[]> {
    return (await this.driver.all('usersAfter', [afterKey, limit])) as UserSummary[];
  }

  async findConversation(key: string): Promise<ConversationRecord | undefined> {
    return (await this.driver.get('findConversation', [key])) as ConversationRecord | undefined;
  }

  async privatePartners(userId: number): Promise<number[]> {
    return ((await this.driver.all('privatePartners', [userId])) as { userId: number }[]).map((row) => row.userId);
  }

  async pendingConversations(userId: number): Promise<PendingConversation[]> {
    return (await this.driver.all('pendingConversations', [userId, userId])) as PendingConversation[];
  }

  async pendingIn(
    convId: number,
    userId: number,
    range: { afterSeq: number; beforeSeq: number; belowId: number },
    limit: number,
  ): Promise<StoredMessage[]> {
    const params = [convId, range.afterSeq, range.beforeSeq, range.belowId, userId, limit];
    return (await this.driver.all('pendingIn', params)) as StoredMessage[];
  }

  async catchUpFor(
    userId: number,
    everyoneId: number,
    fromId: number,
    belowId: number,
    limit: number,
  ): Promise<StoredMessage[]> {
    const params = [fromId, belowId, userId, everyoneId, userId, limit];
    return (await this.driver.all('catchUpFor', params)) as StoredMessage[];
  }

  async history(convId: number, query: HistoryQuery): Promise<StoredMessage[]> {
    const { before, after, limit } = query;
    const d = this.driver;
    if (after !== undefined && before !== undefined)
      return (await d.all('historyBetween', [convId, after, before, limit])) as StoredMessage[];
    if (after !== undefined) return (await d.all('historyAfter', [convId, after, limit])) as StoredMessage[];
    const rows =
      before !== undefined
        ? await d.all('historyBefore', [convId, before, limit])
        : await d.all('historyNewest', [convId, limit]);
    return (rows as StoredMessage[]).reverse();
  }

  /** Commits what is left and closes; the database is closed even when that commit fails (then it throws). */
  close(): Promise<void> {
    return this.driver.close();
  }
}
