/**
 * Every limit the server enforces, with its default and the flag that changes it. One table, so the
 * usage text, the config parser and docs/security.md (which says why each default was chosen) agree.
 */

export interface Limits {
  /** Longest request line, in bytes (a longer one gets too_large and is discarded). */
  maxLineBytes: number;
  /** How far past an oversized line we keep reading for its newline before closing. */
  maxDiscardBytes: number;
  /** Unsent output beyond this closes the connection; chat counts at most behindBytes of it (issue #11.11). */
  maxOutputBytes: number;
  /** Unsent output past which a member's chat is no longer queued but read from the store as it drains (issue #11.11). */
  behindBytes: number;
  /** Most bytes of stored chat read and queued at once for a member catching up. */
  catchUpPageBytes: number;
  /** A member that is behind and whose socket takes no bytes for this long is cut off as too_slow. */
  noProgressMs: number;
  /** Longest message text, in UTF-8 bytes. */
  maxTextBytes: number;
  /** Messages a user may send at once before the rate applies. */
  floodBurst: number;
  /** Messages a second a user may send after the burst. */
  floodRate: number;
  /** Refused messages in a row after which the connection is closed (it ignores retry_after_ms). */
  floodStrikes: number;
  /** A connection must register or log in within this many milliseconds. */
  registerTimeoutMs: number;
  /** A connection silent this long is sent a ping. */
  pingAfterMs: number;
  /** A connection silent this long is closed. */
  idleTimeoutMs: number;
  /** Open connections in total. */
  maxConnections: number;
  /** Open connections from one address (unless exempt). */
  maxPerAddress: number;
  /** Most waiting messages handed to a user at login (the newest ones; older ones stay in history). */
  offlineDeliveryLimit: number;
  /** Waiting messages older than this many days are not delivered at login (they stay in history). */
  offlineMaxAgeDays: number;
  /** Most bytes of waiting messages sent with the login reply, well under maxOutputBytes. */
  offlineDeliveryBytes: number;
  /** Failed logins a minute on one connection. */
  loginFailuresPerMinute: number;
  /** Failed logins on one account before it is locked for a while (doubling up to an hour). */
  accountFailuresBeforeLock: number;
  /** Password hashes computed at once (each takes 128 MiB at the default cost). */
  maxConcurrentHashes: number;
  /** A TLS client that has not finished its handshake by then is cut off. */
  tlsHandshakeMs: number;
  /** Largest file one may upload, in bytes. */
  maxFileBytes: number;
  /** Bytes of files (finished or not) one user may have stored at once. */
  fileQuotaBytes: number;
  /** Files are deleted this many days after they were uploaded. */
  fileRetentionDays: number;
  /** An upload unfinished for this many hours is deleted (its sender can start it again). */
  uploadAbandonHours: number;
}

interface LimitOption {
  key: keyof Limits;
  flag: string;
  default: number;
  help: string;
}

const KIB = 1024;
const MIB = 1024 * KIB;

export const LIMIT_OPTIONS: readonly LimitOption[] = [
  { key: 'maxLineBytes', flag: 'max-line-bytes', default: 64 * KIB, help: 'longest request line' },
  { key: 'maxDiscardBytes', flag: 'max-discard-bytes', default: 1 * MIB, help: 'read past an oversized line before closing' },
  { key: 'maxOutputBytes', flag: 'max-output-bytes', default: 1 * MIB, help: 'unsent output (replies, events) that closes a slow reader' },
  { key: 'behindBytes', flag: 'behind-bytes', default: 256 * KIB, help: 'unsent output past which chat is read from the store' },
  { key: 'catchUpPageBytes', flag: 'catch-up-page-bytes', default: 64 * KIB, help: 'stored chat queued at once while catching up' },
  { key: 'noProgressMs', flag: 'no-progress-ms', default: 60_000, help: 'time behind without reading before too_slow' },
  { key: 'maxTextBytes', flag: 'max-text-bytes', default: 16 * KIB, help: 'longest message text' },
  { key: 'floodBurst', flag: 'flood-burst', default: 10, help: 'messages a user may send at once' },
  { key: 'floodRate', flag: 'flood-rate', default: 5, help: 'messages a second after the burst' },
  { key: 'floodStrikes', flag: 'flood-strikes', default: 20, help: 'refused messages in a row that close the connection' },
  { key: 'registerTimeoutMs', flag: 'register-timeout-ms', default: 30_000, help: 'time to register or log in' },
  { key: 'pingAfterMs', flag: 'ping-after-ms', default: 60_000, help: 'silence before a ping' },
  { key: 'idleTimeoutMs', flag: 'idle-timeout-ms', default: 120_000, help: 'silence before the connection is closed' },
  { key: 'maxConnections', flag: 'max-connections', default: 10_000, help: 'open connections in total' },
  { key: 'maxPerAddress', flag: 'max-per-address', default: 64, help: 'open connections from one address' },
  { key: 'offlineDeliveryLimit', flag: 'offline-limit', default: 10_000, help: 'waiting messages delivered at login' },
  { key: 'offlineMaxAgeDays', flag: 'offline-max-age-days', default: 30, help: 'oldest waiting message delivered at login' },
  { key: 'offlineDeliveryBytes', flag: 'offline-bytes', default: 512 * KIB, help: 'bytes of waiting messages sent at login' },
  { key: 'loginFailuresPerMinute', flag: 'login-failures-per-minute', default: 3, help: 'failed logins a minute per connection' },
  { key: 'accountFailuresBeforeLock', flag: 'account-failures', default: 5, help: 'failed logins before an account locks' },
  { key: 'maxConcurrentHashes', flag: 'max-concurrent-hashes', default: 2, help: 'password hashes computed at once' },
  { key: 'tlsHandshakeMs', flag: 'tls-handshake-ms', default: 10_000, help: 'time to finish a TLS handshake' },
  { key: 'maxFileBytes', flag: 'max-file-bytes', default: 100 * MIB, help: 'largest file' },
  { key: 'fileQuotaBytes', flag: 'file-quota-bytes', default: 1024 * MIB, help: 'bytes of files one user may store' },
  { key: 'fileRetentionDays', flag: 'file-retention-days', default: 30, help: 'days a file is kept' },
  { key: 'uploadAbandonHours', flag: 'upload-abandon-hours', default: 24, help: 'hours an unfinished upload is kept' },
];

export const DEFAULT_LIMITS: Limits = Object.fromEntries(LIMIT_OPTIONS.map((o) => [o.key, o.default])) as unknown as Limits;
