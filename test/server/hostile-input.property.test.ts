// Hostile input against a real server over loopback (issue #4): random bytes, random JSON and mutated
// valid requests, pipelined on fresh connections before and after register. Every complete line gets
// exactly one reply, in order, with the request's id as ref when it had a usable one; an error carries
// a code from the registry (and never `internal`); no `sender` anywhere is one its connection did not
// register as. Meanwhile two bystanders keep messaging each other and must see every message.
//
// Cases: 2,000 runs of random bytes + 2,000 of random JSON + 2,500 of mutated requests = 6,500 runs,
// each a batch of 1-10 lines (about 30,000 lines in all); with test/protocol/line-decoder.property.test.ts
// (4,040 runs) issue #4 runs 10,540 cases. fast-check picks a random seed and prints it with any
// counterexample; replay one with { seed, path } in the fc.assert options.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import fc from 'fast-check';
import { ERROR_CODES } from '../../src/protocol/errors.js';
import { nameKey } from '../../src/protocol/names.js';
import { MAX_ID_LENGTH, RequestSchemas, type RequestId, type RequestStatus } from '../../src/protocol/requests.js';
import { COMMANDS } from '../../src/server/commands/index.js';
import { classify } from '../../src/server/web/sniff.js';
import { cut } from '../helpers/chunks.js';
import { propertyRuns, propertyScale } from '../helpers/property-runs.js';
import { TestClient, type Obj } from '../helpers/client.js';
import { assertPrivateFlows, barrier, withTimeout } from '../helpers/expect.js';
import {
  hostileRequest,
  KNOWN_KEYS,
  NEEDS_ACCOUNT_OR_ROLE,
  REQUEST_EXAMPLES,
  requestLine,
  STATUSES,
  type ExampleNames,
} from '../helpers/request-examples.js';
import { startServer, type TestServer } from '../helpers/server.js';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const TIMEOUT_MS = 5000;
const BYSTANDERS = ['Bea', 'Cal'];
const OFFLINE = 'Dee';
const LOUNGE = 'Lounge';
/** What a mutated request's `sender` may claim to be; the server must ignore it. */
const SPOOFED = [...BYSTANDERS, OFFLINE, 'bea', 'server', 'everyone', 'Mallory', ''];

/**
 * A hang costs a timeout per try, and shrinking tries many times: the time limit ends the search
 * (reporting the smallest counterexample so far) instead of holding CI for minutes. A property that
 * runs out of time fails, so a slow machine cannot silently run fewer cases. Normal runs take seconds.
 */
const OPTIONS = {
  includeErrorInReport: true,
  plugins: [fc.interruptAfterTimeLimit(60_000 * Math.max(1, propertyScale()), { failOnInterrupt: true })],
};

const CHECKS = Object.fromEntries(STATUSES.map((s) => [s, TypeCompiler.Compile(RequestSchemas[s])]));
const NEEDS_NAME = new Map<string, boolean>(COMMANDS.map((c) => [c.status, c.needsName]));

let server: TestServer;
let bea: TestClient;
let cal: TestClient;
let chatter: { stop(): Promise<number> };
/** Every name a connection registered as (from the register replies). */
const registered = new Set<string>();
/** Who sent each chat message, by msgid, from the ok replies the senders got. */
const sentBy = new Map<number, string>();
/** Messages the fuzzing connections sent to a bystander: each must arrive, under its real sender. */
const sentToBystanders: { msgid: number; sender: string; to: string[] }[] = [];
let connections = 0;

before(async () => {
  server = await startServer();
  bea = await TestClient.as(server.port, 'Bea');
  cal = await TestClient.as(server.port, 'Cal');
  const dee = await TestClient.as(server.port, OFFLINE);
  await dee.ok({ status: 'exit' });
  await withTimeout(dee.closed, TIMEOUT_MS, `${OFFLINE} to leave`);
  for (const name of [...BYSTANDERS, OFFLINE]) registered.add(name);
  await bea.ok({ status: 'create', receiver: LOUNGE });
  chatter = keepChatting();
});

after(async () => {
  await chatter.stop().catch(() => {}); // its failure is reported by the last test
  await Promise.all([bea.close(), cal.close()]);
  await server.stop();
});

/** Bea and Cal message each other for as long as the fuzzing runs; every message must arrive. */
function keepChatting(): { stop(): Promise<number> } {
  let running = true;
  let flows = 0;
  const done = (async () => {
    while (running) {
      await assertPrivateFlows(bea, cal);
      await assertPrivateFlows(cal, bea);
      flows += 2;
    }
    return flows;
  })();
  done.catch(() => {}); // awaited by stop(); this only keeps a failure from being unhandled meanwhile
  return {
    stop: () => {
      running = false;
      return done;
    },
  };
}

/** What the server must answer to one line (its bytes before the newline), whatever else happens. */
type Expected =
  | { kind: 'blank' }
  /** Refused at the edge, in any state. */
  | { kind: 'refused'; code: 'bad_request' | 'too_large'; ref: RequestId | undefined }
  /** A well-formed request: the answer depends on the connection's state. */
  | { kind: 'request'; ref: RequestId | undefined; status: RequestStatus; request: Obj };

/** The protocol's edge rules (docs/protocol.md), written out independently of the dispatcher. */
function expectationOf(line: Buffer): Expected {
  if (line.length > server.server.limits.maxLineBytes) return { kind: 'refused', code: 'too_large', ref: undefined };
  const text = line.toString('utf8', 0, line.at(-1) === CARRIAGE_RETURN ? line.length - 1 : line.length);
  if (text.length === 0) return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'refused', code: 'bad_request', ref: undefined };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { kind: 'refused', code: 'bad_request', ref: undefined };
  const request = value as Obj;
  const id: unknown = request.id;
  const usable =
    id === undefined ||
    (typeof id === 'string' && id.length <= MAX_ID_LENGTH) ||
    (typeof id === 'number' && Number.isFinite(id));
  if (!usable) return { kind: 'refused', code: 'bad_request', ref: undefined };
  const ref: RequestId | undefined = id;
  const status: unknown = request.status;
  if (typeof status !== 'string' || !NEEDS_NAME.has(status) || !CHECKS[status]!.Check(request))
    return { kind: 'refused', code: 'bad_request', ref };
  return { kind: 'request', ref, status: status as RequestStatus, request };
}

/** A fuzzing connection: the name it has registered as, if any, as its replies tell. */
interface Fuzzer {
  client: TestClient;
  name: string | null;
  names: ExampleNames;
}

async function fuzzer(withName: boolean): Promise<Fuzzer> {
  const n = ++connections;
  const client = await TestClient.connect(server.port, `Fz${n}`);
  client.socket.setNoDelay(true); // a batch cut into several writes must not wait for Nagle's timer
  const names = { fresh: `Fy${n}`, room: `Rm${n}`, lounge: LOUNGE, online: BYSTANDERS[n % 2]!, offline: OFFLINE };
  if (!withName) return { client, name: null, names };
  const reply = await client.ok({ status: 'register', sender: client.label });
  registered.add(reply.sender);
  return { client, name: reply.sender, names };
}

type Answered = Exclude<Expected, { kind: 'blank' }>;

/**
 * Opens a connection (registered or not), writes the lines `build` makes for it in one pipelined
 * stream cut at `cuts`, followed by a barrier, and checks every reply and event it gets. Returns
 * each answered line's expectation with its reply.
 */
async function runBatch(
  withName: boolean,
  build: (names: ExampleNames) => Buffer[],
  cuts: readonly number[] = [],
): Promise<{ e: Answered; reply: Obj }[]> {
  const f = await fuzzer(withName);
  try {
    return await exchange(f, build(f.names), cuts);
  } finally {
    await f.client.close();
  }
}

async function exchange(f: Fuzzer, lines: Buffer[], cuts: readonly number[]): Promise<{ e: Answered; reply: Obj }[]> {
  const { client } = f;
  const expected = lines.map(expectationOf);
  // A well-formed exit is always answered and then ends the connection: later lines get no reply.
  const exitAt = expected.findIndex((e) => e.kind === 'request' && e.status === 'exit');
  const barrierId = `${client.label}-barrier`;
  const parts = lines.flatMap((line) => [line, Buffer.of(NEWLINE)]);
  if (exitAt === -1) parts.push(Buffer.from(JSON.stringify({ status: 'help', id: barrierId }) + '\n'));
  const start = client.received.length;
  for (const piece of cut(Buffer.concat(parts), cuts)) client.raw(piece);
  if (exitAt === -1) await client.waitFor((m) => m.ref === barrierId, TIMEOUT_MS, 'the barrier after the batch');
  else await withTimeout(client.closed, TIMEOUT_MS, `${client.label} to be closed after exit`);

  const received = client.received.slice(start);
  const replies = received.filter((m) => m.status === 'ok' || m.status === 'error');
  if (exitAt === -1) assert.equal(replies.pop()?.ref, barrierId, `${client.label}: the barrier's reply comes last`);
  const answered: { e: Answered; line: Buffer }[] = [];
  (exitAt === -1 ? expected : expected.slice(0, exitAt + 1)).forEach((e, i) => {
    if (e.kind !== 'blank') answered.push({ e, line: lines[i]! });
  });
  assert.equal(
    replies.length,
    answered.length,
    `${client.label}: one reply per line; lines:\n${answered.map(({ line }) => preview(line)).join('\n')}\nreplies:\n${replies.map((r) => JSON.stringify(r).slice(0, 200)).join('\n')}`,
  );
  answered.forEach(({ e, line }, i) => checkReply(f, e, replies[i]!, line));
  for (const m of received) if (m.status !== 'ok' && m.status !== 'error') checkEvent(m, client.label);
  return answered.map(({ e }, i) => ({ e, reply: replies[i]! }));
}

function checkReply(f: Fuzzer, e: Answered, r: Obj, line: Buffer): void {
  const what = `${f.client.label} (${f.name ?? 'unregistered'}): ${JSON.stringify(r).slice(0, 300)} for ${preview(line)}`;
  assert.ok(r.status === 'ok' || r.status === 'error', what);
  assert.ok(r.ref === e.ref, `ref should be ${JSON.stringify(e.ref)}: ${what}`);
  if (r.status === 'error') {
    assert.ok(Object.hasOwn(ERROR_CODES, r.code), `a registered code: ${what}`);
    assert.notEqual(r.code, 'internal', `the server failed: ${what}`);
    assert.ok(typeof r.text === 'string' && r.text.length > 0, `a text: ${what}`);
    assert.ok(!('sender' in r), `no sender in an error: ${what}`);
  }
  if (e.kind === 'refused') {
    assert.equal(r.code, e.code, what);
    return;
  }
  if (NEEDS_NAME.get(e.status) && f.name === null) {
    assert.equal(r.code, 'not_registered', what);
    return;
  }
  if (e.status === 'register') checkRegister(f, e.request.sender as string, r, what);
  else if (e.status === 'login') checkLogin(f, e.request.sender, r, what);
  else if ('sender' in r) assert.equal(r.sender, f.name, `a reply names only the connection's own name: ${what}`);
  if (e.status === 'exit') assert.equal(r.status, 'ok', what);
  if (r.status !== 'ok') return;
  if (typeof r.msgid === 'number') {
    assert.ok(f.name !== null, what);
    sentBy.set(r.msgid, f.name);
    const to =
      e.status === 'broadcast' ? BYSTANDERS : BYSTANDERS.filter((b) => e.status === 'private' && r.receiver === b);
    if (to.length > 0) sentToBystanders.push({ msgid: r.msgid, sender: f.name, to });
  }
  if (Array.isArray(r.messages)) for (const m of r.messages as Obj[]) checkEvent(m, `${f.client.label}'s history`);
}

/** Names follow docs/protocol.md: 1-32 letters, digits, `.`, `_`, `-`; `everyone` and `server` are reserved. */
function isNameShaped(name: string): boolean {
  return /^[A-Za-z0-9._-]{1,32}$/.test(name) && !['everyone', 'server'].includes(name.toLowerCase());
}

function checkRegister(f: Fuzzer, claimed: string, r: Obj, what: string): void {
  if (f.name !== null) {
    assert.equal(r.code, 'already_registered', what);
    return;
  }
  if (!isNameShaped(claimed)) {
    assert.equal(r.code, 'invalid_name', what);
    return;
  }
  if (r.status === 'error') {
    // A mutation may add a password: that makes an account (then the name asks for it) or is too weak.
    // In claim mode (the default, issue #11.1) a name some connection registered before is refused.
    assert.ok(['name_taken', 'password_required', 'weak_password', 'name_claimed'].includes(r.code), what);
    if (r.code === 'name_claimed')
      assert.ok(
        [...registered].some((name) => nameKey(name) === nameKey(claimed)),
        `only a name registered before is claimed: ${what}`,
      );
    return;
  }
  assert.equal(typeof r.sender, 'string', what);
  assert.equal(nameKey(r.sender), nameKey(claimed), `registered as the name claimed: ${what}`);
  f.name = r.sender;
  registered.add(r.sender);
}

/** A fuzzing connection may log in to an account another one made (a mutation can add a password). */
function checkLogin(f: Fuzzer, claimed: unknown, r: Obj, what: string): void {
  if (f.name !== null) {
    assert.equal(r.code, 'already_registered', what);
    return;
  }
  if (r.status === 'error') return; // auth_failed, rate_limited, bad_request: codes checked above
  assert.equal(nameKey(r.sender), nameKey(String(claimed)), `logged in as the name claimed: ${what}`);
  f.name = r.sender;
  registered.add(r.sender);
}

/** A pushed message or event: well-formed, and its sender is who really sent it. */
function checkEvent(m: Obj, where: string): void {
  const what = `${where}: ${JSON.stringify(m).slice(0, 300)}`;
  assert.ok(['private', 'group', 'broadcast', 'system'].includes(m.status), what);
  assert.equal(typeof m.sender, 'string', what);
  if (m.status === 'system')
    assert.ok(registered.has(m.sender) || m.sender === 'server', `a registered sender: ${what}`);
  else assert.equal(m.sender, sentBy.get(m.msgid), `the sender of msgid ${m.msgid}: ${what}`);
}

function preview(line: Buffer): string {
  return line.length > 200
    ? `${JSON.stringify(line.subarray(0, 200).toString())}... (${line.length} bytes)`
    : JSON.stringify(line.toString());
}

test('every request status has a command and an example that matches its schema', () => {
  assert.deepEqual(
    Object.keys(REQUEST_EXAMPLES).sort(),
    [...STATUSES].sort(),
    'test/helpers/request-examples.ts has one example per status',
  );
  assert.deepEqual(
    [...NEEDS_NAME.keys()].sort(),
    [...STATUSES].sort(),
    'src/server/commands has one command per status',
  );
  const names: ExampleNames = { fresh: 'Fresh', room: 'Room', lounge: LOUNGE, online: 'Bea', offline: OFFLINE };
  for (const status of STATUSES) {
    const example = REQUEST_EXAMPLES[status](names);
    assert.equal(example.status, status);
    assert.ok(CHECKS[status]!.Check(example), `the ${status} example matches its schema: ${JSON.stringify(example)}`);
  }
});

test('random bytes: every complete line gets one reply, an error with a registered code', async () => {
  const maxLine = server.server.limits.maxLineBytes;
  const line = fc.oneof(
    { weight: 20, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    { weight: 5, arbitrary: fc.string({ unit: 'binary', maxLength: 32 }).map((s) => new Uint8Array(Buffer.from(s))) },
    // Lines past the limit are generated as a fill byte and a length, so a counterexample prints short.
    { weight: 1, arbitrary: fc.record({ fill: fc.nat(255), over: fc.integer({ min: 1, max: 4096 }) }) },
  );
  const batch = fc.record({
    withName: fc.boolean(),
    lines: fc.array(fc.record({ line, crlf: fc.boolean() }), { minLength: 1, maxLength: 8 }),
    cuts: fc.array(fc.nat(), { maxLength: 4 }),
  });
  await fc.assert(
    fc.asyncProperty(batch, async ({ withName, lines, cuts }) => {
      const bytes = lines.map(({ line, crlf }) => {
        const raw = line instanceof Uint8Array ? Buffer.from(line) : Buffer.alloc(maxLine + line.over, line.fill);
        // Newlines end lines: inside one they become spaces, so each generated line is one line.
        const body = Buffer.from(raw.map((b) => (b === NEWLINE ? 0x20 : b)));
        return crlf ? Buffer.concat([body, Buffer.of(CARRIAGE_RETURN)]) : body;
      });
      // A connection whose first bytes are an HTTP request line ("GET ...") is a browser's (issue #14,
      // test/server/web/same-port.test.ts): this property is about the line protocol, so such a start
      // gets a '{' in front, still one random line.
      if (!withName && classify(Buffer.concat(bytes.flatMap((b) => [b, Buffer.of(NEWLINE)]))) !== 'lines')
        bytes[0] = Buffer.concat([Buffer.from('{'), bytes[0]!]);
      await runBatch(withName, () => bytes, cuts);
    }),
    { ...OPTIONS, numRuns: propertyRuns(2000) },
  );
});

test('random JSON: every value gets one reply, with a registered code', async () => {
  // Some values look like requests: a real status with random JSON in the usual fields.
  const requestLike = fc
    .tuple(
      fc.constantFrom(...STATUSES),
      fc.dictionary(fc.constantFrom(...KNOWN_KEYS.filter((k) => k !== 'status')), fc.jsonValue({ maxDepth: 2 })),
    )
    .map(([status, fields]) => ({ ...fields, status }));
  const value = fc.oneof(fc.jsonValue(), fc.anything(), requestLike);
  const batch = fc.record({ withName: fc.boolean(), values: fc.array(value, { minLength: 1, maxLength: 8 }) });
  await fc.assert(
    fc.asyncProperty(batch, async ({ withName, values }) => {
      // JSON.stringify gives undefined for undefined (and functions): those are sent as null.
      await runBatch(withName, () => values.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')));
    }),
    { ...OPTIONS, numRuns: propertyRuns(2000) },
  );
});

test('mutated requests of every status: one reply each, in order, and no forged sender', async () => {
  const okStatuses = new Set<string>();
  let spoofedOk = 0;
  const batch = fc.record({
    withName: fc.boolean(),
    requests: fc.array(hostileRequest(SPOOFED), { minLength: 1, maxLength: 10 }),
  });
  await fc.assert(
    fc.asyncProperty(batch, async ({ withName, requests }) => {
      const answers = await runBatch(withName, (names) =>
        requests.map((request, i) => Buffer.from(requestLine(request, names, `q${i}`))),
      );
      for (const { e, reply } of answers) {
        if (e.kind !== 'request' || reply.status !== 'ok') continue;
        okStatuses.add(e.status);
        if (e.status !== 'register' && 'sender' in e.request) spoofedOk++;
      }
    }),
    { ...OPTIONS, numRuns: propertyRuns(2500) },
  );
  const canSucceed = STATUSES.filter((s) => !NEEDS_ACCOUNT_OR_ROLE.has(s));
  assert.deepEqual(
    [...okStatuses].filter((s) => !NEEDS_ACCOUNT_OR_ROLE.has(s as RequestStatus)).sort(),
    [...canSucceed].sort(),
    'every status that can succeed here was answered ok at least once',
  );
  assert.ok(spoofedOk > 0, 'some requests with a spoofed sender were carried out');
});

test('meanwhile the bystanders got every message, none under a forged sender, and the server still answers', async () => {
  const flows = await chatter.stop();
  assert.ok(flows >= 2, `the bystanders kept chatting (${flows} messages)`);
  await Promise.all([barrier(bea), barrier(cal)]);
  for (const client of [bea, cal]) {
    for (const m of client.received)
      if (m.status === 'ok' && typeof m.msgid === 'number') sentBy.set(m.msgid, client.label);
  }
  for (const client of [bea, cal]) {
    for (const m of client.received) if (m.status !== 'ok' && m.status !== 'error') checkEvent(m, client.label);
  }
  assert.ok(sentToBystanders.length > 0, 'the fuzzing connections sent the bystanders messages');
  for (const { msgid, sender, to } of sentToBystanders) {
    for (const name of to) {
      const client = name === 'Bea' ? bea : cal;
      assert.ok(
        client.received.some((m) => m.msgid === msgid && m.sender === sender),
        `${name} got msgid ${msgid} from ${sender}`,
      );
    }
  }
  const who = await bea.ok({ status: 'who' });
  assert.deepEqual(
    who.users.filter((u: string) => BYSTANDERS.includes(u)),
    BYSTANDERS,
  );
});
