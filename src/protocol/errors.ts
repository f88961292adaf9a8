/**
 * The one registry of error codes. A code is a stable string that clients may branch on; the text is
 * the default human-readable explanation sent with it (a handler may send a more specific one).
 * Never rename or reuse a code: add a new one.
 */
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
  internal: 'the server failed to handle the request; it has been logged',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Thrown inside the server to end a request with a specific error reply. */
export class ChatError extends Error {
  constructor(
    readonly code: ErrorCode,
    text?: string,
  ) {
    super(text ?? ERROR_CODES[code]);
  }
}
