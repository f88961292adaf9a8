/**
 * The typed map of replies and pushed lines (src/protocol/messages.ts) again, as TypeBox schemas, so a
 * test can check at run time that what a real server sends is what the map says (issue #14). The map stays the one source:
 * each schema's Static type must be the very type of the map's entry (SameType below), so a change to the
 * map that these schemas do not follow fails to compile. Objects are closed (`additionalProperties:
 * false`): a field the server sends and the map lacks is a mismatch too.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { CommandHelp } from '../../src/protocol/commands.js';
import { ERROR_CODES, type ErrorCode } from '../../src/protocol/errors.js';
import type {
  ChatMessage,
  ErrorReply,
  ReplyFields,
  SystemEvent,
  SystemEventKind,
} from '../../src/protocol/messages.js';
import { RequestSchemas, type RequestStatus } from '../../src/protocol/requests.js';

const closed = { additionalProperties: false } as const;

const Literals = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>(Type.Union(values.map((v) => Type.Literal(v))));

const Status = Literals(Object.keys(RequestSchemas) as RequestStatus[]);
const Code = Literals(Object.keys(ERROR_CODES) as ErrorCode[]);
// Keyed by the map's kinds, so a kind added there and not here (or the reverse) does not compile.
const EVENT_KINDS: { [K in SystemEventKind]: true } = {
  connect: true,
  disconnect: true,
  created: true,
  added: true,
  join: true,
  leave: true,
  deleted: true,
  kicked: true,
  muted: true,
  role: true,
  ping: true,
  shutdown: true,
};
const EventKind = Literals(Object.keys(EVENT_KINDS) as SystemEventKind[]);
const RequestId = Type.Union([Type.String(), Type.Number()]);

const ChatMessageSchema = Type.Object(
  {
    status: Literals(['private', 'group', 'broadcast', 'system'] as const),
    sender: Type.String(),
    receiver: Type.String(),
    text: Type.String(),
    msgid: Type.Integer(),
    seq: Type.Integer(),
    ts: Type.String(),
    event: Type.Optional(EventKind),
    file: Type.Optional(Type.Integer()),
  },
  closed,
);

const SystemEventSchema = Type.Object(
  {
    status: Type.Literal('system'),
    event: EventKind,
    sender: Type.String(),
    receiver: Type.String(),
    text: Type.String(),
    ts: Type.String(),
  },
  closed,
);

const sent = { msgid: Type.Integer(), seq: Type.Integer(), ts: Type.String(), receiver: Type.String() };
const next = Type.Optional(Type.String());
const welcome = Type.Object(
  {
    sender: Type.String(),
    text: Type.String(),
    waiting: Type.Integer(),
    rooms: Type.Array(Type.String()),
    truncated: Type.Optional(Type.Literal(true)),
    token: Type.Optional(Type.String()),
    role: Type.Optional(Literals(['user', 'admin'] as const)),
  },
  closed,
);
const progress = { file: Type.Integer(), offset: Type.Integer(), done: Type.Optional(Type.Undefined()) };
const uploadDone = Type.Object(
  {
    ...sent,
    file: Type.Integer(),
    offset: Type.Integer(),
    done: Type.Literal(true),
    queued: Type.Optional(Type.Literal(true)),
  },
  closed,
);
const room = { receiver: Type.String(), members: Type.Array(Type.String()), seq: Type.Integer(), text: Type.String() };
const told = Type.Object({ receiver: Type.String(), text: Type.String() }, closed);

/** The fields of each status's ok reply (its `status` and `ref` taken off), as the map has them. */
export const REPLY_FIELD_SCHEMAS = {
  register: welcome,
  login: welcome,
  password: Type.Object({ token: Type.String(), text: Type.String() }, closed),
  private: Type.Object(
    { ...sent, queued: Type.Optional(Type.Literal(true)), text: Type.Optional(Type.String()) },
    closed,
  ),
  broadcast: Type.Object({ ...sent, delivered: Type.Optional(Type.Integer()) }, closed),
  group: Type.Object(sent, closed),
  create: Type.Object(room, closed),
  join: Type.Object(room, closed),
  leave: Type.Object({ receiver: Type.String(), deleted: Type.Boolean(), text: Type.String() }, closed),
  who: Type.Object({ next, users: Type.Array(Type.String()), online: Type.Integer(), text: Type.String() }, closed),
  rooms: Type.Object(
    {
      next,
      rooms: Type.Array(Type.Object({ name: Type.String(), members: Type.Integer(), online: Type.Integer() }, closed)),
    },
    closed,
  ),
  members: Type.Object(
    {
      next,
      receiver: Type.String(),
      members: Type.Array(Type.Object({ name: Type.String(), online: Type.Boolean() }, closed)),
    },
    closed,
  ),
  users: Type.Object(
    {
      next,
      users: Type.Array(
        Type.Object({ name: Type.String(), online: Type.Boolean(), admin: Type.Optional(Type.Literal(true)) }, closed),
      ),
    },
    closed,
  ),
  history: Type.Object(
    { receiver: Type.String(), messages: Type.Array(ChatMessageSchema), more: Type.Boolean() },
    closed,
  ),
  upload: Type.Union([
    Type.Object({ ...progress, chunk_bytes: Type.Integer(), name: Type.String() }, closed),
    uploadDone,
  ]),
  chunk: Type.Union([Type.Object(progress, closed), uploadDone]),
  files: Type.Object(
    {
      receiver: Type.Optional(Type.String()),
      files: Type.Array(
        Type.Object(
          {
            file: Type.Integer(),
            name: Type.String(),
            size: Type.Integer(),
            sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
            sender: Type.String(),
            receiver: Type.String(),
            ts: Type.String(),
            expires: Type.String(),
          },
          closed,
        ),
      ),
    },
    closed,
  ),
  fetch: Type.Object(
    { file: Type.Integer(), offset: Type.Integer(), size: Type.Integer(), eof: Type.Boolean(), data: Type.String() },
    closed,
  ),
  kick: told,
  mute: Type.Object(
    { receiver: Type.String(), until: Type.Union([Type.String(), Type.Null()]), text: Type.String() },
    closed,
  ),
  delete: told,
  ping: Type.Object({ text: Type.String() }, closed),
  help: Type.Object(
    {
      text: Type.String(),
      // TypeBox has no read-only array: the element's shape is checked at run time only.
      commands: Type.Unsafe<readonly CommandHelp[]>(
        Type.Array(Type.Object({ status: Status, example: Type.String(), summary: Type.String() }, closed)),
      ),
    },
    closed,
  ),
  exit: Type.Object({ text: Type.String() }, closed),
} satisfies { [S in RequestStatus]: TSchema };

/** An error line: a refusal (with `ref`) or why the server closes the connection (without). */
export const ERROR_REPLY_SCHEMA = Type.Object(
  {
    status: Type.Literal('error'),
    ref: Type.Optional(RequestId),
    code: Code,
    text: Type.String(),
    retry_after_ms: Type.Optional(Type.Integer()),
    offset: Type.Optional(Type.Integer()),
    file: Type.Optional(Type.Integer()),
    account: Type.Optional(Type.Boolean()),
  },
  closed,
);

/** Two types are the same type (not merely assignable to each other), after flattening intersections. */
type SameType<A, B> = (<T>() => T extends Flat<A> ? 1 : 2) extends <T>() => T extends Flat<B> ? 1 : 2 ? true : false;
type Flat<T> = T extends readonly unknown[]
  ? { [K in keyof T]: Flat<T[K]> }
  : T extends object
    ? { [K in keyof T]: Flat<T[K]> }
    : T;

/**
 * Compile-time: "Type 'false' does not satisfy the constraint 'true'" here means a schema above no longer
 * is exactly its entry of the map. Exported only so that it is not an unused type.
 */
export type SchemasAreTheMap = IsTrue<
  [
    { [S in RequestStatus]: SameType<Static<(typeof REPLY_FIELD_SCHEMAS)[S]>, ReplyFields[S]> }[RequestStatus],
    SameType<Static<typeof ERROR_REPLY_SCHEMA>, ErrorReply>,
    SameType<Static<typeof ChatMessageSchema>, ChatMessage>,
    SameType<Static<typeof SystemEventSchema>, SystemEvent>,
  ] extends [true, true, true, true]
    ? true
    : false
>;
type IsTrue<T extends true> = T;

const FIELD_CHECKS = new Map<string, TypeCheck<TSchema>>(
  Object.entries(REPLY_FIELD_SCHEMAS).map(([status, schema]) => [status, TypeCompiler.Compile<TSchema>(schema)]),
);
const ERROR_CHECK = TypeCompiler.Compile(ERROR_REPLY_SCHEMA);
const CHAT_CHECK = TypeCompiler.Compile(ChatMessageSchema);
const EVENT_CHECK = TypeCompiler.Compile(SystemEventSchema);

/** Why `reply` is not the map's reply to a request of status S (ok or error), or null when it is. */
export function replyMismatch(status: RequestStatus, reply: unknown): string | null {
  if (typeof reply !== 'object' || reply === null) return `not an object: ${JSON.stringify(reply)}`;
  const { status: kind, ref, ...fields } = reply as Record<string, unknown>;
  if (kind === 'error') return ERROR_CHECK.Check(reply) ? null : describe(ERROR_CHECK, reply);
  if (kind !== 'ok') return `status is neither ok nor error: ${JSON.stringify(reply)}`;
  if (ref !== undefined && typeof ref !== 'string' && typeof ref !== 'number') return `ref ${JSON.stringify(ref)}`;
  const check = FIELD_CHECKS.get(status)!;
  return check.Check(fields) ? null : `${status}: ${describe(check, fields)}`;
}

function describe(check: TypeCheck<TSchema>, value: unknown): string {
  const error = check.Errors(value).First();
  return `${error?.path || '/'}: ${error?.message ?? 'invalid'} in ${JSON.stringify(value).slice(0, 300)}`;
}

/**
 * Why `line`, pushed unasked, is not one of the map's Pushed shapes (a chat message, a room's system
 * message, an event outside any history, a closing error), or null when it is.
 */
export function pushedMismatch(line: unknown): string | null {
  if (typeof line !== 'object' || line === null) return `not an object: ${JSON.stringify(line)}`;
  const { status, msgid } = line as Record<string, unknown>;
  const check =
    status === 'error' ? ERROR_CHECK : status === 'system' && msgid === undefined ? EVENT_CHECK : CHAT_CHECK;
  return check.Check(line) ? null : describe(check, line);
}
