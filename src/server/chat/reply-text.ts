/**
 * Types for the replies the server writes as JSON text instead of serializing an object (design §4.10:
 * the reply to every chat message, and a `fetch` reply, which is mostly file data). The text is typed
 * from the map in src/protocol/messages.ts (issue #14), so a handler that writes a field the map lacks,
 * leaves out a required one or writes them out of order does not compile. Types only: nothing here runs.
 *
 * How: a template literal checked against a template literal type gets one of its own
 * (`,"delivered":${delivered}` is a `,"delivered":${number}`), and FieldsText spells out the type each
 * field's text must have, in the order given. A string field is any text (the handler writes it with
 * JSON.stringify), so the check is of names, order and the non-string values.
 */
import type { ReplyFields, SentReply } from '../../protocol/messages.js';
import type { RequestStatus } from '../../protocol/requests.js';

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
