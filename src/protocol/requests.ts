/**
 * The shape of every request a client may send, as TypeBox schemas: one schema per `status`, compiled
 * once and used at the edge (src/server/dispatcher.ts) so nothing past it sees unvalidated input.
 * Unknown extra fields are allowed and ignored; in particular `sender` on anything but `register` is
 * ignored, because the server sets every sender from the connection (issue #2).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Longest client-chosen request id, in characters. */
export const MAX_ID_LENGTH = 128;
/** Most names in one `create` member list. */
export const MAX_CREATE_MEMBERS = 256;
/** Most messages in one `history` page. */
export const MAX_HISTORY_LIMIT = 200;
export const DEFAULT_HISTORY_LIMIT = 50;
/** Most items in one page of `rooms`, `members`, `who` or `users` (issue #11.6), and how many without `limit`. */
export const MAX_PAGE_LIMIT = 500;
export const DEFAULT_PAGE_LIMIT = 100;
/** Longest mute: 30 days. */
export const MAX_MUTE_SECONDS = 30 * 86_400;

// Names are checked by the name rules (invalid_name) where they are claimed, and looked up elsewhere.
const Name = Type.String();
const Text = Type.String({ minLength: 1 });
// Length rules (8 characters to 1 KiB) are checked where a password is set, with their own code.
const Password = Type.String();
const Seq = Type.Integer({ minimum: 0 });
const FileId = Type.Integer({ minimum: 1 });
const ByteOffset = Type.Integer({ minimum: 0 });
// A listing page (issue #11.6): `after` is the `next` of the previous reply (a name key).
const PageAfter = Type.Optional(Type.String({ maxLength: 256 }));
const PageLimit = Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_LIMIT }));

/** The most bytes of file data in one `chunk`: its base64 and the envelope fit a 64 KiB request line. */
export const UPLOAD_CHUNK_BYTES = 45 * 1024;
/** The most bytes of file data in one `fetch` reply. */
export const FETCH_CHUNK_BYTES = 256 * 1024;

export const RequestSchemas = {
  // invite: the code a `--signup invite` server asks of a new name (issue #11.4).
  register: Type.Object({
    sender: Name,
    password: Type.Optional(Password),
    since: Type.Optional(Seq),
    invite: Type.Optional(Type.String({ maxLength: 128 })),
  }),
  login: Type.Object({
    sender: Name,
    password: Type.Optional(Password),
    token: Type.Optional(Type.String({ maxLength: 128 })),
    since: Type.Optional(Seq),
  }),
  // Without `password`: the first password of a name that has none (a claimed name, issue #12.5).
  password: Type.Object({ password: Type.Optional(Password), new_password: Password }),
  kick: Type.Object({
    receiver: Name,
    room: Type.Optional(Name),
    text: Type.Optional(Type.String({ maxLength: 500 })),
  }),
  mute: Type.Object({
    receiver: Name,
    seconds: Type.Integer({ minimum: 0, maximum: MAX_MUTE_SECONDS }),
    text: Type.Optional(Type.String({ maxLength: 500 })),
  }),
  delete: Type.Object({ receiver: Name }),
  private: Type.Object({ receiver: Name, text: Text }),
  broadcast: Type.Object({ text: Text }),
  group: Type.Object({ receiver: Name, text: Text }),
  create: Type.Object({
    receiver: Name,
    members: Type.Optional(Type.Array(Name, { maxItems: MAX_CREATE_MEMBERS })),
  }),
  join: Type.Object({ receiver: Name }),
  leave: Type.Object({ receiver: Name }),
  who: Type.Object({ after: PageAfter, limit: PageLimit }),
  rooms: Type.Object({ after: PageAfter, limit: PageLimit }),
  members: Type.Object({ receiver: Name, after: PageAfter, limit: PageLimit }),
  users: Type.Object({ after: PageAfter, limit: PageLimit }),
  history: Type.Object({
    receiver: Name,
    before: Type.Optional(Seq),
    after: Type.Optional(Seq),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_HISTORY_LIMIT })),
  }),
  upload: Type.Object({
    receiver: Name,
    name: Type.String({ minLength: 1, maxLength: 1024 }),
    size: ByteOffset,
    sha256: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }),
  }),
  chunk: Type.Object({
    file: FileId,
    offset: ByteOffset,
    data: Type.String({ maxLength: Math.ceil(UPLOAD_CHUNK_BYTES / 3) * 4 }),
  }),
  files: Type.Object({ receiver: Type.Optional(Name), file: Type.Optional(FileId) }),
  fetch: Type.Object({
    file: FileId,
    offset: ByteOffset,
    length: Type.Optional(Type.Integer({ minimum: 1, maximum: FETCH_CHUNK_BYTES })),
  }),
  help: Type.Object({}),
  ping: Type.Object({}),
  exit: Type.Object({}),
} satisfies Record<string, TSchema>;

export type RequestStatus = keyof typeof RequestSchemas;
export type RequestOf<S extends RequestStatus> = Static<(typeof RequestSchemas)[S]> & { status: S };

/** A request id as the client chose it; echoed back as `ref`. */
export type RequestId = string | number;

/** True for a usable request id: a string of at most MAX_ID_LENGTH characters, or a finite number. */
export function isRequestId(value: unknown): value is RequestId {
  return (
    (typeof value === 'string' && value.length <= MAX_ID_LENGTH) ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}
