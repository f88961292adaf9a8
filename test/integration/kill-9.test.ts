// Durability under kill -9 (issue #4): two clients send while the server process is killed mid-stream;
// after a restart on the same data directory they resend what was not acknowledged (same ids), and the
// recipient logs in with the highest msgid it has. Every acknowledged message is in history, and every
// message reaches the recipient exactly once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { TestClient, type Obj } from '../helpers/client.js';
import { fullHistory, withTimeout } from '../helpers/expect.js';
import { spawnServer, tempDataDir } from '../helpers/server.js';

const UNTHROTTLED = ['--flood-burst', '1000000', '--flood-rate', '1000000'];
const PER_SENDER = 1500;
/** Kill once the recipient has this many messages: the senders are mid-stream by then. */
const KILL_AFTER = 400;

interface Sender {
  name: string;
  client: TestClient;
  /** id -> reply, for every message the server acknowledged. */
  acked: Map<string, Obj>;
}

/** The token each name got at its first register (claim mode, the default): how a client comes back. */
const tokens = new Map<string, string>();

/**
 * A client whose own request ids (`<label>-<n>`) cannot be mistaken for the message ids below. The
 * first time it registers the name; after the restart it logs in with the name's token, as a client does.
 */
async function login(port: number, name: string, since?: number): Promise<TestClient> {
  const client = await TestClient.connect(port, `${name}-conn`);
  const token = tokens.get(name);
  const resume = since !== undefined ? { since } : {};
  const reply = await client.ok(
    token ? { status: 'login', sender: name, token, ...resume } : { status: 'register', sender: name, ...resume },
  );
  if (!token) {
    assert.equal(typeof reply.token, 'string', 'the first register claims the name');
    tokens.set(name, reply.token);
  }
  return client;
}

function resend(client: TestClient, name: string, i: number): Promise<Obj> {
  const id = `${name}-${i}`;
  const reply = client.waitFor((m) => m.ref === id, 3000, `the reply to ${id}`);
  client.send({ status: 'private', receiver: 'Sink', text: `${name} #${i}`, id });
  return reply;
}

/** Messages each sender keeps in flight: enough to be mid-stream when the server dies, never all of them. */
const WINDOW = 20;

/** Sends the first WINDOW messages, then one more per acknowledgement (a pipelining client). */
function sendAll(sender: Sender): void {
  let next = 0;
  const sendNext = () => {
    if (next >= PER_SENDER) return;
    const i = next++;
    sender.client.send({
      status: 'private',
      receiver: 'Sink',
      text: `${sender.name} #${i}`,
      id: `${sender.name}-${i}`,
    });
  };
  sender.client.socket.on('data', () => {
    for (const m of sender.client.received.splice(0)) {
      if (m.status === 'ok' && typeof m.msgid === 'number') {
        sender.acked.set(m.ref, m);
        sendNext();
      }
    }
  });
  for (let i = 0; i < WINDOW; i++) sendNext();
}

test('kill -9: every acknowledged message survives, and resends plus resume deliver each message exactly once', async () => {
  const dataDir = tempDataDir();
  const first = await spawnServer(dataDir, UNTHROTTLED);
  const sink = await login(first.port, 'Sink');
  const senders: Sender[] = [];
  for (const name of ['Ann', 'Ben']) senders.push({ name, client: await login(first.port, name), acked: new Map() });
  let seen = 0;
  const killed = new Promise<void>((resolve) => {
    sink.socket.on('data', () => {
      seen = sink.received.filter((m) => m.status === 'private').length;
      if (seen >= KILL_AFTER) resolve();
    });
  });
  for (const s of senders) sendAll(s);
  await withTimeout(killed, 15_000, `the sink to receive ${KILL_AFTER} messages`);
  first.child.kill('SIGKILL');
  await Promise.all([sink.closed, ...senders.map((s) => s.client.closed)]);
  const ackedBeforeKill = senders.reduce((n, s) => n + s.acked.size, 0);
  assert.ok(
    ackedBeforeKill > 0 && ackedBeforeKill < 2 * PER_SENDER,
    `killed mid-stream: ${ackedBeforeKill} acknowledged`,
  );

  const second = await spawnServer(dataDir, UNTHROTTLED);
  try {
    const before = sink.received.filter((m) => m.status === 'private');
    const since = Math.max(...before.map((m) => m.msgid));
    const sink2 = await login(second.port, 'Sink', since);
    // Each sender reconnects and resends everything without an acknowledgement, with the same ids.
    for (const s of senders) {
      const client = await login(second.port, s.name);
      for (let i = 0; i < PER_SENDER; i++) {
        const id = `${s.name}-${i}`;
        if (s.acked.has(id)) continue;
        const reply = await resend(client, s.name, i);
        assert.equal(reply.status, 'ok', JSON.stringify(reply));
        s.acked.set(id, reply);
      }
      // A resend of an acknowledged message gets the same reply and stores nothing.
      const again = await resend(client, s.name, 0);
      assert.equal(again.msgid, s.acked.get(`${s.name}-0`)!.msgid);
      await client.close();
    }
    const total = 2 * PER_SENDER;
    await withTimeout(
      new Promise<void>((resolve) => {
        const check = () =>
          sink2.received.filter((m) => m.status === 'private').length + before.length >= total && resolve();
        sink2.socket.on('data', check);
        check();
      }),
      15_000,
      `the sink to have all ${total} messages`,
    );
    await sink2.ok({ status: 'who' }); // anything still in flight has arrived
    const texts = [...before, ...sink2.received.filter((m) => m.status === 'private')].map((m) => m.text as string);
    const counts = new Map<string, number>();
    for (const text of texts) counts.set(text, (counts.get(text) ?? 0) + 1);
    const duplicates = [...counts].filter(([, n]) => n > 1);
    assert.deepEqual(duplicates, [], 'no message delivered twice');
    for (const s of senders)
      for (let i = 0; i < PER_SENDER; i++)
        assert.equal(counts.get(`${s.name} #${i}`), 1, `${s.name} #${i} delivered once`);

    // Every acknowledged message (before and after the kill) is in history, under the msgid it was acknowledged with, once.
    const history = await fullHistory(sink2, 'Ann');
    const annAcked = senders[0]!.acked;
    assert.equal(history.length, PER_SENDER, "each of Ann's messages stored once");
    const byMsgid = new Map(history.map((m) => [m.msgid, m]));
    for (const [id, reply] of annAcked)
      assert.equal(byMsgid.get(reply.msgid)?.text, `Ann #${id.split('-')[1]}`, `acknowledged ${id} is in history`);
    await sink2.close();
  } finally {
    await second.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
