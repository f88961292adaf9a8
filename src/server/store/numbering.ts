/**
 * Who gives messages their id and `seq`, and conversations their id (#15: the store does, never the
 * domain). Two ways, picked by the dialect (Dialect.numbering):
 *
 * - ProcessNumbering: one process owns the database (SQLite, with the data-directory lock), so it counts
 *   in memory, from the highest stored or saved id, and answers at once: the hot path stays synchronous.
 * - CommitNumbering: several nodes share the database (PostgreSQL). The inserts number their rows inside
 *   the commit's transaction from counter rows that stay locked until it commits, so message ids follow
 *   commit order across every node: a message with id N being visible means every id below N is too,
 *   which is what a login's `since`, the catch-up of a reader and the cursors rest on (docs/scaling.md).
 *   The answer comes once the commit is done.
 *
 * Either way an id is never handed out twice, even after the rows holding it were deleted.
 */
import type { MaybePromise, PreparedQuery } from './drivers/driver.js';
import type { QueryName } from './queries.js';
import type { ConversationInsert, NewConversation, NewMessage, ResentQuery, StoredMessage } from './store.js';

type Queries = Record<QueryName, PreparedQuery>;

export interface Numbering {
  /** Every message stored now has an id below this (where the domain's watermark starts). */
  messagesBelow(): MaybePromise<number>;
  appendMessage(m: NewMessage): MaybePromise<StoredMessage>;
  insertConversation(
    conv: NewConversation,
    createdBy: number | null,
    createdAt: string,
    memberIds: readonly number[],
  ): MaybePromise<ConversationInsert>;
  /** Before a conversation's rows are deleted: they may hold the highest ids, which must not come back. */
  beforeDelete(convId: number): void;
  /** The writes since the last commit were dropped (rolled back, or their commit failed). */
  forgetUncommitted(): void;
  /**
   * A message matching a resend check that is appended but not committed yet, as it will be once
   * stored; undefined when none (then the committed rows answer). Only a store whose answers wait for
   * the commit has such messages.
   */
  pendingResend(q: ResentQuery): Promise<StoredMessage> | undefined;
}

const ownerOf = (conv: NewConversation, createdBy: number | null) => (conv.kind === 'room' ? createdBy : null);

/** Counting in memory: for a database one process owns, whose queries answer at once. */
export class ProcessNumbering implements Numbering {
  private nextMessage = 1;
  private nextConversation = 1;
  /** Each conversation's highest seq, read from the table on first use. */
  private readonly lastSeqs = new Map<number, number>();

  constructor(private readonly q: Queries) {
    this.readCounters();
  }

  /** Past the highest stored id and past what was saved before rows were deleted. */
  private readCounters(): void {
    const saved = new Map((this.q.counters.all([]) as { name: string; value: number }[]).map((c) => [c.name, c.value]));
    const next = (query: 'nextMessageId' | 'nextConversationId', counter: string) =>
      Math.max((this.q[query].get([]) as { n: number }).n, saved.get(counter) ?? 0);
    this.nextMessage = next('nextMessageId', 'next_message_id');
    this.nextConversation = next('nextConversationId', 'next_conversation_id');
    this.lastSeqs.clear();
  }

  messagesBelow(): number {
    return this.nextMessage;
  }

  appendMessage(m: NewMessage): StoredMessage {
    const id = this.nextMessage;
    const seq = (this.lastSeqs.get(m.convId) ?? (this.q.lastSeq.get([m.convId]) as { n: number }).n) + 1;
    const clientRef = m.clientRef ?? null;
    const fileId = m.fileId ?? null;
    void this.q.insertMessage.write([
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
      clientRef,
      fileId,
    ]);
    this.nextMessage = id + 1;
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
      clientRef,
      fileId,
    };
  }

  insertConversation(
    conv: NewConversation,
    createdBy: number | null,
    createdAt: string,
    memberIds: readonly number[],
  ): ConversationInsert {
    const id = this.nextConversation;
    const row = [id, conv.kind, conv.key, conv.name, createdBy, ownerOf(conv, createdBy), createdAt];
    const { changes } = this.q.insertConversation.write(row) as { changes: number };
    if (changes === 0) return { id: (this.q.conversationId.get([conv.key]) as { id: number }).id, created: false };
    this.nextConversation = id + 1;
    this.lastSeqs.set(id, 0);
    for (const userId of memberIds) void this.q.insertMember.write([id, userId, 0, createdAt]);
    return { id, created: true };
  }

  beforeDelete(convId: number): void {
    void this.q.saveCounter.write(['next_conversation_id', this.nextConversation]);
    void this.q.saveCounter.write(['next_message_id', this.nextMessage]);
    this.lastSeqs.delete(convId);
  }

  forgetUncommitted(): void {
    this.readCounters();
  }

  pendingResend(): undefined {
    return undefined; // every append is readable at once
  }
}

/** Numbering in the commit's transaction: for a database several nodes share. */
export class CommitNumbering implements Numbering {
  /**
   * Appends with a request id not committed yet, by sender and request id: the resend check answers
   * them from here, so it never has to commit everyone's queued writes early to see them.
   */
  private readonly pending = new Map<string, { message: NewMessage; stored: Promise<StoredMessage> }>();

  constructor(private readonly q: Queries) {}

  pendingResend(q: ResentQuery): Promise<StoredMessage> | undefined {
    const entry = this.pending.get(`${q.senderId}:${q.clientRef}`);
    if (entry === undefined) return undefined;
    const m = entry.message;
    const same =
      m.kind === q.kind && m.receiver.toLowerCase() === q.receiverKey && m.text === q.text && m.ts >= q.since;
    return same ? entry.stored : undefined;
  }

  async messagesBelow(): Promise<number> {
    const counters = (await this.q.counters.all([])) as { name: string; value: number }[];
    return counters.find((c) => c.name === 'next_message_id')?.value ?? 1;
  }

  appendMessage(m: NewMessage): Promise<StoredMessage> {
    const stored = this.append(m);
    if (m.clientRef == null || m.senderId === null) return stored;
    const key = `${m.senderId}:${m.clientRef}`;
    const entry = { message: m, stored };
    this.pending.set(key, entry);
    const settled = () => {
      if (this.pending.get(key) === entry) this.pending.delete(key);
    };
    stored.then(settled, settled);
    return stored;
  }

  private async append(m: NewMessage): Promise<StoredMessage> {
    const clientRef = m.clientRef ?? null;
    const fileId = m.fileId ?? null;
    const result = await this.q.insertMessage.write([
      m.convId,
      m.kind,
      m.event,
      m.senderId,
      m.sender,
      m.receiver,
      m.text,
      m.ts,
      clientRef,
      fileId,
    ]);
    const row = result.row as { id: number; seq: number } | undefined;
    // No row: the conversation was deleted (by another node) before this commit numbered the message.
    if (row === undefined) throw new Error(`conversation ${m.convId} no longer exists; the message was not stored`);
    return { ...m, id: row.id, seq: row.seq, clientRef, fileId };
  }

  async insertConversation(
    conv: NewConversation,
    createdBy: number | null,
    createdAt: string,
    memberIds: readonly number[],
  ): Promise<ConversationInsert> {
    const result = await this.q.insertConversation.write([
      conv.kind,
      conv.key,
      conv.name,
      createdBy,
      ownerOf(conv, createdBy),
      createdAt,
      createdAt,
      [...memberIds],
    ]);
    const made = result.row as { id: number } | undefined;
    if (made !== undefined) return { id: made.id, created: true };
    // Another node (or request) made it first: its commit is done, since ours waited on its key.
    const found = (await this.q.conversationId.get([conv.key])) as { id: number } | undefined;
    if (found === undefined) throw new Error(`conversation ${conv.key} was made and deleted meanwhile`);
    return { id: found.id, created: false };
  }

  beforeDelete(): void {
    // The counter rows only ever go up: nothing to save.
  }

  forgetUncommitted(): void {
    // Nothing is counted here: a rolled-back transaction took its counter updates with it.
  }
}
