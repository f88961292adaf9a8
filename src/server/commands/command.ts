/**
 * What a command is: its request status, whether it needs a registered name, and a thin handler that
 * calls the domain and replies. Preconditions are data, enforced once by the dispatcher (design §4.1).
 */
import type { ErrorCode } from '../../protocol/errors.js';
import type { RequestId, RequestOf, RequestStatus } from '../../protocol/requests.js';
import type { Accounts } from '../auth/accounts.js';
import type { Chat } from '../chat/chat.js';
import type { Session } from '../chat/session.js';
import type { Connection } from '../connection.js';
import type { Files } from '../files/files.js';

export interface Context {
  readonly chat: Chat;
  readonly accounts: Accounts;
  readonly files: Files;
  readonly conn: Connection;
  readonly ref: RequestId | undefined;
  /** The request id as stored with a message (JSON), so a resend can be recognised; null without an id. */
  readonly clientRef: string | null;
  /** The registered session; set for every command with `needsName`. */
  readonly session: Session;
  ok(fields?: Record<string, unknown>): void;
  fail(code: ErrorCode, text?: string, fields?: Record<string, unknown>): void;
}

export interface Command<S extends RequestStatus = RequestStatus> {
  readonly status: S;
  /** Refused with not_registered before `register` succeeded. */
  readonly needsName: boolean;
  /** Counts against the user's flood allowance (sending messages, changing rooms, listings: issue #11.6). */
  readonly flood?: boolean;
  /** Says something to others (a message, a file): refused while the user is muted. */
  readonly speaks?: boolean;
  /** A chat message: a resend (same id and content) is answered with the stored one, not stored again. */
  readonly resendable?: boolean;
  handle(ctx: Context, request: RequestOf<S>): void | Promise<void>;
}

/** Declares a command with its request type inferred from `status`. */
export function command<S extends RequestStatus>(spec: Command<S>): Command<S> {
  return spec;
}
