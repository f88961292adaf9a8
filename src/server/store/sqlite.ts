/**
 * The default Store: one SQLite file (better-sqlite3, WAL). Writes run at once inside a transaction
 * that the first write of a tick opens and `commit()` closes, so reads in the same tick see them and a
 * whole tick costs one commit (group commit, issue #2).
 *
 * Checkpoints (copying the log back into the database file) run on a one-second timer instead of
 * SQLite's default of every 1,000 pages: each one stalls the event loop for a few milliseconds, and
 * at low load the default made that happen dozens of times a second (the tail of the latency, issue #2).
 *
 * Durability: `synchronous = NORMAL` in WAL mode survives a crash of the process (kill -9) but may lose
 * the last commits on power loss; `--sync full` trades speed for that (docs/operations.md).
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS } from './schema.js';
import { SQL } from './queries.js';
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
  UserRecord,
  UserSummary,
} from './store.js';

export interface SqliteOptions {
  /** Directory that holds classchat.db; created if missing. ':memory:' for a throwaway database. */
  dataDir: string;
  sync?: 'normal' | 'full';
  /** Told when a checkpoint fails (the log keeps growing until one succeeds). */
  onCheckpointFailure?: (err: unknown) => void;
  /**
   * Tests only (issue #11.12): lets the database grow by this many pages, then SQLite reports
   * SQLITE_FULL as on a full disk. Set from CLASSCHAT_TEST_DB_SPARE_PAGES by the server.
   */
  spareDbPages?: number;
}

/** How often the write-ahead log is copied back into the database file, when anything was written. */
const CHECKPOINT_INTERVAL_MS = 1000;

type Statements = { [K in keyof typeof SQL]: Database.Statement };

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly q: Statements;
  private readonly begin: Database.Statement;
  private readonly end: Database.Statement;
  private inTransaction = false;
  /** A write of this transaction failed on the disk (issue #11.12): its commit must fail too. */
  private failedWrite: Error | null = null;
  private committedSinceCheckpoint = false;
  private readonly checkpointTimer: NodeJS.Timeout | null = null;
  /**
   * The ids and seqs this store hands out (#15: the store assigns them, not the domain). One process
   * owns a SQLite file, so they are counted here, from the highest stored (or saved) at open.
   */
  private readonly ids = { message: 1, conversation: 1 };
  /** Each conversation's highest seq, read from the table on first use. */
  private readonly lastSeqs = new Map<number, number>();

  constructor(options: SqliteOptions) {
    const file = options.dataDir === ':memory:' ? ':memory:' : path.join(options.dataDir, 'classchat.db');
    if (file !== ':memory:') fs.mkdirSync(options.dataDir, { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.sync === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    if (options.spareDbPages !== undefined) {
      const pages = this.db.pragma('page_count', { simple: true }) as number;
      this.db.pragma(`max_page_count = ${pages + options.spareDbPages}`);
    }
    this.q = Object.fromEntries(Object.entries(SQL).map(([name, sql]) => [name, this.db.prepare(sql)])) as Statements;
    this.begin = this.db.prepare('BEGIN');
    this.end = this.db.prepare('COMMIT');
    this.readCounters();
    if (file !== ':memory:') {
      this.db.pragma('wal_autocheckpoint = 0');
      const checkpoint = this.db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
      this.checkpointTimer = setInterval(() => {
        if (!this.committedSinceCheckpoint || this.inTransaction) return;
        this.committedSinceCheckpoint = false;
        try {
          checkpoint.run();
        } catch (err) {
          options.onCheckpointFailure?.(err);
        }
      }, CHECKPOINT_INTERVAL_MS).unref();
    }
  }

  private migrate(): void {
    const applied = this.db.pragma('user_version', { simple: true }) as number;
    for (let version = applied; version < MIGRATIONS.length; version++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[version]!);
        this.db.pragma(`user_version = ${version + 1}`);
      })();
    }
  }

  /**
   * Where the ids stand: past the highest stored, and past what was saved before rows were deleted,
   * so that an id is never handed out twice, even across restarts. Also after a rollback: what the
   * failed transaction took is free again.
   */
  private readCounters(): void {
    const saved = new Map((this.q.counters.all() as { name: string; value: number }[]).map((c) => [c.name, c.value]));
    const next = (stmt: Database.Statement, counter: string) =>
      Math.max((stmt.get() as { n: number }).n, saved.get(counter) ?? 0);
    this.ids.message = next(this.q.nextMessageId, 'next_message_id');
    this.ids.conversation = next(this.q.nextConversationId, 'next_conversation_id');
    this.lastSeqs.clear();
  }

  async load(): Promise<InitialState> {
    const rooms = new Map<number, RoomRecord>();
    for (const room of this.q.rooms.all() as Omit<RoomRecord, 'members'>[])
      rooms.set(room.id, { ...room, members: [] });
    for (const row of this.q.roomMembers.all() as (MemberRecord & { convId: number })[]) {
      rooms.get(row.convId)?.members.push({ userId: row.userId, name: row.name, key: row.key, cursor: row.cursor });
    }
    return {
      messagesBelow: this.ids.message,
      rooms: [...rooms.values()],
      everyone: this.q.findConversation.get('everyone') as ConversationRecord | undefined,
      waitingBytes: this.q.waitingBytes.all() as { userId: number; bytes: number }[],
    };
  }

  /** Opens the tick's transaction on its first write. */
  private write(stmt: Database.Statement, ...params: unknown[]): Database.RunResult {
    if (!this.inTransaction) {
      this.begin.run();
      this.inTransaction = true;
    }
    // After a disk error SQLite may have rolled the transaction back by itself; a later write of the
    // same tick would then run (and commit) on its own. The tick is lost: refuse the rest of it.
    if (this.failedWrite !== null) throw this.failedWrite;
    try {
      return stmt.run(...params);
    } catch (err) {
      // Issue #11.12: a full or failing disk surfaced in the middle of a tick (SQLite reports it when a
      // write needs a new page, not only at COMMIT). The transaction holds the rest of the tick, so it
      // must not commit: the tick's commit fails with this error and the server stops cleanly.
      if (isDiskError(err)) this.failedWrite ??= err;
      throw err;
    }
  }

  async insertUser(user: NewUser, createdAt: string): Promise<number> {
    return Number(
      this.write(this.q.insertUser, user.name, user.key, createdAt, user.passwordHash, user.role).lastInsertRowid,
    );
  }

  setPassword(userId: number, passwordHash: string): void {
    this.write(this.q.setPassword, passwordHash, userId);
  }

  setRole(userId: number, role: Role): void {
    this.write(this.q.setRole, role, userId);
  }

  setMutedUntil(userId: number, until: string | null): void {
    this.write(this.q.setMutedUntil, until, userId);
  }

  async insertToken(tokenHash: string, userId: number, createdAt: string): Promise<number> {
    return Number(this.write(this.q.insertToken, tokenHash, userId, createdAt).lastInsertRowid);
  }

  async insertTokenIfPassword(
    tokenHash: string,
    userId: number,
    passwordHash: string,
    createdAt: string,
  ): Promise<number | null> {
    const result = this.write(this.q.insertTokenIfPassword, tokenHash, createdAt, userId, passwordHash);
    return result.changes === 0 ? null : Number(result.lastInsertRowid);
  }

  setPasswordIf(userId: number, passwordHash: string, expected: string): boolean {
    return this.write(this.q.setPasswordIf, passwordHash, userId, expected).changes > 0;
  }

  setFirstPassword(userId: number, passwordHash: string, whileClaimed: boolean): boolean {
    return (
      this.write(whileClaimed ? this.q.setFirstPasswordIfClaimed : this.q.setFirstPassword, passwordHash, userId)
        .changes > 0
    );
  }

  releaseName(userId: number): void {
    this.write(this.q.releaseName, userId);
  }

  recordAdminEvent(userId: number, kind: AdminEventKind, createdAt: string): void {
    this.write(this.q.insertAdminEvent, userId, kind, createdAt);
  }

  async lastAdminEventId(): Promise<number> {
    return (this.q.lastAdminEventId.get() as { n: number }).n;
  }

  async adminEventsAfter(afterId: number, limit: number): Promise<AdminEvent[]> {
    return this.q.adminEventsAfter.all(afterId, limit) as AdminEvent[];
  }

  deleteToken(tokenId: number): void {
    this.write(this.q.deleteToken, tokenId);
  }

  deleteTokens(userId: number): void {
    this.write(this.q.deleteTokens, userId);
  }

  insertInvite(codeHash: string, uses: number, expiresAt: string, createdAt: string): void {
    this.write(this.q.insertInvite, codeHash, uses, expiresAt, createdAt);
  }

  useInvite(codeHash: string, now: string): boolean {
    return this.write(this.q.useInvite, codeHash, now).changes === 1;
  }

  insertConversation(
    conv: NewConversation,
    createdBy: number | null,
    createdAt: string,
    memberIds: readonly number[] = [],
  ): ConversationInsert {
    const id = this.ids.conversation;
    const owner = conv.kind === 'room' ? createdBy : null;
    const { changes } = this.write(
      this.q.insertConversation,
      id,
      conv.kind,
      conv.key,
      conv.name,
      createdBy,
      owner,
      createdAt,
    );
    if (changes === 0) return { id: (this.q.conversationId.get(conv.key) as { id: number }).id, created: false };
    this.ids.conversation = id + 1;
    this.lastSeqs.set(id, 0);
    for (const userId of memberIds) this.write(this.q.insertMember, id, userId, 0, createdAt);
    return { id, created: true };
  }

  setRoomOwner(convId: number, ownerId: number | null): void {
    this.write(this.q.setRoomOwner, ownerId, convId);
  }

  /** Saves the counters first: the deleted rows may hold the highest ids, which must not come back. */
  deleteConversation(convId: number): void {
    this.write(this.q.saveCounter, 'next_conversation_id', this.ids.conversation);
    this.write(this.q.saveCounter, 'next_message_id', this.ids.message);
    this.write(this.q.deleteConversation, convId);
    this.lastSeqs.delete(convId);
  }

  insertMember(convId: number, userId: number, cursor: number, joinedAt: string): void {
    this.write(this.q.insertMember, convId, userId, cursor, joinedAt);
  }

  deleteMember(convId: number, userId: number): void {
    this.write(this.q.deleteMember, convId, userId);
  }

  appendMessage(m: NewMessage): StoredMessage {
    const id = this.ids.message;
    let seq = this.lastSeqs.get(m.convId);
    if (seq === undefined) seq = (this.q.lastSeq.get(m.convId) as { n: number }).n;
    seq++;
    this.write(
      this.q.insertMessage,
      id,
      m.convId,
      seq,
      m.kind,
      m.event,
      m.senderId,
      m.sender,
      m.receiver,
      m.text,
      m.ts,
      m.clientRef ?? null,
      m.fileId ?? null,
    );
    this.ids.message = id + 1;
    this.lastSeqs.set(m.convId, seq);
    return {
      id,
      convId: m.convId,
      seq,
      kind: m.kind,
      event: m.event,
      senderId: m.senderId,
      sender: m.sender,
      receiver: m.receiver,
      text: m.text,
      ts: m.ts,
      clientRef: m.clientRef ?? null,
      fileId: m.fileId ?? null,
    };
  }

  advanceCursors(userId: number, belowId: number): void {
    this.write(this.q.advanceCursors, belowId, userId);
    this.write(this.q.advanceEveryoneCursor, belowId, userId);
  }

  commit(): void {
    if (!this.inTransaction) return;
    this.inTransaction = false;
    const failedWrite = this.failedWrite;
    this.failedWrite = null;
    try {
      if (failedWrite !== null) throw failedWrite;
      this.end.run();
    } catch (err) {
      // Leave the connection usable (the caller stops the server): a failed COMMIT can leave it open.
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.readCounters();
      throw err;
    }
    this.committedSinceCheckpoint = true;
  }

  /**
   * Drops every write recorded since the last commit (#15: a commit that failed, as a test store plays
   * it); the ids and seqs they took are handed out again, since nothing with them was ever stored.
   */
  rollback(): void {
    if (!this.inTransaction) return;
    this.inTransaction = false;
    this.failedWrite = null;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.readCounters();
  }

  async insertFile(f: NewFile): Promise<number> {
    return Number(
      this.write(
        this.q.insertFile,
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
      ).lastInsertRowid,
    );
  }

  completeFile(fileId: number, completedAt: string): void {
    this.write(this.q.completeFile, completedAt, fileId);
  }

  deleteFile(fileId: number): void {
    this.write(this.q.deleteFile, fileId);
  }

  async findFile(fileId: number): Promise<FileRecord | undefined> {
    return this.q.findFile.get(fileId) as FileRecord | undefined;
  }

  async findUnfinishedUpload(
    senderId: number,
    convId: number,
    size: number,
    sha256: string,
  ): Promise<FileRecord | undefined> {
    return this.q.findUnfinishedUpload.get(senderId, convId, size, sha256) as FileRecord | undefined;
  }

  async findRepeatedUpload(q: RepeatedUploadQuery): Promise<StoredMessage | undefined> {
    return this.q.findRepeatedUpload.get(q.senderId, q.clientRef, q.convId, q.size, q.sha256, q.since) as
      StoredMessage | undefined;
  }

  async filesIn(convId: number, limit: number): Promise<FileRecord[]> {
    return this.q.filesIn.all(convId, limit) as FileRecord[];
  }

  async filesOf(userId: number, limit: number): Promise<FileRecord[]> {
    return this.q.filesOf.all(userId, limit) as FileRecord[];
  }

  async unfinishedUploadsOf(senderId: number): Promise<FileRecord[]> {
    return this.q.unfinishedUploadsOf.all(senderId) as FileRecord[];
  }

  async unfinishedUploadsIn(convId: number): Promise<FileRecord[]> {
    return this.q.unfinishedUploadsIn.all(convId) as FileRecord[];
  }

  async bytesStoredBy(userId: number): Promise<number> {
    return (this.q.bytesStoredBy.get(userId) as { n: number }).n;
  }

  async expiredFiles(createdBefore: string, abandonedBefore: string, limit: number): Promise<FileRecord[]> {
    return this.q.expiredFiles.all(createdBefore, abandonedBefore, limit) as FileRecord[];
  }

  async sha256InUse(sha256: string): Promise<boolean> {
    return this.q.sha256InUse.get(sha256) !== undefined;
  }

  async findUser(key: string): Promise<UserRecord | undefined> {
    return this.q.findUser.get(key) as UserRecord | undefined;
  }

  findResent(q: ResentQuery): StoredMessage | undefined {
    return this.q.findResent.get(q.senderId, q.clientRef, q.kind, q.receiverKey, q.text, q.since) as
      StoredMessage | undefined;
  }

  async hasToken(userId: number): Promise<boolean> {
    return this.q.hasToken.get(userId) !== undefined;
  }

  async findUserByToken(tokenHash: string): Promise<(UserRecord & { tokenId: number }) | undefined> {
    return this.q.findUserByToken.get(tokenHash) as (UserRecord & { tokenId: number }) | undefined;
  }

  async listUsers(): Promise<UserRecord[]> {
    return this.q.listUsers.all() as UserRecord[];
  }

  async usersAfter(afterKey: string, limit: number): Promise<UserSummary[]> {
    return this.q.usersAfter.all(afterKey, limit) as UserSummary[];
  }

  async findConversation(key: string): Promise<ConversationRecord | undefined> {
    return this.q.findConversation.get(key) as ConversationRecord | undefined;
  }

  async privatePartners(userId: number): Promise<number[]> {
    return (this.q.privatePartners.all(userId) as { userId: number }[]).map((row) => row.userId);
  }

  async pendingConversations(userId: number): Promise<PendingConversation[]> {
    return this.q.pendingConversations.all(userId, userId) as PendingConversation[];
  }

  async pendingIn(
    convId: number,
    userId: number,
    range: { afterSeq: number; beforeSeq: number; belowId: number },
    limit: number,
  ): Promise<StoredMessage[]> {
    return this.q.pendingIn.all(
      convId,
      range.afterSeq,
      range.beforeSeq,
      range.belowId,
      userId,
      limit,
    ) as StoredMessage[];
  }

  async catchUpFor(
    userId: number,
    everyoneId: number,
    fromId: number,
    belowId: number,
    limit: number,
  ): Promise<StoredMessage[]> {
    return this.q.catchUpFor.all(fromId, belowId, userId, everyoneId, userId, limit) as StoredMessage[];
  }

  async history(convId: number, query: HistoryQuery): Promise<StoredMessage[]> {
    const { before, after, limit } = query;
    if (after !== undefined && before !== undefined)
      return this.q.historyBetween.all(convId, after, before, limit) as StoredMessage[];
    if (after !== undefined) return this.q.historyAfter.all(convId, after, limit) as StoredMessage[];
    const rows =
      before !== undefined ? this.q.historyBefore.all(convId, before, limit) : this.q.historyNewest.all(convId, limit);
    return (rows as StoredMessage[]).reverse();
  }

  /** Commits what is left and closes; the database is closed even when that commit fails (then it throws). */
  async close(): Promise<void> {
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    try {
      this.commit();
      // Leave a compact database file and an empty log behind.
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }
}

/** SQLite's codes for a disk that is full, failing or gone (better-sqlite3's SqliteError puts them in `code`). */
export function isDiskError(err: unknown): err is Error {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^SQLITE_(FULL|IOERR|CORRUPT|CANTOPEN|READONLY|NOTADB)/.test(code);
}
