/**
 * One valid example of every request, and fast-check arbitraries that mutate them into hostile
 * variants (issue #4). The table is keyed by RequestSchemas' statuses: a status added there without
 * an example here does not compile, and test/server/hostile-input.property.test.ts checks every
 * example against its schema and that each status is answered `ok` at least once while fuzzing. To
 * cover a new command, add an example that can succeed on a fresh connection (add to ExampleNames
 * what it needs); nothing else changes.
 */
import fc from 'fast-check';
import { RequestSchemas, type RequestOf, type RequestStatus } from '../../src/protocol/requests.js';

/** Names an example may use, chosen per connection so that the unmutated example can succeed. */
export interface ExampleNames {
  /** A name nobody has: what register claims. */
  fresh: string;
  /** A room no one else uses: created, posted to and left by this connection. */
  room: string;
  /** A room that exists, which this connection may join. */
  lounge: string;
  /** A user who is online. */
  online: string;
  /** A known user who is offline (a private message to them is queued). */
  offline: string;
}

export const REQUEST_EXAMPLES: { readonly [S in RequestStatus]: (names: ExampleNames) => RequestOf<S> } = {
  register: (n) => ({ status: 'register', sender: n.fresh }),
  private: (n) => ({ status: 'private', receiver: n.online, text: 'hello there' }),
  broadcast: () => ({ status: 'broadcast', text: 'hello, all of you' }),
  group: (n) => ({ status: 'group', receiver: n.room, text: 'hello, room' }),
  create: (n) => ({ status: 'create', receiver: n.room, members: [n.offline] }),
  join: (n) => ({ status: 'join', receiver: n.lounge }),
  leave: (n) => ({ status: 'leave', receiver: n.room }),
  who: () => ({ status: 'who' }),
  users: () => ({ status: 'users' }),
  rooms: () => ({ status: 'rooms' }),
  members: (n) => ({ status: 'members', receiver: n.lounge }),
  history: (n) => ({ status: 'history', receiver: n.offline, after: 0, limit: 5 }),
  help: () => ({ status: 'help' }),
  exit: () => ({ status: 'exit' }),
  // These need an account or a role that a fuzzing connection does not have (their own tests cover
  // the success paths: test/server/auth/, test/server/chat/moderation.test.ts); here they exercise
  // validation and refusal.
  login: (n) => ({ status: 'login', sender: n.online, password: 'not the password' }),
  password: () => ({ status: 'password', password: 'not the password', new_password: 'another password' }),
  kick: (n) => ({ status: 'kick', receiver: n.online }),
  mute: (n) => ({ status: 'mute', receiver: n.online, seconds: 60 }),
  delete: (n) => ({ status: 'delete', receiver: n.lounge }),
  ping: () => ({ status: 'ping' }),
  // An empty file is complete at once, so the example succeeds on its own.
  upload: (n) => ({
    status: 'upload',
    receiver: n.online,
    name: 'notes.txt',
    size: 0,
    sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  }),
  files: () => ({ status: 'files' }),
  // These need an upload in progress or a file id the connection may see: test/server/files/ covers them.
  chunk: () => ({ status: 'chunk', file: 1, offset: 0, data: 'aGVsbG8=' }),
  fetch: () => ({ status: 'fetch', file: 1, offset: 0 }),
};

/** Statuses whose example cannot succeed on a fuzzing connection (no account, no admin role, no upload of its own). */
export const NEEDS_ACCOUNT_OR_ROLE: ReadonlySet<RequestStatus> = new Set([
  'login',
  'password',
  'kick',
  'mute',
  'delete',
  'chunk',
  'fetch',
]);

export const STATUSES = Object.keys(RequestSchemas) as RequestStatus[];

/**
 * A change to a request, kept as data so that a counterexample reads plainly. Values are raw text
 * put in the JSON line as is, so a mutation can also break the JSON (NaN, 1e309, a single quote).
 */
type Mutation =
  /** Remove the field at this index (modulo the number of fields). */
  | { drop: number }
  /** Replace the value of the field at this index. */
  | { retype: number; to: string }
  /** Set a field, adding it when absent. */
  | { set: string; to: string };

export interface HostileRequest {
  status: RequestStatus;
  mutations: Mutation[];
}

/** Every field a request of some status has (`status` and `id` included). */
export const KNOWN_KEYS = [
  'status',
  'id',
  'sender',
  'receiver',
  'text',
  'members',
  'before',
  'after',
  'limit',
  'password',
  'new_password',
  'token',
  'room',
  'seconds',
  'since',
];

/** Raw JSON-ish values of every kind a field should not have, and some it may. */
const hostileValue: fc.Arbitrary<string> = fc.oneof(
  // Any JSON value, mostly of the wrong type for the field.
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constantFrom('null', 'true', 'false', '0', '-1', '1.5', '[]', '{}', '""', '["Bea"]', '{"name":"Bea"}', '[null]'),
  // Numbers as text: some are JSON (1e309 parses to Infinity, 1e-400 to 0), some are not.
  fc.constantFrom(
    'NaN',
    'Infinity',
    '-Infinity',
    '1e309',
    '-1e309',
    '1e-400',
    '-0',
    '0x10',
    '01',
    '.5',
    '+1',
    '9007199254740993',
    '1E2',
    'undefined',
    "'Bea'",
  ),
  fc.double().map((d) => String(d)),
  // Unicode: lone surrogates, NUL, line separators, bidi overrides, combining marks, emoji.
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc
    .constantFrom(
      '\u0000',
      '\u2028\u2029',
      '\u202eBea',
      'Bea\u0301',
      '\ufeffBea',
      '😀'.repeat(9),
      'İ',
      'ß',
      'ＢＥＡ',
      'Bea\n',
    )
    .map((s) => JSON.stringify(s)),
  // Huge strings: past the 16 KiB text limit, and sometimes past the 64 KiB line limit.
  fc
    .record({ unit: fc.constantFrom('x', 'é', '😀'), count: fc.integer({ min: 1, max: 40_000 }) })
    .map(({ unit, count }) => JSON.stringify(unit.repeat(count))),
  // Deep nesting.
  fc.integer({ min: 1, max: 5_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.integer({ min: 1, max: 5_000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
);

const hostileStatus: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...STATUSES).map((s) => JSON.stringify(s)),
  fc
    .constantFrom('WHO', 'who ', ' help', 'Help', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '')
    .map((s) => JSON.stringify(s)),
  hostileValue,
);

/** Request ids: valid ones (strings up to 128 characters, finite numbers) and invalid ones. */
const hostileId: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 130 }).map((s) => JSON.stringify(s)),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom(
    'null',
    'true',
    '{}',
    '[1]',
    '1e309',
    '-0',
    JSON.stringify('i'.repeat(128)),
    JSON.stringify('i'.repeat(129)),
  ),
);

/** Mutations; `spoofed` are names a `sender` field may pretend to be (the server must ignore it). */
function mutation(spoofed: readonly string[]): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc.record({ drop: fc.nat() }),
    fc.record({ retype: fc.nat(), to: hostileValue }),
    fc.record({
      set: fc.oneof(fc.constantFrom(...KNOWN_KEYS, '__proto__', 'constructor'), fc.string({ maxLength: 8 })),
      to: hostileValue,
    }),
    fc.record({ set: fc.constant('sender'), to: fc.constantFrom(...spoofed).map((s) => JSON.stringify(s)) }),
    fc.record({ set: fc.constant('status'), to: hostileStatus }),
    fc.record({ set: fc.constant('id'), to: hostileId }),
  );
}

/** An example of any status with up to three mutations (often none: valid requests must work too). */
export function hostileRequest(spoofed: readonly string[]): fc.Arbitrary<HostileRequest> {
  return fc.record({ status: fc.constantFrom(...STATUSES), mutations: fc.array(mutation(spoofed), { maxLength: 3 }) });
}

/** The JSON line (without its newline) of `request` for this connection, with `id` before mutations. */
export function requestLine(request: HostileRequest, names: ExampleNames, id: string): string {
  const example = REQUEST_EXAMPLES[request.status](names) as Record<string, unknown>;
  const fields: [key: string, raw: string][] = Object.entries(example).map(([key, value]) => [
    key,
    JSON.stringify(value),
  ]);
  fields.push(['id', JSON.stringify(id)]);
  for (const m of request.mutations) {
    if ('drop' in m) {
      if (fields.length > 0) fields.splice(m.drop % fields.length, 1);
    } else if ('retype' in m) {
      if (fields.length > 0) fields[m.retype % fields.length]![1] = m.to;
    } else {
      const field = fields.find(([key]) => key === m.set);
      if (field) field[1] = m.to;
      else fields.push([m.set, m.to]);
    }
  }
  return `{${fields.map(([key, raw]) => `${JSON.stringify(key)}:${raw}`).join(',')}}`;
}
