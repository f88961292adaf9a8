/**
 * The one registry of error codes. A code is a stable string that clients may branch on; the text is
 * the default human-readable explanation sent with it (a handler may send a more specific one).
 * Never rename or reuse a code: add a new one.
 */
import type { ErrorFields } from './messages.js';

export const ERROR_CODES = {
  bad_request: 'the request is not valid',
  not_registered: 'register a name first: {"status":"register","sender":"<name>"}',
  already_registered: 'this connection has already registered a name',
  name_taken: 'that name is in use',
  invalid_name: 'a name is 1-32 characters: letters, digits, ".", "_" or "-"',
  no_such_user: 'no user has that name',
  no_such_room: 'no room has that name',
  room_exists: 'a room with that name already exists',
  not_a_member: 'only members of the room may do that',
  already_a_member: 'you are already a member of that room',
  too_large: 'the request is too large',
  rate_limited: 'too many requests; wait retry_after_ms milliseconds and send again',
  flooding: 'the connection kept sending while rate limited; it is closed',
  timeout: 'the connection was idle too long; it is closed',
  too_slow:
    'the connection did not read its output (nothing read while messages waited, or too many replies unread); it is closed',
  too_many_connections: 'too many connections; try again later',
  password_required: 'that name belongs to an account: log in with its password',
  auth_failed: 'wrong name or password',
  signup_closed: 'this server takes no new names: log in with an account the instructor made for you',
  invite_required:
    'this server needs an invite code for a new name: register with "invite":"<code>" (ask the instructor)',
  bad_invite: 'that invite code is unknown, used up or expired: ask the instructor for another',
  name_claimed: 'that name is claimed: log in with its saved token or its password, or ask the instructor',
  replaced: 'you logged in from another connection; this one is closed',
  kicked: 'you were removed by an administrator',
  logged_out:
    'an administrator logged you out (password reset, sessions revoked or name released); the connection is closed',
  weak_password: 'a password has 8 characters to 1 KiB',
  forbidden: 'you are not allowed to do that',
  muted: 'you are muted: nothing you do may reach others for now',
  no_such_file: 'no file with that id is available to you',
  bad_offset: 'that chunk is not where the upload stands; continue from offset',
  corrupt: 'the file did not match its SHA-256; it was discarded, upload it again',
  quota_exceeded: 'that upload would take you past your storage quota',
  queue_full: 'too much is already waiting for that user; try again after they next log in',
  // Two causes, one code (a client does the same for both: wait, then send again): a disk below its
  // floor (issue #11.12), or a database the server cannot reach (#15). The text says which.
  unavailable:
    'the server cannot store anything new for now (low on disk, or its database unreachable); send it again later',
  too_many_uploads: 'you have too many uploads in progress; finish one first',
  internal: 'the server failed to handle the request; it has been logged',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Thrown inside the server to end a request with a specific error reply. */
export class ChatError extends Error {
  constructor(
    readonly code: ErrorCode,
    text?: string,
    /** Extra reply fields a client can act on, e.g. `retry_after_ms` with rate_limited (the map's ErrorFields). */
    readonly fields?: ErrorFields,
  ) {
    super(text ?? ERROR_CODES[code]);
  }
}
