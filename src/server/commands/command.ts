/**
 * What a command is: its request status, whether it needs a registered name, and a thin handler that
 * calls the domain and replies. Preconditions are data, enforced once by the dispatcher (design §4.1).
 * The reply is typed by the map in src/protocol/messages.ts (issue #14): a command of status S gets a
 * Context<S>, whose `ok()` takes exactly ReplyFields[S], so server and clients cannot drift apart.
 */
import type { ErrorCode } from '../../protocol/errors.js';
import type { ErrorFields, ReplyFields } from '../../protocol/messages.js';
import type { RequestId, RequestOf, RequestStatus } from '../../protocol/requests.js';
import type { Accounts } from '../auth/accounts.js';
import type { Chat } from '../chat/chat.js';
import type { SentText } from '../chat/reply-text.js';
import type { Session } from '../chat/session.js';
import type { Connection } from '../connection.js';
import type { Files } from '../files/files.js';
import type { StoredMessage } from '../store/store.js';

/** What a handler of status S works with and replies through. */
export interface Context<S extends RequestStatus = RequestStatus> {
  readonly chat: Chat;
  readonly accounts: Accounts;
  readonly files: Files;
  readonly conn: Connection;
  readonly ref: RequestId | undefined;
  /** The request id as stored with a message (JSON), so a resend can be recognised; null without an id. */
  readonly clientRef: string | null;
  /** The registered session; set for every command with `needsName`. */
  readonly session: Session;
  /** Replies ok with the fields of status S's reply in the map. */
  ok(fields: ReplyFields[S]): void;
  /**
   * Replies ok to a chat message just stored (statuses whose reply is a SentReply): the message's ids,
   * then `extra`, the rest of S's reply as JSON text, typed by the map (src/server/chat/reply-text.ts).
   */
  sent(message: StoredMessage, extra: SentText<S>): void;
  fail(code: ErrorCode, text?: string, fields?: ErrorFields): void;
}

export interface Command<S extends RequestStatus = RequestStatus> {
  readonly status: S;
  /** Refused with not_registered before `register` succeeded. */
  readonly needsName: boolean;
  /** Counts against the user's flood allowance (sending messages, changing rooms, listings: issue #11.6). */
  readonly flood?: boolean;
  /**
   * Reaches others (a message, a file, a system event others receive: create with members, join, leave,
   * kick, delete): refused while the user is muted (issue #11.14). `mute` is not: it is an admin's tool.
   */
  readonly speaks?: boolean;
  /**
   * Stores something new: refused with `unavailable` below the free-disk floor (issue #11.12). A
   * 'message' (a message, a room, a membership) also spends the request's bytes from the stored-bytes
   * budgets; a 'file' is bounded by the file quota instead.
   */
  readonly stores?: 'message' | 'file';
  /** A chat message: a resend (same id and content) is answered with the stored one, not stored again. */
  readonly resendable?: boolean;
  handle(ctx: Context<S>, request: RequestOf<S>): void | Promise<void>;
}

/** Declares a command with its request type inferred from `status`. */
export function command<S extends RequestStatus>(spec: Command<S>): Command<S> {
  return spec;
}
