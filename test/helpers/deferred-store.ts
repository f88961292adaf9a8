/**
 * A store with PostgreSQL's timing, on SQLite (#15), so the domain's asynchronous path runs on every CI
 * run without PostgreSQL. The SQLite store underneath does the work at once, but the ids a tick's
 * appendMessage and insertConversation got are told only after that tick's commit, on a later turn of the
 * event loop, and every commit resolves on a later turn: what a commit over the network does. A test may
 * make the next commit fail (failNextCommit): its writes are rolled back and its promises rejected; or
 * play a database that cannot be reached (reachable = false, #15): every commit fails with
 * StoreUnreachable and so does probe(), until it is reachable again.
 */
import type { SqlStore } from '../../src/server/store/sql-store.js';
import { StoreUnreachable } from '../../src/server/store/unreachable.js';
import type {
  ConversationInsert,
  NewConversation,
  NewMessage,
  Store,
  StoredMessage,
} from '../../src/server/store/store.js';

/** A result of the open tick, told once the tick is committed (or rejected when that failed). */
interface Waiting {
  settle(): void;
  fail(err: unknown): void;
}

/** What a test may do to a deferred store besides using it as a Store. */
export interface DeferredControls {
  /**
   * The next commit (or, with `skip`, the one after `skip` more) fails with `err`: nothing of its tick
   * is stored, and its promises reject.
   */
  failNextCommit(err: Error, skip?: number): void;
  /**
   * The next commit is stored, but answered with `err` (#15: a connection reset right after COMMIT
   * reached the database): its promises reject as if nothing was stored.
   */
  loseNextCommitAnswer(err: Error): void;
  /** False: every commit fails as a database that cannot be reached, and so does every probe (#15). */
  reachable: boolean;
  /** How many commits so far waited for a later turn. */
  readonly commits: number;
}

/** The methods whose timing a deferred store changes; everything else is the SQLite store's own. */
class DeferredCommits implements DeferredControls {
  private waiting: Waiting[] = [];
  private failure: Error | null = null;
  /** Commits to let through before `failure` applies. */
  private failAfter = 0;
  /** The next commit's answer is lost with this error (its writes are stored). */
  private lostAnswer: Error | null = null;
  commits = 0;
  reachable = true;
  /** A write was recorded since the last commit: an unreachable database fails only such a commit (as PostgreSQL's, which sends nothing otherwise). */
  wrote = false;

  constructor(private readonly inner: SqlStore) {}

  appendMessage(message: NewMessage): Promise<StoredMessage> {
    return this.afterCommit(this.inner.appendMessage(message));
  }

  insertConversation(
    conv: NewConversation,
    createdBy: number | null,
    createdAt: string,
    memberIds?: readonly number[],
  ): Promise<ConversationInsert> {
    return this.afterCommit(this.inner.insertConversation(conv, createdBy, createdAt, memberIds));
  }

  commit(): Promise<void> {
    const waiting = this.waiting;
    this.waiting = [];
    const due = this.failure !== null && this.failAfter-- <= 0;
    const failure = (due ? this.failure : null) ?? (this.reachable || !this.wrote ? null : unreachable());
    if (due) this.failure = null;
    this.wrote = false;
    this.commits++;
    let err: Error | null = failure;
    if (failure) this.inner.rollback();
    else {
      try {
        // PostgreSQL's timing is played on a store that answers at once (SQLite), never on a slow one.
        if (this.inner.commit() instanceof Promise) throw new Error('a deferred store wraps a synchronous store');
        err = this.lostAnswer;
        this.lostAnswer = null;
      } catch (commitErr) {
        err = commitErr instanceof Error ? commitErr : new Error(String(commitErr));
      }
    }
    return new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        if (err) {
          for (const w of waiting) w.fail(err);
          reject(err);
        } else {
          for (const w of waiting) w.settle();
          resolve();
        }
      }),
    );
  }

  probe(): void {
    if (!this.reachable) throw unreachable();
  }

  loseNextCommitAnswer(err: Error): void {
    this.lostAnswer = err;
  }

  failNextCommit(err: Error, skip = 0): void {
    this.failure = err;
    this.failAfter = skip;
  }

  private afterCommit<T>(value: T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => this.waiting.push({ settle: () => resolve(value), fail: reject }));
  }
}

function unreachable(): StoreUnreachable {
  return new StoreUnreachable(new Error('connect ECONNREFUSED (a test made the database unreachable)'));
}

/** The Store's writes: what makes a commit have something to send. */
const WRITES = new Set<string | symbol>([
  'insertUser',
  'setPassword',
  'setRole',
  'setMutedUntil',
  'insertToken',
  'insertTokenIfPassword',
  'setPasswordIf',
  'setFirstPassword',
  'releaseName',
  'recordAdminEvent',
  'deleteToken',
  'deleteTokens',
  'insertInvite',
  'useInvite',
  'insertConversation',
  'setRoomOwner',
  'deleteConversation',
  'insertMember',
  'joinMember',
  'deleteMember',
  'appendMessage',
  'advanceCursors',
  'insertFile',
  'completeFile',
  'deleteFile',
]);

const DEFERRED = new Set<string | symbol>([
  'probe',
  'reachable',
  'appendMessage',
  'insertConversation',
  'commit',
  'failNextCommit',
  'loseNextCommitAnswer',
  'commits',
]);

/** `inner` with PostgreSQL's timing: the Store to give a server or a Chat, and the test's controls. */
export function deferredStore(inner: SqlStore): Store & DeferredControls {
  const commits = new DeferredCommits(inner);
  return new Proxy(inner, {
    set(target, prop, value) {
      return DEFERRED.has(prop) ? Reflect.set(commits, prop, value) : Reflect.set(target, prop, value);
    },
    get(target, prop) {
      if (WRITES.has(prop)) commits.wrote = true;
      const owner: object = DEFERRED.has(prop) ? commits : target;
      const value: unknown = Reflect.get(owner, prop);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(owner) : value;
    },
  }) as unknown as Store & DeferredControls;
}
