/**
 * Every limit the server enforces, with its default and the flag that changes it. One table, so the
 * usage text and the config parser agree. docs/security.md (which says why each default was chosen)
 * is written by hand from it: change both.
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
  /** Open connections from one address group (unless exempt); see ipv4Prefix and ipv6Prefix. */
  maxPerAddress: number;
  /** IPv4 addresses sharing this many leading bits count as one for maxPerAddress (127.0.0.0/8 is always one). */
  ipv4Prefix: number;
  /** IPv6 addresses sharing this many leading bits count as one for maxPerAddress (a user usually holds a /64). */
  ipv6Prefix: number;
  /**
   * 1: every loopback address (127.0.0.0/8, ::1) is one address group: it is one machine (issue #11.17).
   * 0: each counts apart, for tests and the soak that stand in for many hosts with 127.0.0.x.
   */
  loopbackOneHost: number;
  /** Most waiting messages handed to a user at login (the newest ones; older ones stay in history). */
  offlineDeliveryLimit: number;
  /** Waiting messages older than this many days are not delivered at login (they stay in history). */
  offlineMaxAgeDays: number;
  /** Most bytes of waiting messages sent with the login reply, well under maxOutputBytes. */
  offlineDeliveryBytes: number;
  /** Failed logins a minute on one connection. */
  loginFailuresPerMinute: number;
  /** Failed logins a minute from one address, over all its connections (issue #11.5). */
  loginFailuresPerAddress: number;
  /** Failed logins from one address at one name before that address is locked out of it for a while (doubling up to an hour). */
  accountFailuresBeforeLock: number;
  /** Failed logins at one name from all addresses within an hour after which every address gets one try at it before its lock (issue #11.10). */
  nameFailuresUnderAttack: number;
  /** Memory for remembering failed logins (per address, per name, per address and name), in bytes; the oldest are forgotten first (issue #11.5). */
  loginGuardBytes: number;
  /** Password hashes computed at once (each takes 128 MiB at the default cost). */
  maxConcurrentHashes: number;
  /** Password hashes one address may have running or waiting; addresses take turns for the rest (issue #11.9). */
  hashesPerAddress: number;
  /** A TLS client that has not finished its handshake by then is cut off. */
  tlsHandshakeMs: number;
  /** An HTTP request whose headers have not all arrived by then gets 408 and is closed (issue #14: slow loris). */
  httpRequestMs: number;
  /** An HTTP keep-alive socket idle this long after its last response is closed (issue #14). */
  httpKeepAliveMs: number;
  /** Largest file one may upload, in bytes. */
  maxFileBytes: number;
  /** Bytes of files (finished or not) one user may have stored at once. */
  fileQuotaBytes: number;
  /** Files are deleted this many days after they were uploaded. */
  fileRetentionDays: number;
  /** An upload unfinished for this many hours is deleted (its sender can start it again). */
  uploadAbandonHours: number;
  /** Bytes of messages one user may store an hour (files have their own quota). */
  storedBytesPerHour: number;
  /** Bytes of messages the users of one address may store an hour (unless exempt). */
  storedBytesPerHourPerAddress: number;
  /** Bytes of private messages that may wait for one offline user; past it, senders get queue_full. */
  maxQueuedBytes: number;
  /** Below this many free bytes on the data directory's disk, requests that store something are refused. */
  minFreeDiskBytes: number;
  /** Unfinished uploads one user may have at once (issue #11.7: each holds a file open while in use). */
  maxUploadsPerUser: number;
  /** Uploads in use (file open) at once from one address (issue #11.7). */
  maxUploadsPerAddress: number;
  /** An upload with no chunk for this many milliseconds closes its file; the next chunk reopens it. */
  uploadIdleMs: number;
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
  {
    key: 'maxDiscardBytes',
    flag: 'max-discard-bytes',
    default: 1 * MIB,
    help: 'read past an oversized line before closing',
  },
  {
    key: 'maxOutputBytes',
    flag: 'max-output-bytes',
    default: 1 * MIB,
    help: 'unsent output (replies, events) that closes a slow reader',
  },
  {
    key: 'behindBytes',
    flag: 'behind-bytes',
    default: 256 * KIB,
    help: 'unsent output past which chat is read from the store',
  },
  {
    key: 'catchUpPageBytes',
    flag: 'catch-up-page-bytes',
    default: 64 * KIB,
    help: 'stored chat queued at once while catching up',
  },
  { key: 'noProgressMs', flag: 'no-progress-ms', default: 60_000, help: 'time behind without reading before too_slow' },
  { key: 'maxTextBytes', flag: 'max-text-bytes', default: 16 * KIB, help: 'longest message text' },
  { key: 'floodBurst', flag: 'flood-burst', default: 10, help: 'messages a user may send at once' },
  { key: 'floodRate', flag: 'flood-rate', default: 5, help: 'messages a second after the burst' },
  {
    key: 'floodStrikes',
    flag: 'flood-strikes',
    default: 20,
    help: 'refused messages in a row that close the connection',
  },
  { key: 'registerTimeoutMs', flag: 'register-timeout-ms', default: 30_000, help: 'time to register or log in' },
  { key: 'pingAfterMs', flag: 'ping-after-ms', default: 60_000, help: 'silence before a ping' },
  { key: 'idleTimeoutMs', flag: 'idle-timeout-ms', default: 120_000, help: 'silence before the connection is closed' },
  { key: 'maxConnections', flag: 'max-connections', default: 10_000, help: 'open connections in total' },
  { key: 'maxPerAddress', flag: 'max-per-address', default: 64, help: 'open connections from one address group' },
  { key: 'ipv4Prefix', flag: 'ipv4-prefix', default: 32, help: 'IPv4 prefix bits that make one address group (0-32)' },
  { key: 'ipv6Prefix', flag: 'ipv6-prefix', default: 64, help: 'IPv6 prefix bits that make one address group (0-128)' },
  {
    key: 'loopbackOneHost',
    flag: 'loopback-one-host',
    default: 1,
    help: '1: all loopback addresses are one group; 0: each apart (tests)',
  },
  { key: 'offlineDeliveryLimit', flag: 'offline-limit', default: 10_000, help: 'waiting messages delivered at login' },
  {
    key: 'offlineMaxAgeDays',
    flag: 'offline-max-age-days',
    default: 30,
    help: 'oldest waiting message delivered at login',
  },
  {
    key: 'offlineDeliveryBytes',
    flag: 'offline-bytes',
    default: 512 * KIB,
    help: 'bytes of waiting messages sent at login',
  },
  {
    key: 'loginFailuresPerMinute',
    flag: 'login-failures-per-minute',
    default: 3,
    help: 'failed logins a minute per connection',
  },
  {
    key: 'loginFailuresPerAddress',
    flag: 'login-failures-per-address',
    default: 30,
    help: 'failed logins a minute per address',
  },
  {
    key: 'accountFailuresBeforeLock',
    flag: 'account-failures',
    default: 5,
    help: 'failed logins from one address before it is locked out of a name',
  },
  {
    key: 'nameFailuresUnderAttack',
    flag: 'name-failures-under-attack',
    default: 20,
    help: 'failed logins at a name, from all addresses, after which each address gets one try',
  },
  {
    key: 'loginGuardBytes',
    flag: 'login-guard-bytes',
    default: 16 * MIB,
    help: 'memory for remembering failed logins',
  },
  { key: 'maxConcurrentHashes', flag: 'max-concurrent-hashes', default: 2, help: 'password hashes computed at once' },
  {
    key: 'hashesPerAddress',
    flag: 'hashes-per-address',
    default: 16,
    help: 'password hashes one address may have running or waiting',
  },
  // Issue #11.8: 5 s, not 10: a real handshake takes a few round trips (well under a second even
  // across a continent), and each stalled one holds a descriptor and a slot of its address's cap.
  { key: 'tlsHandshakeMs', flag: 'tls-handshake-ms', default: 5_000, help: 'time to finish a TLS handshake' },
  // Issue #14: a browser sends a whole request at once; 10 s (Node's own default is 60) bounds how long
  // a slow-loris socket holds a descriptor and a slot of its address's cap.
  { key: 'httpRequestMs', flag: 'http-request-ms', default: 10_000, help: 'time to send an HTTP request' },
  {
    key: 'httpKeepAliveMs',
    flag: 'http-keep-alive-ms',
    default: 5_000,
    help: 'idle time before an HTTP keep-alive socket closes',
  },
  { key: 'maxFileBytes', flag: 'max-file-bytes', default: 100 * MIB, help: 'largest file' },
  { key: 'fileQuotaBytes', flag: 'file-quota-bytes', default: 1024 * MIB, help: 'bytes of files one user may store' },
  { key: 'fileRetentionDays', flag: 'file-retention-days', default: 30, help: 'days a file is kept' },
  { key: 'uploadAbandonHours', flag: 'upload-abandon-hours', default: 24, help: 'hours an unfinished upload is kept' },
  {
    key: 'storedBytesPerHour',
    flag: 'stored-bytes-per-hour',
    default: 8 * MIB,
    help: 'bytes of messages one user may store an hour',
  },
  {
    key: 'storedBytesPerHourPerAddress',
    flag: 'stored-bytes-per-hour-per-address',
    default: 64 * MIB,
    help: 'bytes of messages one address may store an hour',
  },
  {
    key: 'maxQueuedBytes',
    flag: 'max-queued-bytes',
    default: 16 * MIB,
    help: 'bytes of private messages waiting for one offline user',
  },
  {
    key: 'minFreeDiskBytes',
    flag: 'min-free-disk-bytes',
    default: 256 * MIB,
    help: 'free disk below which nothing new is stored',
  },
  { key: 'maxUploadsPerUser', flag: 'max-uploads-per-user', default: 4, help: 'unfinished uploads one user may have' },
  {
    key: 'maxUploadsPerAddress',
    flag: 'max-uploads-per-address',
    default: 16,
    help: 'uploads in use at once from one address',
  },
  {
    key: 'uploadIdleMs',
    flag: 'upload-idle-ms',
    default: 30_000,
    help: 'idle time after which an upload closes its file',
  },
];

export const DEFAULT_LIMITS: Limits = Object.fromEntries(
  LIMIT_OPTIONS.map((o) => [o.key, o.default]),
) as unknown as Limits;
