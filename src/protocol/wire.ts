/**
 * Facts of the wire: the default port, and the chat messages and system events the server pushes.
 * Every object uses the seeds' vocabulary (`status`, `sender`, `receiver`, `text`) plus the fields
 * documented in docs/protocol.md; replies, and which reply each request gets, are in messages.ts.
 */

/** The TCP port a server listens on and a client dials when none is given. */
export const DEFAULT_PORT = 5555;

export type ChatKind = 'private' | 'group' | 'broadcast';

/** A chat message as delivered live, at login (offline delivery) and in `history`. */
export interface ChatMessage {
  status: ChatKind | 'system';
  sender: string;
  receiver: string;
  text: string;
  /** Server-wide message id, increasing. */
  msgid: number;
  /** Position in its conversation (room, private pair, or everyone), starting at 1. */
  seq: number;
  /** ISO 8601 UTC, e.g. 2026-11-20T23:59:01.123Z. */
  ts: string;
  /** Only on system messages: what happened. */
  event?: SystemEventKind;
  /** Only on a message that announces a file: its id, for `fetch` (issue #5). */
  file?: number;
}

export type SystemEventKind =
  | 'connect'
  | 'disconnect'
  | 'created'
  | 'added'
  | 'join'
  | 'leave'
  | 'deleted'
  | 'kicked'
  | 'muted'
  | 'role'
  | 'ping'
  | 'shutdown';

/** A system event that is not part of a conversation's history (presence, shutdown). */
export interface SystemEvent {
  status: 'system';
  event: SystemEventKind;
  sender: string;
  receiver: string;
  text: string;
  ts: string;
}
