// The three-node deployment of docs/operations.md run as written (#15): three `classchat serve` processes
// started from deploy/three-node/classchat@.service and its environment file, on one fresh PostgreSQL
// schema (reached through a proxy the test can cut) and a redis-server of the test's own, behind the real
// haproxy with deploy/three-node/haproxy.cfg. Six users send private and group messages through HAProxy
// at a steady pace while one node is killed with -9, Redis is killed and restarted, and PostgreSQL is cut
// off for a few seconds. After each, every acknowledged message is stored once, and every user was
// pushed each message of their conversations exactly once, in history's order, with no gap.
// The tests run in order on one deployment: each starts from where the previous one left it.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { TestClient, type Obj } from '../../helpers/client.js';
import { fullHistory } from '../../helpers/expect.js';
import { CutProxy } from '../../helpers/cut-proxy.js';
import {
  DEPLOY_DIR,
  HAPROXY_SKIP,
  readEnvFile,
  readUnit,
  replaceKeys,
  startHaproxy,
  startUnitNode,
  type Haproxy,
} from '../../helpers/deployment.js';
import { killProcess, REDIS_SERVER_SKIP, startRedis } from '../../helpers/redis-server.js';
import { freePort, tempDataDir, type ChildServer } from '../../helpers/server.js';
import { freshPostgresSchema, POSTGRES_SKIP, POSTGRES_URL, type TestSchema } from '../../helpers/services.js';
import { SteadyUser } from './steady-user.js';

const SKIP = POSTGRES_SKIP || REDIS_SERVER_SKIP || HAPROXY_SKIP;
const ROOM = 'Lab';
const USERS = ['Ann', 'Ben', 'Cai', 'Dee', 'Eli', 'Fay'];
/** The registry's documented bound on a dead node's names (docs/scaling.md, name-registry.ts). */
const NAME_BOUND_MS = 10_000;
/**
 * What a login adds to the bound: the claim's 25 ms retries, the login's round trips through HAProxy,
 * the event loops of node and test. 0.2 s on an idle machine; up to 0.7 s seen with the full suite and
 * other work on 2 cores (load average 19).
 */
const LOGIN_SLACK_MS = 2_000;
const PHASE_TIMEOUT_MS = 20_000;
/** The PostgreSQL outage: a few seconds, so that every node's probe is turned away several times. */
const OUTAGE_MS = 3_000;

interface Deployment {
  schema: TestSchema;
  dbProxy: CutProxy;
  redisPort: number;
  redis: ChildProcess;
  nodes: ChildServer[];
  /** Starts a node from the unit on `port` and `dataDir`, as systemd does for classchat@<port>. */
  startNode(port: number, dataDir: string): Promise<ChildServer>;
  haproxy: Haproxy;
  lbPort: number;
  users: SteadyUser[];
}

let deployment: Deployment | null = null;
/** The node the first test killed, for the last to start again. */
let killed: ChildServer | null = null;
const cleanup: (() => Promise<unknown>)[] = [];

after(async () => {
  for (const user of deployment?.users ?? []) for (const c of user.connections) await c.close();
  for (const step of cleanup.reverse()) await step().catch(() => {});
});

/** Polls `condition` (cheap, in memory) until it holds; fails after `ms` saying `what`. */
async function until(condition: () => boolean, what: string, ms = PHASE_TIMEOUT_MS): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Each user's next message: to the room, or to the next user, in turn. */
function nextRequest(user: SteadyUser, i: number) {
  const next = USERS[(USERS.indexOf(user.name) + 1) % USERS.length]!;
  const text = `${user.name} ${i}`;
  return i % 2 === 0 ? { status: 'group', receiver: ROOM, text } : { status: 'private', receiver: next, text };
}

async function deploy(): Promise<Deployment> {
  const schema = await freshPostgresSchema();
  cleanup.push(() => schema.drop());
  const target = new URL(POSTGRES_URL!);
  const dbProxy = await CutProxy.start(Number(target.port || 5432), target.hostname);
  cleanup.push(() => dbProxy.close());
  const store = new URL(schema.url);
  store.hostname = '127.0.0.1';
  store.port = String(dbProxy.port);

  const redisPort = await freePort();
  // Replaced when the Redis test restarts it: the clean-up kills whichever runs then.
  const redis = { current: await startRedis(redisPort) };
  cleanup.push(() => killProcess(redis.current));

  const files = {
    '/etc/classchat/classchat.env': replaceKeys(
      readEnvFile(path.join(DEPLOY_DIR, 'classchat.env')),
      {
        CLASSCHAT_STORE: store.toString(),
        CLASSCHAT_BUS: `redis://127.0.0.1:${redisPort}`,
        CLASSCHAT_HOST: '127.0.0.1',
        CLASSCHAT_PROXY_FROM: '127.0.0.1',
      },
      'classchat.env',
    ),
  };
  const startNode = async (port: number, dataDir: string) => {
    const unit = readUnit(path.join(DEPLOY_DIR, 'classchat@.service'), String(port));
    const node = await startUnitNode(unit, files, { CLASSCHAT_DATA: dataDir }, dataDir);
    cleanup.push(() => node.stop('SIGKILL'));
    assert.equal(node.port, port, 'the node listens on the port its instance names');
    return node;
  };
  const nodes: ChildServer[] = [];
  for (let i = 0; i < 3; i++) {
    const dataDir = tempDataDir();
    cleanup.push(() => fs.promises.rm(dataDir, { recursive: true, force: true }));
    // Started one after another: the first applies the schema, under its lock, while the others wait.
    nodes.push(await startNode(await freePort(), dataDir));
  }

  const lbPort = await freePort();
  const haproxyEnv = replaceKeys(
    readEnvFile(path.join(DEPLOY_DIR, 'haproxy.env')),
    {
      CLASSCHAT_LB_BIND: `127.0.0.1:${lbPort}`,
      ...Object.fromEntries(nodes.map((node, i) => [`CLASSCHAT_NODE${i + 1}`, `127.0.0.1:${node.port}`])),
    },
    'haproxy.env',
  );
  const haproxy = await startHaproxy(path.join(DEPLOY_DIR, 'haproxy.cfg'), haproxyEnv, lbPort);
  cleanup.push(() => haproxy.stop());

  const users: SteadyUser[] = [];
  for (const name of USERS) users.push(await SteadyUser.register(lbPort, name, nextRequest));
  const [owner, ...members] = users;
  await owner!.client.ok({ status: 'create', receiver: ROOM, members: members.map((u) => u.name) });
  for (const member of members) await member.client.event('system', { event: 'created', receiver: ROOM });
  return {
    schema,
    dbProxy,
    redisPort,
    get redis() {
      return redis.current;
    },
    set redis(child: ChildProcess) {
      redis.current = child;
    },
    nodes,
    startNode,
    haproxy,
    lbPort,
    users,
  };
}

/** The node of `user`'s latest login: the living node that logged its `registered` line last. */
function nodeOf(d: Deployment, user: { name: string }): ChildServer | undefined {
  let found: ChildServer | undefined;
  let latest = -1;
  for (const node of d.nodes) {
    for (const line of node.output().split('\n')) {
      if (!line.includes('"msg":"registered"')) continue;
      const entry = JSON.parse(line) as { user?: string; time: number };
      if (entry.user === user.name && entry.time >= latest) [latest, found] = [entry.time, node];
    }
  }
  return found;
}

/** The log lines `node` printed after `mark` (its output's length at some earlier point). */
function logsAfter(node: ChildServer, mark: number): string {
  return node.output().slice(mark);
}

/** Sends until every user has `count` more messages acknowledged than now. */
async function moreAcked(users: SteadyUser[], count: number, what: string): Promise<void> {
  const from = new Map(users.map((u) => [u, u.acked()]));
  await until(() => users.every((u) => u.acked() >= from.get(u)! + count), `${count} more acknowledged ${what}`);
}

/**
 * With every user stopped: each message sent was acknowledged and is stored exactly once with the
 * acknowledged msgid, nothing unsent is stored, and every user was pushed each message of their
 * conversations that others sent exactly once, in the order of history, with none missing.
 */
async function checkEverything(d: Deployment): Promise<void> {
  const reader = d.users[0]!.client;
  const conversations = new Map<string, { members: string[]; messages: Obj[] }>();
  const chat = (m: Obj) => m.status === 'group' || m.status === 'private';
  conversations.set(ROOM, { members: USERS, messages: (await fullHistory(reader, ROOM)).filter(chat) });
  for (const user of d.users) {
    const next = USERS[(USERS.indexOf(user.name) + 1) % USERS.length]!;
    conversations.set(`${user.name}>${next}`, {
      members: [user.name, next],
      messages: (await fullHistory(user.client, next)).filter(chat),
    });
  }
  const stored = new Map<string, number[]>();
  for (const { messages } of conversations.values())
    for (const m of messages)
      stored.set(m.text as string, [...(stored.get(m.text as string) ?? []), m.msgid as number]);
  let sentCount = 0;
  for (const user of d.users) {
    for (const sent of user.sent) {
      sentCount++;
      assert.notEqual(sent.msgid, undefined, `${sent.id} was acknowledged before its sender stopped`);
      assert.deepEqual(
        stored.get(sent.request.text as string),
        [sent.msgid],
        `${sent.id} is stored once, as acknowledged`,
      );
    }
  }
  assert.equal(stored.size, sentCount, 'nothing is stored that was not sent');
  for (const [key, { members, messages }] of conversations) {
    for (const name of members) {
      const user = d.users.find((u) => u.name === name)!;
      const expected = messages.filter((m) => m.sender !== name).map((m) => m.msgid);
      const got = user
        .pushed()
        .filter((m) =>
          key === ROOM ? m.receiver === ROOM : m.status === 'private' && `${m.sender}>${m.receiver}` === key,
        )
        .map((m) => m.msgid as number);
      assert.deepEqual(got, expected, `${name} was pushed every message of ${key} once, in history's order`);
    }
  }
}

test(
  '#15 three nodes behind HAProxy: a node killed with -9 under steady load loses nothing acknowledged; its users log in elsewhere within the 10 s name bound and catch up',
  { skip: SKIP, timeout: 60_000 },
  async (t) => {
    deployment = await deploy();
    const d = deployment;
    const placed = new Map(d.users.map((u) => [u, nodeOf(d, u)]));
    // HAProxy's leastconn spreads the six users over the three nodes (two each, but for a check's
    // connection that had not closed yet).
    t.diagnostic(
      `users per node: ${d.nodes.map((node) => [...placed.values()].filter((n) => n === node).length).join(', ')}`,
    );
    for (const node of d.nodes) assert.ok([...placed.values()].includes(node), 'every node has users');
    for (const user of d.users) user.start();
    await moreAcked(d.users, 5, 'before the kill');

    const victim = d.nodes[0]!;
    const orphans = d.users.filter((u) => placed.get(u) === victim);
    // Struck while one of its users has a message on the way, whose answer never comes.
    await orphans[0]!.nextWrite();
    const killedAt = performance.now();
    await victim.stop('SIGKILL');
    killed = d.nodes.splice(0, 1)[0]!;
    await until(() => orphans.every((u) => u.reconnects.length === 1), 'the orphans to log in again');
    for (const user of orphans) {
      const back = user.reconnects[0]!;
      const ms = back.backAt - killedAt;
      t.diagnostic(
        `${user.name} logged in again ${Math.round(ms)} ms after the kill (refused: ${back.refusals.join(', ')})`,
      );
      assert.ok(ms <= NAME_BOUND_MS + LOGIN_SLACK_MS, `${user.name}'s name was free within the bound: ${ms} ms`);
      assert.ok(d.nodes.includes(nodeOf(d, user)!), `${user.name} is on a living node`);
    }
    assert.ok(
      orphans[0]!.sent.some((m) => m.lostInFlight),
      'a message in flight at the kill was sent again by its id (stored once: checkEverything)',
    );
    assert.equal(new Set(d.users.map((u) => nodeOf(d, u))).size, 2, 'the users are on both living nodes');
    // The others were never disconnected.
    for (const user of d.users) if (!orphans.includes(user)) assert.equal(user.reconnects.length, 0, user.name);
    await moreAcked(d.users, 5, 'after the kill');
    await Promise.all(d.users.map((u) => u.stop()));
    await checkEverything(d);
    // The health check of haproxy.cfg took the dead node out, and only it.
    await until(() => /nodes\/node1 is DOWN/.test(d.haproxy.output()), "HAProxy's check to mark node1 down");
    assert.doesNotMatch(d.haproxy.output(), /node[23] is DOWN/);
  },
);

test(
  '#15 three nodes: Redis killed and restarted under load: sending goes on, nothing acknowledged is lost, live delivery resumes on the same connections',
  { skip: SKIP, timeout: 60_000 },
  async () => {
    const d = deployment;
    assert.ok(d, 'the deployment of the first test');
    const connectionsBefore = d.users.map((u) => u.connections.length);
    for (const user of d.users) user.start();
    await moreAcked(d.users, 3, 'before Redis is killed');
    const marks = d.nodes.map((n) => n.output().length);
    await killProcess(d.redis);
    // While Redis is away, sending goes on: what is stored does not wait for the bus.
    await moreAcked(d.users, 2, 'while Redis is down');
    d.redis = await startRedis(d.redisPort);
    await moreAcked(d.users, 5, 'after Redis came back');
    // Every node noticed: its registry found the names gone and claimed its users' names again.
    await until(
      () => d.nodes.every((n, i) => logsAfter(n, marks[i]!).includes('name registry: names re-asserted')),
      'every node to re-assert its names',
    );
    await Promise.all(d.users.map((u) => u.stop()));
    await checkEverything(d);
    assert.deepEqual(
      d.users.map((u) => u.connections.length),
      connectionsBefore,
      'no user lost its connection: what reached them came live',
    );
  },
);

test(
  '#15 three nodes: PostgreSQL cut off for a few seconds under load: requests get unavailable meanwhile, nothing acknowledged is lost, service resumes by itself',
  { skip: SKIP, timeout: 60_000 },
  async (t) => {
    const d = deployment;
    assert.ok(d, 'the deployment of the first test');
    for (const user of d.users) user.start();
    await moreAcked(d.users, 3, 'before the cut');
    const refusedBefore = d.users.map((u) => u.refused.length);
    const connectionsBefore = d.users.map((u) => u.connections.length);
    const marks = d.nodes.map((n) => n.output().length);
    const cutAt = performance.now();
    d.dbProxy.cut();
    // The outage lasts OUTAGE_MS, and at least until every user was refused and every node said so.
    await until(
      () =>
        performance.now() - cutAt >= OUTAGE_MS &&
        d.users.every((u, i) => u.refused.length > refusedBefore[i]!) &&
        d.nodes.every((n, i) => logsAfter(n, marks[i]!).includes('database unreachable')),
      'unavailable answers while PostgreSQL is cut off',
    );
    d.dbProxy.restore();
    t.diagnostic(`PostgreSQL was cut off for ${Math.round(performance.now() - cutAt)} ms`);
    await moreAcked(d.users, 5, 'after PostgreSQL came back');
    for (const [i, node] of d.nodes.entries())
      assert.match(logsAfter(node, marks[i]!), /database reachable again: serving requests/);
    await Promise.all(d.users.map((u) => u.stop()));
    t.diagnostic(
      `refused during the cut: ${d.users.map((u, i) => u.refused.length - refusedBefore[i]!).join(', ')}; ` +
        `connections closed: ${d.users.map((u, i) => u.connections.length - connectionsBefore[i]!).join(', ')}`,
    );
    for (const [i, user] of d.users.entries()) {
      const during = user.refused.slice(refusedBefore[i]);
      assert.ok(
        during.includes('unavailable'),
        `${user.name} was answered unavailable during the cut: ${during.join()}`,
      );
    }
    await checkEverything(d);
  },
);

test(
  '#15 three nodes: the killed node started again (as Restart=always does) rejoins: HAProxy takes it back, and a user there talks with the others',
  { skip: SKIP, timeout: 60_000 },
  async () => {
    const d = deployment;
    assert.ok(d && killed, 'the deployment and the node the first test killed');
    const mark = d.haproxy.output().length;
    // Same instance, same port and data directory: what systemd starts after RestartSec.
    const node = await d.startNode(killed.port, killed.dataDir);
    d.nodes.unshift(node);
    await until(() => /nodes\/node1 is UP/.test(d.haproxy.output().slice(mark)), 'HAProxy to take node1 back');
    // leastconn: a new connection goes to the node that has none.
    const gus = await TestClient.as(d.lbPort, 'Gus');
    try {
      assert.equal(nodeOf(d, { name: 'Gus' }), node, 'Gus is on the restarted node');
      const [ann, ben] = [d.users[0]!.client, d.users[1]!.client];
      const hello = await gus.ok({ status: 'private', receiver: 'Ann', text: 'hello from the restarted node' });
      await ann.event('private', { msgid: hello.msgid, sender: 'Gus' });
      const welcome = await ann.ok({ status: 'private', receiver: 'Gus', text: 'welcome back' });
      await gus.event('private', { msgid: welcome.msgid, sender: 'Ann' });
      await gus.ok({ status: 'join', receiver: ROOM });
      await ben.event('system', { event: 'join', sender: 'Gus', receiver: ROOM });
      const toRoom = await ben.ok({ status: 'group', receiver: ROOM, text: 'Gus is back in the Lab' });
      await gus.event('group', { msgid: toRoom.msgid, sender: 'Ben' });
    } finally {
      await gus.close();
    }
  },
);

test(
  '#15 three nodes: every connection from HAProxy came with its PROXY header, and its checks stay out of the info log',
  { skip: SKIP },
  () => {
    const d = deployment;
    assert.ok(d, 'the deployment');
    for (const node of [...d.nodes, ...(killed ? [killed] : [])]) {
      const lines = node
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg?: string; conn?: number });
      assert.deepEqual(
        lines.filter((e) => e.msg === 'connection from a proxy closed'),
        [],
        `node on ${node.port}: no connection from HAProxy lacked its header`,
      );
      // A check is a connection that only pings: every 2 s it would be one such connection logged at
      // info (over a minute here). Those left are the clients that only pinged (startHaproxy's probe).
      const busy = new Set(
        lines.filter((e) => e.msg !== 'connection opened' && e.msg !== 'connection closed').map((e) => e.conn),
      );
      const bare = lines.filter((e) => e.msg === 'connection opened' && !busy.has(e.conn)).length;
      assert.ok(
        bare <= 3,
        `node on ${node.port}: ${bare} connections that did nothing logged at info: HAProxy's checks?`,
      );
    }
  },
);
