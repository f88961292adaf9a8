/**
 * What a command is: its request status, whether it needs a registered name, and a thin handler that
 * calls the domain and replies. Preconditions are data, enforced once by the dispatcher (design §4.1).
 * The reply is typed by the map in src/protocol/messages.ts (issue #14): a command of status S gets a
 * Context<S>, whose `ok()` takes exactly ReplyFields[S], so server and clients cannot drift apart. The
 * replies written as JSON text instead (design §4.10: the reply to every chat message, and `fetch`'s,
 * which is mostly file data) are typed from the same map at the end of this file.
 */
import type { ErrorCode } from '../../protocol/errors.js';
import type { ErrorFields, ReplyFields, SentReply } from '../../protocol/messages.js';
import type { RequestId, RequestOf, RequestStatus } from '../../protocol/requests.js';
import type { Accounts } from '../auth/accounts.js';
import type { Chat } from '../chat/chat.js';
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
  /**
   * Replies ok with the fields of status S's reply in the map. `undo` takes back what the request
   * changed in memory, should the commit of this reply's tick not reach the database (#15: then the
   * reply becomes `unavailable`, and memory must not keep what it reported).
   */
  ok(fields: ReplyFields[S], undo?: () => void): void;
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
  /**
   * Answered from memory alone: served while the database cannot be reached (#15); every other command
   * is then refused with `unavailable` at once.
   */
  readonly inMemory?: boolean;
  /** A chat message: a resend (same id and content) is answered with the stored one, not stored again. */
  readonly resendable?: boolean;
  handle(ctx: Context<S>, request: RequestOf<S>): void | Promise<void>;
}

/** Declares a command with its request type inferred from `status`. */
export function command<S extends RequestStatus>(spec: Command<S>): Command<S> {
  return spec;
}

/*
 * Replies written as text. A template literal checked against a template literal type gets one of its
 * own (`,"delivered":${delivered}` is a `,"delivered":${number}`), so spelling out the text each field of
 * the map must have, in the order it is written, makes a handler that writes a field the map lacks, leaves
 * out a required one or writes them out of order fail to compile. Types only: the bytes are built as
 * before. A string field is any text (the handler writes it with JSON.stringify), so the check is of
 * names, order and the non-string values.
 */

/** The JSON text of a value of type V: `true`/`false`, a number, or (for a string) any text. */
type JsonText<V> = V extends boolean ? `${V}` : V extends number ? `${number}` : string;

/** `,"key":value` for each key of Order in turn; an optional field may be left out. */
type FieldList<T, Order> = Order extends readonly [infer Key extends keyof T & string, ...infer Rest]
  ? `${undefined extends T[Key] ? '' | `,"${Key}":${JsonText<NonNullable<T[Key]>>}` : `,"${Key}":${JsonText<T[Key]>}`}${FieldList<T, Rest>}`
  : '';

/**
 * The JSON text of the fields of T, each after a comma, in the order Order names them, after Prefix.
 * When Order leaves out a field of T, this is an object type that no text matches, naming what is missing.
 */
export type FieldsText<T, Order extends readonly string[], Prefix extends string = ''> = [
  Exclude<keyof T, Order[number]>,
] extends [never]
  ? `${Prefix}${FieldList<T, Order>}`
  : { missingFromOrder: Exclude<keyof T, Order[number]> };

/** The `ref` of a reply as text: nothing when the request had no id. */
export type RefText = '' | `,"ref":${string}`;

/** The text of an `ok` reply to status S up to its last field (its closing brace and newline follow). */
export type OkText<S extends RequestStatus, Order extends readonly string[]> = FieldsText<
  ReplyFields[S],
  Order,
  `{"status":"ok"${RefText}`
>;

/** The statuses whose ok reply is a SentReply (a chat message stored: `private`, `group`, a finished upload…). */
export type SentStatus = {
  [S in RequestStatus]: [Extract<ReplyFields[S], SentReply>] extends [never] ? never : S;
}[RequestStatus];

/** What a sent reply of status S carries besides SentReply (which encodeSentReply writes from the message). */
type SentExtra<S extends SentStatus> = Omit<Extract<ReplyFields[S], SentReply>, keyof SentReply>;

/**
 * The order each status's own fields follow SentReply's in the reply's bytes (a JSON reader does not
 * care; the order is kept so the bytes stay as they were). A SentStatus missing here does not compile.
 */
type SentOrder = {
  private: ['queued', 'text'];
  broadcast: ['delivered'];
  group: [];
  upload: ['file', 'offset', 'done', 'queued'];
  chunk: ['file', 'offset', 'done', 'queued'];
};

/** The text encodeSentReply adds after SentReply's fields for a reply of status S (empty for `group`). */
export type SentText<S extends RequestStatus> = S extends SentStatus ? FieldsText<SentExtra<S>, SentOrder[S]> : never;
