/**
 * The edge: turns a request line into a validated request and runs its command. Every line gets
 * exactly one reply; bad input gets `bad_request` with what was wrong, and the connection stays open.
 * Preconditions declared by a command (needs a name, request shape) are enforced here, once.
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { Logger } from 'pino';
import { ChatError, ERROR_CODES } from '../protocol/errors.js';
import { wellFormedRequest } from '../protocol/well-formed.js';
import {
  isRequestId,
  MAX_ID_LENGTH,
  RequestSchemas,
  type RequestId,
  type RequestOf,
  type RequestStatus,
} from '../protocol/requests.js';
import type { Chat } from './chat/chat.js';
import { encodeSentReply } from './chat/encode.js';
import { findResent } from './chat/resend.js';
import { retryUnknownRoom } from './cluster/unknown-room.js';
import type { ChatKind } from '../protocol/wire.js';
import type { Command, Context, SentText } from './commands/command.js';
import type { Connection } from './connection.js';
import type { DiskFloor } from './guards/disk-floor.js';
import type { FloodLimiter } from './guards/flood.js';
import type { StoredBytesBudget } from './guards/stored-bytes.js';
import type { Accounts } from './auth/accounts.js';
import type { Files } from './files/files.js';
import { RequestContext } from './request-context.js';
import type { StoreOutage } from './store-outage.js';
import type { StoredMessage } from './store/store.js';
import { StoreUnreachable } from './store/unreachable.js';

/** What a request that needs the database is answered while it cannot be reached (#15). */
export const UNREACHABLE_TEXT =
  'the server cannot reach its database for now, so this was not done; send it again in a moment (reading what is in memory, such as who and rooms, still works)';

interface Entry {
  /** Any command: its handler's request type is the one its status's schema checks. */
  command: Command;
  check: TypeCheck<TSchema>;
}

export class Dispatcher {
  private readonly table = new Map<string, Entry>();

  constructor(
    commands: readonly Command[],
    private readonly chat: Chat,
    private readonly log: Logger,
    private readonly flood: FloodLimiter,
    private readonly accounts: Accounts,
    private readonly files: Files,
    private readonly disk: DiskFloor,
    private readonly budget: StoredBytesBudget,
    private readonly outage: StoreOutage,
  ) {
    for (const command of commands) {
      const schema = RequestSchemas[command.status];
      this.table.set(command.status, { command, check: TypeCompiler.Compile(schema) });
    }
  }

  /** Runs one request line. Returns a promise when the command is still working on it. */
  dispatch(conn: Connection, line: string): void | Promise<void> {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      conn.replyError(
        undefined,
        'bad_request',
        'not valid JSON: send one JSON object per line, e.g. {"status":"help"}',
      );
      return;
    }
    // Issue #11.15: lone surrogates become U+FFFD here, once, for every path after this one.
    value = wellFormedRequest(value, line);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      conn.replyError(undefined, 'bad_request', 'a request is a JSON object, e.g. {"status":"help"}');
      return;
    }
    const request = value as Record<string, unknown>;
    const id = request.id;
    if (id !== undefined && !isRequestId(id)) {
      conn.replyError(
        undefined,
        'bad_request',
        `"id" must be a number or a string of at most ${MAX_ID_LENGTH} characters`,
      );
      return;
    }
    const ref: RequestId | undefined = id;
    const status = request.status;
    if (typeof status !== 'string') {
      conn.replyError(ref, 'bad_request', 'missing "status": it names the command, e.g. {"status":"help"}');
      return;
    }
    const entry = this.table.get(status);
    if (!entry) {
      conn.replyError(
        ref,
        'bad_request',
        `unknown status "${status.slice(0, 40)}"; send {"status":"help"} for the list`,
      );
      return;
    }
    // Shape first: a malformed request is bad_request whether or not the client has registered.
    if (!entry.check.Check(request)) {
      const error = entry.check.Errors(request).First();
      const where = error?.path ? `"${error.path.slice(1)}"` : 'request';
      conn.replyError(ref, 'bad_request', `${status}: ${where}: ${error?.message ?? 'invalid'}`);
      return;
    }
    if (entry.command.needsName && conn.session === null) {
      conn.replyError(ref, 'not_registered');
      return;
    }
    // #15: refused at once, not queued behind a database that does not answer (and may not for minutes).
    if (this.outage.down && !entry.command.inMemory) {
      conn.replyError(ref, 'unavailable', UNREACHABLE_TEXT);
      return;
    }
    // Serialized once: the resend lookup and the stored message use the same text.
    const clientRef = entry.command.resendable && ref !== undefined ? JSON.stringify(ref) : null;
    if (clientRef !== null) {
      let original;
      try {
        original = findResent(this.chat, conn.session!, status as ChatKind, request, clientRef);
      } catch (err) {
        this.failed(this.context(conn, ref, clientRef), status, err);
        return;
      }
      if (original instanceof Promise) {
        return original.then(
          (found) => (found ? this.resent(conn, ref, found) : this.run(entry, conn, request, ref, clientRef, line)),
          (err: unknown) => this.failed(this.context(conn, ref, clientRef), status, err),
        );
      }
      if (original) {
        this.resent(conn, ref, original);
        return;
      }
    }
    return this.run(entry, conn, request, ref, clientRef, line);
  }

  /** The checks that follow validation and a resend lookup, then the command itself. */
  private run(
    entry: Entry,
    conn: Connection,
    request: Record<string, unknown>,
    ref: RequestId | undefined,
    clientRef: string | null,
    line: string,
  ): void | Promise<void> {
    const status = entry.command.status;
    const mutedFor =
      entry.command.speaks && conn.session!.mutedUntil !== 0 ? conn.session!.mutedUntil - this.chat.nowMs() : 0;
    if (mutedFor > 0) {
      conn.replyError(ref, 'muted', `you are muted for ${Math.ceil(mutedFor / 1000)} more seconds`, {
        retry_after_ms: mutedFor,
      });
      return;
    }
    if (entry.command.stores && this.disk.belowFloor()) {
      const mib = Math.floor(this.disk.free / 1_048_576);
      conn.replyError(
        ref,
        'unavailable',
        `the server is low on disk space (${mib} MiB free) and stores nothing new for now; reading still works`,
      );
      return;
    }
    if (entry.command.flood) {
      const verdict = this.flood.take(conn.session!.userId);
      if (!verdict.ok) {
        if (verdict.disconnect) conn.closeWith('flooding', `${ERROR_CODES.flooding}: ignored retry_after_ms too often`);
        else
          conn.replyError(
            ref,
            'rate_limited',
            `too many messages: at most ${this.chat.limits.floodRate} a second; send again in ${verdict.retryAfterMs} ms`,
            { retry_after_ms: verdict.retryAfterMs },
          );
        return;
      }
    }
    if (entry.command.stores === 'message') {
      // The request line's size stands for what it stores (issue #11.12): text, names and all.
      const verdict = this.budget.take(conn.session!.userId, conn.address, Buffer.byteLength(line));
      if (!verdict.ok) {
        const limit =
          verdict.per === 'user' ? this.chat.limits.storedBytesPerHour : this.chat.limits.storedBytesPerHourPerAddress;
        const whose = verdict.per === 'user' ? 'you have' : 'your address has';
        conn.replyError(
          ref,
          'rate_limited',
          `${whose} stored ${Math.round(limit / 1024)} KiB of messages this hour, the most allowed; send again in ${verdict.retryAfterMs} ms`,
          { retry_after_ms: verdict.retryAfterMs },
        );
        return;
      }
    }
    const ctx = this.context(conn, ref, clientRef);
    try {
      // dispatch() checked the request against this command's schema, so it is this command's request.
      const { command } = entry;
      const typed = request as RequestOf<RequestStatus>;
      // Off a cluster there is nothing to retry: no closure on every request's path (issue #16).
      const pending =
        this.chat.cluster === null
          ? command.handle(ctx, typed)
          : retryUnknownRoom(this.chat, () => command.handle(ctx, typed));
      if (pending) return pending.catch((err: unknown) => this.failed(ctx, status, err));
    } catch (err) {
      this.failed(ctx, status, err);
    }
  }

  /**
   * The reply to a resent chat message, read back from the store: SentReply alone, without what the
   * first reply added (a broadcast's `delivered`, a queued private message's note), so the map makes
   * those fields optional (typed: were one required, '' would not compile here).
   */
  private resent(conn: Connection, ref: RequestId | undefined, original: StoredMessage): void {
    const nothingMore: SentText<'private'> & SentText<'group'> & SentText<'broadcast'> = ''; // for each kind
    conn.sendReply(ref, encodeSentReply(ref, original, nothingMore), true);
  }

  private context(conn: Connection, ref: RequestId | undefined, clientRef: string | null = null): Context {
    return new RequestContext(this.chat, this.accounts, this.files, conn, ref, clientRef);
  }

  private failed(ctx: Context, status: string, err: unknown): void {
    if (err instanceof ChatError) {
      ctx.fail(err.code, err.message, err.fields);
      return;
    }
    if (err instanceof StoreUnreachable) {
      // A read, or the commit this request awaited (then it may have been stored: the client resends).
      this.outage.noticed(err);
      ctx.fail('unavailable', UNREACHABLE_TEXT);
      return;
    }
    this.log.error({ err, status, conn: ctx.conn.id }, 'request failed');
    ctx.fail('internal');
  }
}
