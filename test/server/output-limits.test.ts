// Output bounds (review of issue #2): large replies reach a client that reads, a client that does not
// read is cut off without losing what it missed, a client's own requests cannot pile up unbounded
// output, and a connection closed for an oversized line goes offline at once. The output bound is
// 256 KiB here, so chat is held to 128 KiB plus a 32 KiB page (it must stay below it, issue #11.11).
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { TestClient, type Obj } from '../helpers/client.js';
import { withTimeout } from '../helpers/expect.js';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
const SMALL_OUTPUT = { maxOutputBytes: 256 * 1024, behindBytes: 128 * 1024, catchUpPageBytes: 32 * 1024 };
before(async () => (server = await startServer({ limits: SMALL_OUTPUT })));
after(() => server.stop());

const BIG_TEXT = 'x'.repeat(16_000);

/** Sends `count` private messages pipelined and resolves with the ok replies, in order. */
async function sendMany(from: TestClient, to: string, count: number, text = BIG_TEXT): Promise<Obj[]> {
  const replies = [];
  for (let i = 0; i < count; i++)
    replies.push(from.request({ status: 'private', receiver: to, text: `${i}:${text}` }, 20_000));
  const all = await Promise.all(replies);
  for (const reply of all) assert.equal(reply.status, 'ok', JSON.stringify(reply).slice(0, 200));
  return all;
}

test('a login with megabytes waiting gets the newest messages within the budget, stays connected, and can page back', async () => {
  const bob = await TestClient.as(server.port, 'LoginBob');
  await bob.ok({ status: 'exit' });
  await bob.closed;
  const alice = await TestClient.as(server.port, 'LoginAlice');
  const sent = await sendMany(alice, 'LoginBob', 300); // 4.8 MB waiting, more than the output bound
  const again = await TestClient.connect(server.port, 'LoginBob2');
  const reply = await again.comeBackAs(bob);
  assert.equal(reply.truncated, true);
  assert.ok(reply.waiting > 0 && reply.waiting < 300, `waiting ${reply.waiting}`);
  const last = await again.event('private', { msgid: sent.at(-1)!.msgid });
  const delivered = again.received.filter((m) => m.status === 'private');
  assert.equal(delivered.length, reply.waiting);
  assert.deepEqual(
    delivered.map((m) => m.msgid),
    sent.slice(-reply.waiting).map((r) => r.msgid),
    'the newest, in order',
  );
  assert.equal(last.msgid, delivered.at(-1)!.msgid);
  const older = await again.ok({ status: 'history', receiver: 'LoginAlice', before: delivered[0]!.seq, limit: 10 });
  assert.deepEqual(
    older.messages.map((m: Obj) => m.msgid),
    sent.slice(-reply.waiting - 10, -reply.waiting).map((r) => r.msgid),
  );
  await again.ok({ status: 'who' }); // still connected
  await alice.close();
  await again.close();
});

// Since issue #11.11 a reader is cut off when its socket takes nothing for noProgressMs while behind,
// not when a byte count is passed (one burst could pass it for a reader that keeps reading).
test('a reader that stops reading is cut off once it makes no progress, and what it missed is still delivered at its next login', async () => {
  // Its own server, delivering everything at login, so that every missed message can be counted.
  const roomy = await startServer({
    limits: { ...SMALL_OUTPUT, noProgressMs: 1000, offlineDeliveryBytes: 64 * 1024 * 1024 },
  });
  try {
    await slowReaderScenario(roomy);
  } finally {
    await roomy.stop();
  }
});

async function slowReaderScenario(roomy: TestServer): Promise<void> {
  const alice = await TestClient.as(roomy.port, 'SlowAlice');
  const bob = await TestClient.as(roomy.port, 'SlowBob');
  const hello = await alice.ok({ status: 'private', receiver: 'SlowBob', text: 'hello' }); // makes them contacts
  await bob.event('private', { sender: 'SlowAlice' });
  bob.socket.pause(); // Bob stops reading
  const gone = alice.event('system', { event: 'disconnect', sender: 'SlowBob' }, 20_000);
  const sent = await sendMany(alice, 'SlowBob', 600); // far past the 256 KiB bound and the kernel's buffers
  await gone;
  const again = await TestClient.connect(roomy.port, 'SlowBob2');
  const reply = await again.comeBackAs(bob, {}, 20_000);
  // Cut off, Bob's delivery cursor stayed where his login left it: everything since waits, including
  // the messages the server dropped when it cut him off (and "hello", which he did read: twice, not never).
  const expected = [hello.msgid, ...sent.map((r) => r.msgid)];
  assert.equal(reply.waiting, expected.length);
  assert.equal(reply.truncated, undefined);
  await again.event('private', { msgid: sent.at(-1)!.msgid }, 20_000);
  assert.deepEqual(
    again.received.filter((m) => m.status === 'private').map((m) => m.msgid),
    expected,
  );
  await alice.close();
  await bob.close();
  await again.close();
}

test('a client pipelining many requests with large replies gets every reply, in order, without being cut off', async () => {
  const client = await TestClient.connect(server.port, 'flood');
  const count = 4000; // ~8 MB of help replies from ~100 KB of requests
  const last = client.waitFor((m) => m.ref === count, 30_000, 'the last reply');
  let lines = '';
  for (let id = 1; id <= count; id++) lines += `{"status":"help","id":${id}}\n`;
  client.raw(lines);
  await last;
  const refs = client.received.filter((m) => m.status === 'ok').map((m) => m.ref);
  assert.deepEqual(
    refs,
    Array.from({ length: count }, (_, i) => i + 1),
  );
  assert.equal(client.isClosed, false);
  await client.close();
});

test('a history page of huge messages is cut to the byte budget, newest kept, with more set', async () => {
  const alice = await TestClient.as(server.port, 'HistAlice');
  await alice.ok({ status: 'create', receiver: 'HugeRoom' });
  const text = '\u0001'.repeat(10_000); // 60 KB on the wire once escaped
  const posts = [];
  for (let i = 0; i < 60; i++) posts.push(alice.ok({ status: 'group', receiver: 'HugeRoom', text }, 10_000));
  const sent = await Promise.all(posts);
  const page = await alice.ok({ status: 'history', receiver: 'HugeRoom', limit: 100 }, 10_000);
  assert.equal(page.more, true);
  assert.ok(page.messages.length > 0 && page.messages.length < 61, `${page.messages.length} messages`);
  assert.equal(page.messages.at(-1).msgid, sent.at(-1)!.msgid);
  await alice.ok({ status: 'who' });
  await alice.close();
});

test('a line past 1 MiB closes the connection and takes the user offline even if the peer keeps its side open', async () => {
  const alice = await TestClient.as(server.port, 'HalfAlice');
  const socket = net.connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true });
  socket.setEncoding('utf8');
  let received = '';
  socket.on('data', (chunk: string | Buffer) => (received += chunk.toString())); // strings, after setEncoding
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write('{"status":"register","sender":"HalfBob"}\n{"status":"private","receiver":"HalfAlice","text":"hi"}\n');
  await alice.event('private', { sender: 'HalfBob' });
  const gone = alice.event('system', { event: 'disconnect', sender: 'HalfBob' });
  const ended = new Promise((resolve) => socket.once('end', resolve));
  socket.write('y'.repeat(1024 * 1024 + 10)); // no newline
  await gone;
  const who = await alice.ok({ status: 'who' });
  assert.deepEqual(who.users, ['HalfAlice']);
  const queued = await alice.ok({ status: 'private', receiver: 'HalfBob', text: 'are you there?' });
  assert.equal(queued.queued, true);
  await withTimeout(ended, 3000, 'the server to end its side');
  assert.match(received, /"code":"too_large"/);
  socket.destroy();
  await alice.close();
});
