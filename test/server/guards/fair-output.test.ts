// Fair output (issue #11.11): a reader is judged by whether it drains, not by one tick's burst. A member
// whose unsent output passes the behind mark gets its chat from the store as its socket drains, so the
// server holds a bounded amount for it; one whose socket takes nothing for noProgressMs is cut off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection } from '../../../src/server/connection.js';
import { DEFAULT_LIMITS } from '../../../src/server/limits.js';
import { TestClient, type Obj } from '../../helpers/client.js';
import { withTimeout } from '../../helpers/expect.js';
import { RateLimitedLink } from '../../helpers/proxy.js';
import { runAdmin, startServer, type TestServer } from '../../helpers/server.js';

const TEXT = 'z'.repeat(16_000);
/** What the server may hold for one member: the behind mark, plus one page read back from the store. */
const BOUND = DEFAULT_LIMITS.behindBytes + DEFAULT_LIMITS.catchUpPageBytes;

function connectionOf(server: TestServer, name: string): Connection {
  const conn = [...server.server.connections].find((c) => c.session?.name === name);
  assert.ok(conn, `${name} is connected`);
  return conn;
}

function isBehind(server: TestServer, name: string): boolean {
  return connectionOf(server, name).session?.catchUp != null;
}

/** Sends `count` messages pipelined, checks every reply is ok, and resolves with the replies. */
async function sendBatch(from: TestClient, request: Obj, count: number, tag: string): Promise<Obj[]> {
  const replies = [];
  for (let i = 0; i < count; i++) replies.push(from.request({ ...request, text: `${tag}${i}:${TEXT}` }, 20_000));
  const all = await Promise.all(replies);
  for (const reply of all) assert.equal(reply.status, 'ok', JSON.stringify(reply).slice(0, 200));
  return all;
}

/** The msgids of the `status` messages `client` received, in the order received. */
function receivedIds(client: TestClient, status: string): number[] {
  return client.received.filter((m) => m.status === status).map((m) => m.msgid as number);
}

test('#11.11 a member reading at full speed is not cut off when 40 users send their burst into the room', async () => {
  // The real flood limits: each sender may send its burst of 10 at once.
  const server = await startServer({
    limits: { floodBurst: DEFAULT_LIMITS.floodBurst, floodRate: DEFAULT_LIMITS.floodRate },
  });
  // The reader reads at full speed over a 20 Mbit/s link (2.5 MB/s), a classroom Wi-Fi share.
  const link = await RateLimitedLink.start(server.port, 2_500_000);
  try {
    const reader = await TestClient.as(link.port, 'FairReader');
    const senders: TestClient[] = [];
    for (let i = 0; i < 40; i++) senders.push(await TestClient.as(server.port, `Burst${i}`));
    // The reader adds them: a `join` would take a token of each sender's flood bucket, and the last to
    // join would then have only 9 of its burst accepted (unseen: the senders drop their replies).
    await reader.ok({ status: 'create', receiver: 'Lecture', members: senders.map((s) => s.label) });
    // About the largest burst the limits allow: 10 texts of control characters, which JSON escapes to
    // 6 bytes each, in request lines just under 64 KiB: 40 x 10 x 60 KB = 24 MB for the reader at once.
    // Each sender leaves the room after its burst (so 40 in-process clients do not read it all too)
    // and throws away unparsed what it got meanwhile: only the reader is judged here.
    const text = '\u0001'.repeat(10_000);
    for (const [i, sender] of senders.entries()) {
      sender.socket.removeAllListeners('data');
      sender.socket.on('data', () => {});
      let lines = '';
      for (let m = 0; m < DEFAULT_LIMITS.floodBurst; m++)
        lines += JSON.stringify({ status: 'group', receiver: 'Lecture', text: `${i}:${m}:${text}` }) + '\n';
      sender.raw(lines + JSON.stringify({ status: 'leave', receiver: 'Lecture' }) + '\n');
    }
    const expected = senders.length * DEFAULT_LIMITS.floodBurst;
    const fromSenders = () => reader.received.filter((m) => m.status === 'group');
    await withTimeout(
      (async () => {
        while (fromSenders().length < expected) {
          const next = await reader.waitFor((m) => m.status === 'group' || m.code === 'too_slow', 20_000, 'a message');
          if (next.code === 'too_slow') break;
        }
      })(),
      120_000,
      'every message of the burst',
    );
    assert.deepEqual(
      reader.received.filter((m) => m.code === 'too_slow'),
      [],
      'the reader was not cut off',
    );
    const got = fromSenders();
    assert.equal(got.length, expected);
    const ids = got.map((m) => m.msgid as number);
    assert.deepEqual(
      ids,
      [...new Set(ids)].sort((a, b) => a - b),
      'in msgid order, none twice',
    );
    for (let i = 0; i < senders.length; i++) {
      const order = got.filter((m) => m.sender === `Burst${i}`).map((m) => Number(m.text.split(':')[1]));
      assert.deepEqual(
        order,
        Array.from({ length: DEFAULT_LIMITS.floodBurst }, (_, m) => m),
        `Burst${i}'s burst, in order`,
      );
    }
    await reader.ok({ status: 'who' });
    await reader.close();
    for (const s of senders) s.socket.destroy();
  } finally {
    await link.close();
    await server.stop();
  }
});

test('#11.11 a member that stops reading holds at most N bytes on the server and gets every message after it reads again', async (t) => {
  // No cut-off during the test: this one is about what the server holds, however long it takes.
  const server = await startServer({ limits: { noProgressMs: 600_000 } });
  try {
    const sender = await TestClient.as(server.port, 'Speaker');
    await sender.ok({ status: 'create', receiver: 'Hall' });
    const idle: TestClient[] = [];
    for (let i = 0; i < 60; i++) {
      const client = await TestClient.as(server.port, `Idle${i}`);
      await client.ok({ status: 'join', receiver: 'Hall' });
      client.socket.pause(); // reads nothing more: the kernel's buffers fill, then the server's
      idle.push(client);
    }
    const names = idle.map((c) => c.label);
    let most = 0;
    const measure = () => {
      for (const name of names) most = Math.max(most, connectionOf(server, name).unsentBytes);
    };
    const rssBefore = process.memoryUsage().rss;
    // Until every idle member is behind (bounded: at most 1,500 messages, 24 MB), then 100 more.
    const sent: Obj[] = [];
    let batches = 0;
    while (sent.length < 1500 && names.some((n) => !isBehind(server, n))) {
      sent.push(...(await sendBatch(sender, { status: 'group', receiver: 'Hall' }, 10, `b${batches++}m`)));
      measure();
    }
    assert.ok(
      names.every((n) => isBehind(server, n)),
      `every idle member fell behind (after ${sent.length} messages)`,
    );
    for (let i = 0; i < 10; i++) {
      sent.push(...(await sendBatch(sender, { status: 'group', receiver: 'Hall' }, 10, `a${i}m`)));
      measure();
    }
    t.diagnostic(
      `${sent.length} messages of 16 KB to 60 idle members: at most ${most} bytes held for one (bound ${BOUND}); RSS grew ${Math.round((process.memoryUsage().rss - rssBefore) / 1048576)} MiB (test clients included)`,
    );
    assert.ok(most <= BOUND, `at most ${BOUND} bytes held for one member, saw ${most}`);
    assert.equal(
      ((await sender.ok({ status: 'who' })).users as string[]).filter((u) => u.startsWith('Idle')).length,
      60,
      'none cut off',
    );

    // One reads again, while more is sent: it gets every message, in order, none twice, and goes live.
    const back = idle[0]!;
    back.socket.resume();
    sent.push(...(await sendBatch(sender, { status: 'group', receiver: 'Hall' }, 30, 'late')));
    const expected = sent.map((r) => r.msgid as number);
    await back.event('group', { msgid: expected.at(-1) }, 60_000);
    assert.deepEqual(receivedIds(back, 'group'), expected);
    await withTimeout(
      (async () => {
        while (isBehind(server, back.label)) await back.ok({ status: 'who' });
      })(),
      10_000,
      'the reader to be live again',
    );
    const live = await sender.ok({ status: 'group', receiver: 'Hall', text: 'live again' });
    await back.event('group', { msgid: live.msgid });
    assert.equal(receivedIds(back, 'group').filter((id) => id === live.msgid).length, 1);
    for (const c of idle) c.socket.destroy();
    await sender.close();
    await back.close();
  } finally {
    await server.stop();
  }
});

test('#11.11 a reader that never drains is cut off after the no-progress timeout', async () => {
  const noProgressMs = 1000;
  const server = await startServer({ limits: { noProgressMs, offlineDeliveryBytes: 64 * 1024 * 1024 } });
  try {
    const alice = await TestClient.as(server.port, 'StallAlice');
    const bob = await TestClient.as(server.port, 'StallBob');
    await alice.ok({ status: 'private', receiver: 'StallBob', text: 'hello' }); // makes them contacts
    await bob.event('private', { sender: 'StallAlice' });
    bob.socket.pause();
    const gone = alice.event('system', { event: 'disconnect', sender: 'StallBob' }, 30_000);
    const sent: Obj[] = [];
    while (sent.length < 1000 && !isBehind(server, 'StallBob')) {
      sent.push(...(await sendBatch(alice, { status: 'private', receiver: 'StallBob' }, 10, `p${sent.length}m`)));
    }
    assert.ok(isBehind(server, 'StallBob'), `bob fell behind (after ${sent.length} messages)`);
    const behindAt = Date.now();
    await gone;
    const waited = Date.now() - behindAt;
    assert.ok(waited < 15_000, `cut off ${waited} ms after falling behind`);
    // The reason is the last line it gets once it reads again.
    bob.socket.resume();
    await withTimeout(bob.closed, 10_000, 'bob to see his connection closed');
    const reason = bob.received.at(-1)!;
    assert.equal(reason.code, 'too_slow');
    assert.match(reason.text, /read nothing for 1 s/);
    // Cut off, its cursors stayed: what it missed waits for its next login, in order.
    const again = await TestClient.connect(server.port, 'StallBob2');
    const reply = await again.comeBackAs(bob, {}, 20_000);
    await again.event('private', { msgid: sent.at(-1)!.msgid }, 20_000);
    const got = receivedIds(again, 'private');
    assert.equal(got.length, reply.waiting);
    assert.deepEqual(
      got.slice(-sent.length),
      sent.map((r) => r.msgid),
    );
    await alice.close();
    await again.close();
  } finally {
    await server.stop();
  }
});

/**
 * `member` stops reading and asks for much, so replies fill the kernel's buffers and then the server's;
 * then `from` sends it private messages until it is behind, and 5 more. Resolves with their replies.
 */
async function fallBehind(server: TestServer, from: TestClient, member: TestClient): Promise<Obj[]> {
  const name = member.label;
  member.socket.pause();
  const conn = connectionOf(server, name);
  let asked = 0;
  // Until the kernel takes no more (the socket itself buffers output): before that, each tick's replies
  // were handed to the kernel whole and the session could be live again between two messages, which
  // made the outcome depend on the size of a help reply (it grew with the `users` request, #12.5).
  const wire = (conn as unknown as { wire: { bufferedBytes: number } }).wire;
  while (asked < 40_000 && (conn.unsentBytes < DEFAULT_LIMITS.behindBytes || wire.bufferedBytes === 0)) {
    let lines = '';
    for (let i = 0; i < 500; i++) lines += `{"status":"help","id":${++asked}}\n`;
    member.raw(lines);
    await from.ok({ status: 'who' }); // lets the server work on it
  }
  assert.ok(conn.unsentBytes >= DEFAULT_LIMITS.behindBytes, `the server holds ${conn.unsentBytes} bytes for ${name}`);
  // Many more waiting requests keep its output near the mark whenever the kernel takes some.
  let more = '';
  for (let i = 0; i < 20_000; i++) more += `{"status":"help","id":${++asked}}\n`;
  member.raw(more);
  const sent: Obj[] = [];
  while (sent.length < 200 && !isBehind(server, name))
    sent.push(await from.ok({ status: 'private', receiver: name, text: `missed ${sent.length}` }));
  for (let i = 0; i < 5; i++)
    sent.push(await from.ok({ status: 'private', receiver: name, text: `missed ${sent.length}` }));
  assert.ok(isBehind(server, name), `${name} fell behind (after ${sent.length} messages)`);
  return sent;
}

test('#11.11 a member that disconnects while behind gets what it missed at its next login', async () => {
  const server = await startServer();
  try {
    const alice = await TestClient.as(server.port, 'GoneAlice');
    const bob = await TestClient.as(server.port, 'GoneBob');
    const hello = await alice.ok({ status: 'private', receiver: 'GoneBob', text: 'hello' });
    await bob.event('private', { msgid: hello.msgid });
    const sent = await fallBehind(server, alice, bob);
    // He leaves without reading any of them (a reset: the server still held output for him).
    const gone = alice.event('system', { event: 'disconnect', sender: 'GoneBob' });
    bob.socket.destroy();
    await gone;
    const again = await TestClient.connect(server.port, 'GoneBob2');
    const reply = await again.comeBackAs(bob, { since: hello.msgid });
    assert.equal(reply.waiting, sent.length, 'no gap: every message it missed waited');
    await again.event('private', { msgid: sent.at(-1)!.msgid });
    assert.deepEqual(
      receivedIds(again, 'private'),
      sent.map((r) => r.msgid),
    );
    await alice.close();
    await again.close();
  } finally {
    await server.stop();
  }
});

test('#11.11 a member kicked off while behind keeps its cursors below the first message it was not sent', async () => {
  const server = await startServer();
  try {
    const created = await runAdmin(server.dataDir, ['add-user', 'Prof', '--admin'], 'professor password\n');
    assert.equal(created.code, 0, created.stderr);
    const admin = await TestClient.connect(server.port, 'Prof');
    await admin.ok({ status: 'login', sender: 'Prof', password: 'professor password' });
    const alice = await TestClient.as(server.port, 'KickAlice');
    const bob = await TestClient.as(server.port, 'KickBob');
    const hello = await alice.ok({ status: 'private', receiver: 'KickBob', text: 'hello' });
    await bob.event('private', { msgid: hello.msgid });
    const sent = await fallBehind(server, alice, bob);
    const from = connectionOf(server, 'KickBob').session!.catchUp!.from;
    const gone = alice.event('system', { event: 'disconnect', sender: 'KickBob' });
    await admin.ok({ status: 'kick', receiver: 'KickBob' });
    await gone;
    bob.socket.destroy();
    // What was queued live before it fell behind is the client's to have read; from there on it waits.
    const missed = sent.map((r) => r.msgid as number).filter((id) => id >= from);
    assert.ok(missed.length > 0);
    const again = await TestClient.connect(server.port, 'KickBob2');
    const reply = await again.comeBackAs(bob, { since: from - 1 });
    assert.equal(reply.waiting, missed.length, 'every message from where it fell behind waited');
    await again.event('private', { msgid: missed.at(-1) });
    assert.deepEqual(receivedIds(again, 'private'), missed);
    for (const c of [admin, alice, again]) await c.close();
  } finally {
    await server.stop();
  }
});

test('#11.11 a member removed from a room while behind is told at once, without a msgid that would skip what it is owed', async () => {
  const server = await startServer();
  try {
    const owner = await TestClient.as(server.port, 'RoomOwner');
    const bob = await TestClient.as(server.port, 'RoomBob');
    await owner.ok({ status: 'create', receiver: 'Seminar', members: ['RoomBob'] });
    await fallBehind(server, owner, bob);
    await owner.ok({ status: 'kick', receiver: 'RoomBob', room: 'Seminar' });
    bob.socket.resume();
    const told = await bob.event('system', { event: 'kicked', receiver: 'Seminar' }, 30_000);
    assert.equal(told.msgid, undefined, 'no msgid: it arrives ahead of older chat');
    assert.match(told.text, /RoomBob was removed from Seminar/);
    for (const c of [owner, bob]) await c.close();
  } finally {
    await server.stop();
  }
});
