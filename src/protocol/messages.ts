/**
 * The typed map of what the server sends back (design §6, issue #13): for each request `status`, the
 * fields of its `ok` reply; the `error` reply; and what the server pushes unasked (chat messages, system
 * events, the error line that says why it closes a connection). Requests are in requests.ts (TypeBox
 * schemas, checked at the server's edge); chat messages and system events in wire.ts; docs/protocol.md
 * is the prose of the same map. The terminal client reads every reply through it, and the web app is
 * meant to. The shapes are type aliases, not interfaces, so a reply is also a plain JSON record
 * (assignable to Record<string, unknown>, as --json prints it).
 *
 * The server is trusted to keep this map (it is its own documentation); a client checks what it
 * cannot afford to take on trust (a file's size and hash before writing it) where it uses it, and
 * narrows a line it did not ask for with the guards at the end of this file.
 */
import type { CommandHelp } from './commands.js';
import type { ErrorCode } from './errors.js';
import type { RequestId, RequestOf, RequestStatus } from './requests.js';
import type { ChatKind, ChatMessage, SystemEvent } from './wire.js';

/** The pushed shapes, from wire.ts, so the whole map is one import. */
export type { ChatKind, ChatMessage, SystemEvent, SystemEventKind } from './wire.js';

/** Any one request, as a union over `status` (RequestOf<S> is the request of one status). */
export type AnyRequest<S extends RequestStatus = RequestStatus> = S extends RequestStatus ? RequestOf<S> : never;

/** The ok reply to a chat message (and to an upload's last chunk): where the message was stored. */
export type SentReply = { msgid: number; seq: number; ts: string; receiver: string };

/** One page of a listing (issue #11.6): `next`, when more follow, is the `after` of the next page. */
export type Page = { next?: string };

/** A room as `rooms` lists it. */
export type RoomSummary = { name: string; members: number; online: number };

/** A room member as `members` lists it. */
export type MemberSummary = { name: string; online: boolean };

/** A user as `users` lists it (online or not); `admin` only on admins. */
export type KnownUser = { name: string; online: boolean; admin?: true };

/** A finished file as `files` lists it (issue #5). */
export type FileInfo = {
  file: number;
  name: string;
  size: number;
  /** Hex SHA-256 of the whole file. */
  sha256: string;
  sender: string;
  receiver: string;
  ts: string;
  expires: string;
};

/** The reply to `register` and `login`: the name as stored, then what waited (it follows as messages). */
export type WelcomeReply = {
  sender: string;
  text: string;
  /** How many messages waited; they follow this reply, oldest first. */
  waiting: number;
  /** The rooms the name is a member of. */
  rooms: string[];
  /** More waited than are delivered at login: the older ones are in `history`. */
  truncated?: true;
  /** The token that lets the name in again (a claim, or a password login's session). */
  token?: string;
  role?: 'user' | 'admin';
};

/** Where an unfinished upload stands (`upload` and `chunk` while it goes on). */
export type UploadProgress = { file: number; offset: number; done?: undefined };

/** An upload answered: the file id, where to continue, how large a chunk may be, the name as cleaned. */
export type UploadStarted = UploadProgress & { chunk_bytes: number; name: string };

/** The last chunk's reply (or an upload with nothing left to send): the message that announced the file. */
export type UploadDone = SentReply & { file: number; offset: number; done: true; queued?: true };

/**
 * For each request `status`, the fields of its ok reply (docs/protocol.md, "Requests and their replies").
 * EveryStatus makes a status of RequestSchemas without an entry here, or an entry for no status, fail to
 * compile; the server's command table (src/server/commands/index.ts) does the same for commands, and each
 * command's `ctx.ok()` takes exactly its status's fields (src/server/commands/command.ts, issue #14).
 */
export type ReplyFields = EveryStatus<{
  register: WelcomeReply;
  login: WelcomeReply;
  /** The new session token: every other token is revoked. */
  password: { token: string; text: string };
  /** `queued` (with a `text`) when the receiver is offline. */
  private: SentReply & { queued?: true; text?: string };
  /**
   * `delivered`: how many online users got it now. Absent when the broadcast was a resend (the same id and
   * text again): that reply is read back from the store, where the count is not kept.
   */
  broadcast: SentReply & { delivered?: number };
  group: SentReply;
  /** `members`: the creator first; `seq` of the `created` event. */
  create: { receiver: string; members: string[]; seq: number; text: string };
  join: { receiver: string; members: string[]; seq: number; text: string };
  /** `deleted`: you were the last member and the room is gone. */
  leave: { receiver: string; deleted: boolean; text: string };
  /** A page of the names online; `online`: how many in all. */
  who: Page & { users: string[]; online: number; text: string };
  rooms: Page & { rooms: RoomSummary[] };
  members: Page & { receiver: string; members: MemberSummary[] };
  users: Page & { users: KnownUser[] };
  /** Oldest first; `more`: the page was cut, there may be more in that direction. */
  history: { receiver: string; messages: ChatMessage[]; more: boolean };
  upload: UploadStarted | UploadDone;
  chunk: UploadProgress | UploadDone;
  /** `receiver` when one was asked about. */
  files: { receiver?: string; files: FileInfo[] };
  /** `data`: base64; `eof` on the last piece. */
  fetch: { file: number; offset: number; size: number; eof: boolean; data: string };
  kick: { receiver: string; text: string };
  /** `until`: ISO time the mute ends; null when it was lifted. */
  mute: { receiver: string; until: string | null; text: string };
  delete: { receiver: string; text: string };
  ping: { text: string };
  help: { text: string; commands: readonly CommandHelp[] };
  exit: { text: string };
}>;

/** Checks a per-status map at compile time: one entry for every request status, and nothing else. */
type EveryStatus<T extends { [S in RequestStatus]: object } & { [K in Exclude<keyof T, RequestStatus>]: never }> = T;

/** The `ok` reply to a request of status S (a union of statuses gives the union of their replies). */
export type OkReplyOf<S extends RequestStatus> = S extends RequestStatus
  ? { status: 'ok'; ref?: RequestId } & ReplyFields[S]
  : never;

/** A refused request, or (without `ref`) why the server is closing the connection. */
export type ErrorReply = {
  status: 'error';
  ref?: RequestId;
  code: ErrorCode;
  text: string;
} & ErrorFields;

/** What an error line may carry besides its code and text: what the client needs to act on it. */
export type ErrorFields = {
  /** `rate_limited`, `muted`: how long to wait before sending again. */
  retry_after_ms?: number;
  /** `bad_offset`: where the upload stands (for a `fetch` past the end, the file's size). */
  offset?: number;
  /**
   * Which file: with `bad_offset`, and with a `chunk` of an upload that was discarded (`not_a_member`,
   * `no_such_room`, `no_such_file` when a newer upload took its place).
   */
  file?: number;
  /** `password_required`: true when an account owns the name (log in), false when one must be made. */
  account?: boolean;
};

/** What the server answers to a request of status S. */
export type ReplyOf<S extends RequestStatus> = OkReplyOf<S> | ErrorReply;

/** What the server sends unasked: chat messages (live and waiting), system events, a closing error. */
export type Pushed = ChatMessage | SystemEvent | ErrorReply;

/** Any JSON object with a string `status`: every line the server sends is one (checked by isWireObject). */
export type WireObject = { status: string; [field: string]: unknown };

const CHAT_STATUSES: ReadonlySet<string> = new Set<ChatKind | 'system'>(['private', 'group', 'broadcast', 'system']);

/** True for a JSON object with a string `status`. */
export function isWireObject(value: unknown): value is WireObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { status?: unknown }).status === 'string'
  );
}

/** True for a chat message, or a system message in a room's history (it has `msgid` and `seq`). */
export function isChatMessage(value: unknown): value is ChatMessage {
  if (!isWireObject(value) || !CHAT_STATUSES.has(value.status)) return false;
  return (
    typeof value.msgid === 'number' &&
    typeof value.seq === 'number' &&
    typeof value.sender === 'string' &&
    typeof value.receiver === 'string' &&
    typeof value.text === 'string' &&
    typeof value.ts === 'string'
  );
}

/** True for a system event outside any history (presence, ping, shutdown, muted, role, deleted). */
export function isSystemEvent(value: unknown): value is SystemEvent {
  return (
    isWireObject(value) &&
    value.status === 'system' &&
    value.msgid === undefined &&
    typeof value.event === 'string' &&
    typeof value.sender === 'string' &&
    typeof value.receiver === 'string' &&
    typeof value.text === 'string'
  );
}

/** True for an error line: a refusal, or (without `ref`) why the server closes the connection. */
export function isErrorReply(value: unknown): value is ErrorReply {
  return (
    isWireObject(value) && value.status === 'error' && typeof value.code === 'string' && typeof value.text === 'string'
  );
}
