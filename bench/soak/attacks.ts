/**
 * The attacks of issue #11 that the soak test repeats, at the figures (points 5, 6, 7, 9).
 * Attackers come from 127.0.0.2-4 (the probes use .8 and .9) and send only what the protocol allows
 * an anonymous client or an ordinary account: no flag of the server is changed for them.
 */
import { randomBytes } from 'node:crypto';
import { BACKOFF_MS, json, repeat, REQUEST_TIMEOUT_MS, sleep, type Attack, type AttackContext } from './attack.js';
import { Conn } from './conn.js';

const CONNECT_TIMEOUT_MS = 10_000;
/** The name the memory attack sent: 60 KB, under the 64 KiB line limit with the rest of the request. */
const LONG_NAME_CHARS = 60_000;
/** Failed logins a connection gets per minute (--login-failures-per-minute): the attacker then reconnects. */
const FAILURES_PER_CONNECTION = 3;
/** Announced size of each abandoned upload: small, so the quota (1 GiB) is not what stops the attack. */
const UPLOAD_BYTES = 100_000;

/** Opens a connection from `from`, or records why not and returns null (after a short pause). */
async function connect(ctx: AttackContext, from: string): Promise<Conn | null> {
  try {
    return ctx.track(await Conn.open(ctx.port, from, CONNECT_TIMEOUT_MS));
  } catch (err) {
    ctx.connectFailed(err);
    await sleep(BACKOFF_MS);
    return null;
  }
}

/** A connection from `from` logged in as `name` with its session token (no password hash), or null. */
async function tokenSession(ctx: AttackContext, from: string, name: string): Promise<Conn | null> {
  const conn = await connect(ctx, from);
  if (!conn) return null;
  const reply = await conn.request(
    `{"status":"login","sender":${json(name)},"token":${json(ctx.seeded.tokens.get(name))}}\n`,
    REQUEST_TIMEOUT_MS,
  );
  ctx.record(reply);
  if (reply.status === 'ok') return conn;
  conn.destroy();
  await sleep(BACKOFF_MS);
  return null;
}

/** Repeats `line()` on one connection per worker, reconnecting (`open`) when it closes. */
function onEachConnection(
  ctx: AttackContext,
  workers: number,
  open: (worker: number) => Promise<Conn | null>,
  line: (worker: number) => string,
): Promise<void> {
  const conns: (Conn | null)[] = new Array<Conn | null>(workers).fill(null);
  return repeat(ctx, workers, async (worker) => {
    let conn = conns[worker];
    if (!conn || conn.closed) conn = conns[worker] = await open(worker);
    if (!conn) return;
    const reply = await conn.request(line(worker), REQUEST_TIMEOUT_MS);
    ctx.record(reply);
    if (reply.status !== 'ok' && reply.status !== 'error') await sleep(BACKOFF_MS);
  }).finally(() => conns.forEach((c) => c?.destroy()));
}

/** Issue #11.5: `login` with a 60 KB name and a wrong token, three per connection, then a new connection. */
export const memory: Attack = {
  name: 'memory',
  point: '#11.5',
  summary: 'login with a 60 KB sender and a wrong token, 3 per connection, 32 connections from 127.0.0.2',
  connections: 32,
  run: (ctx) =>
    repeat(ctx, 32, async () => {
      const conn = await connect(ctx, '127.0.0.2');
      if (!conn) return;
      for (let i = 0; i < FAILURES_PER_CONNECTION && ctx.running(); i++) {
        const name = randomBytes((LONG_NAME_CHARS * 3) / 4).toString('base64url');
        const reply = await conn.request(
          `{"status":"login","sender":"${name}","token":"${randomBytes(32).toString('base64url')}"}\n`,
          REQUEST_TIMEOUT_MS,
        );
        ctx.record(reply);
        if (reply.status !== 'error' || reply.code !== 'auth_failed') break;
      }
      conn.destroy();
    }),
};

/** Issue #11.6: `rooms` over 20,000 rooms, repeated by 20 logged-in clients. */
export const stallRooms: Attack = {
  name: 'stall-rooms',
  point: '#11.6',
  summary: '`rooms` over every room, repeated by 20 logged-in clients from 127.0.0.2',
  connections: 20,
  run: (ctx) =>
    onEachConnection(
      ctx,
      ctx.seeded.listers.length,
      (worker) => tokenSession(ctx, '127.0.0.2', ctx.seeded.listers[worker]!),
      () => '{"status":"rooms"}\n',
    ),
};

/**
 * Issue #11.6: logins of users with the busy room waiting, 20 at a time (the report's "20 such
 * logins"). A login delivers what waited and so empties it: each waiting user logs in once, and the
 * logins are also spread over the attack so that it lasts its whole time on a server that answers fast.
 */
export const stallCatchUp: Attack = {
  name: 'stall-catchup',
  point: '#11.6',
  summary:
    'logins of users with the busy room waiting (100,000 messages), 20 at a time, spread over the run, from 127.0.0.3',
  connections: 20,
  run: async (ctx) => {
    const waiters = [...ctx.seeded.waiters];
    const intervalMs = (ctx.seconds * 1000) / waiters.length;
    const started = Date.now();
    let next = 0;
    await repeat(ctx, 20, async () => {
      if (next >= waiters.length) {
        await sleep(100); // all logged in once; the others wait for the attack's end
        return;
      }
      const due = started + next * intervalMs;
      const name = waiters[next++]!;
      if (due > Date.now()) await sleep(due - Date.now());
      if (!ctx.running()) return;
      // Each worker waits for its login's reply before the next: at most 20 in the server at once.
      (await tokenSession(ctx, '127.0.0.3', name))?.destroy();
    });
  },
};

/** One hashing attacker: even workers register over an owned name, odd ones log in with wrong passwords. */
function hashing(addresses: string[], perAddress: number): Attack['run'] {
  return (ctx) => {
    const workers = addresses.length * perAddress;
    const from = (worker: number) => addresses[worker % addresses.length]!;
    const failures: number[] = new Array<number>(workers).fill(0);
    const conns: (Conn | null)[] = new Array<Conn | null>(workers).fill(null);
    return repeat(ctx, workers, async (worker) => {
      let conn = conns[worker];
      // A password login gets 3 failures per connection: then the attacker simply reconnects.
      if (conn && worker % 2 === 1 && failures[worker]! >= FAILURES_PER_CONNECTION) {
        conn.destroy();
        conn = null;
      }
      if (!conn || conn.closed) {
        conn = conns[worker] = await connect(ctx, from(worker));
        failures[worker] = 0;
        if (!conn) return;
      }
      const password = randomBytes(12).toString('base64url');
      const line =
        worker % 2 === 0
          ? `{"status":"register","sender":${json(ctx.seeded.owner)},"password":"${password}"}\n`
          : `{"status":"login","sender":"nobody-${randomBytes(6).toString('hex')}","password":"${password}"}\n`;
      const reply = await conn.request(line, REQUEST_TIMEOUT_MS);
      ctx.record(reply);
      failures[worker]!++;
      if (reply.status !== 'ok' && reply.status !== 'error') await sleep(BACKOFF_MS);
    }).finally(() => conns.forEach((c) => c?.destroy()));
  };
}

/** Issue #11.9: 60 connections from one address. */
export const hashOneAddress: Attack = {
  name: 'hash-one-address',
  point: '#11.9',
  summary: 'register with a password over an owned name / password logins, 60 connections from 127.0.0.2',
  connections: 60,
  run: hashing(['127.0.0.2'], 60),
};

/** Issue #11.9: 180 connections from three addresses. */
export const hashThreeAddresses: Attack = {
  name: 'hash-three-addresses',
  point: '#11.9',
  summary: 'the same from 180 connections, 60 each from 127.0.0.2-4',
  connections: 180,
  run: hashing(['127.0.0.2', '127.0.0.3', '127.0.0.4'], 60),
};

/** Issue #11.7: 60 users each start an upload and drop the connection, again and again. */
export const descriptors: Attack = {
  name: 'descriptors',
  point: '#11.7',
  summary: '60 users each log in, start an upload and drop the connection, repeated; 30 each from 127.0.0.2-3',
  connections: 60,
  run: (ctx) =>
    repeat(ctx, ctx.seeded.uploaders.length, async (worker) => {
      const conn = await tokenSession(ctx, worker % 2 === 0 ? '127.0.0.2' : '127.0.0.3', ctx.seeded.uploaders[worker]!);
      if (!conn) return;
      const sha256 = randomBytes(32).toString('hex');
      const reply = await conn.request(
        `{"status":"upload","receiver":"soak-poster","name":"notes-${worker}.pdf","size":${UPLOAD_BYTES},"sha256":"${sha256}"}\n`,
        REQUEST_TIMEOUT_MS,
      );
      ctx.record(reply);
      conn.destroy();
      if (reply.status !== 'ok') await sleep(BACKOFF_MS);
    }),
};

/**
 * In the order they run. What an attack leaves behind is what the next one starts from (one server):
 * the memory attack's RSS and the descriptor attack's open files stay, so they come late; catch-up
 * logins last, since on the code of issue #11 the ones queued when it stops kept the server busy for
 * minutes (each read the whole busy room).
 */
export const ATTACKS: readonly Attack[] = [
  stallRooms,
  hashOneAddress,
  hashThreeAddresses,
  descriptors,
  memory,
  stallCatchUp,
];
