// The wire seam (issue #14): a Connection talks to a Wire, not a socket. Over an in-memory wire (the
// test is the transport) it serves the same requests, writes each message as the one unframed buffer
// every recipient shares, and hears the wire's signals: drain, size refusals, errors and close.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { MemoryWire } from '../../helpers/memory-wire.js';
import { startServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

/** A memory wire with a connection on it, registered as `name`. */
async function memoryUser(name: string): Promise<MemoryWire> {
  const wire = new MemoryWire(name);
  assert.ok(server.server.openWire(wire));
  const reply = await wire.ok({ status: 'register', sender: name });
  wire.token = typeof reply.token === 'string' ? reply.token : null;
  return wire;
}

function online(name: string): boolean {
  return [...server.server.connections].some((c) => c.session?.name === name);
}

test('#14 a Connection runs over an in-memory wire: no socket, and one unframed buffer shared by every recipient', async () => {
  const source = fs.readFileSync(new URL('../../../../src/server/connection.ts', import.meta.url), 'utf8');
  assert.doesNotMatch(source, /from 'node:net'|from 'ws'/, 'connection.ts imports no transport');
  const ann = await memoryUser('MemAnn');
  const ben = await memoryUser('MemBen');
  const tcp = await TestClient.as(server.port, 'TcpTom');
  await tcp.ok({ status: 'create', receiver: 'MemLab', members: ['MemAnn', 'MemBen'] });
  await tcp.ok({ status: 'group', receiver: 'MemLab', text: 'hello both' });
  await ann.event('group', { text: 'hello both', sender: 'TcpTom' });
  await ben.event('group', { text: 'hello both', sender: 'TcpTom' });
  const sent = (wire: MemoryWire) => wire.written.find((b) => b.includes('hello both'))!;
  assert.equal(sent(ann), sent(ben), 'the same Buffer object went to both recipients');
  assert.equal(sent(ann).at(-1), '}'.charCodeAt(0), 'a message carries no framing: the wire adds it');
  // And the other way: what a memory wire sends reaches a TCP client, sender set by the server.
  await ann.ok({ status: 'private', receiver: 'TcpTom', sender: 'TcpTom', text: 'hi from memory' });
  await tcp.event('private', { text: 'hi from memory', sender: 'MemAnn' });
  await tcp.close();
});

test("#14 the wire's signals reach the connection: drain resumes reading, refusals are answered, overrun closes", async () => {
  const wire = await memoryUser('MemDrain');
  // A transport that needs a drain: after the next write the connection asks for one and stops reading.
  wire.needsDrain = true;
  wire.bufferedBytes = 20_000;
  await wire.ok({ status: 'ping' });
  assert.equal(wire.drainsAwaited, 1);
  assert.equal(wire.paused, true, 'reading paused while the transport is full');
  wire.needsDrain = false;
  wire.bufferedBytes = 0;
  wire.sink.onDrain();
  assert.equal(wire.paused, false, 'reading resumed on drain');
  // A request past the size limit, and one that is not text: answered, and the connection goes on.
  wire.sink.onTooLarge();
  assert.equal((await wire.waitFor((m) => m.status === 'error' && m.ref === undefined)).code, 'too_large');
  wire.sink.onNotText();
  assert.equal((await wire.waitFor((m) => m.status === 'error' && m.ref === undefined)).code, 'bad_request');
  await wire.ok({ status: 'ping' });
  // Input that can no longer be framed: told why, offline at once, and the wire ended for that reason.
  wire.sink.onOverrun();
  assert.equal((await wire.waitFor((m) => m.status === 'error' && m.ref === undefined)).code, 'too_large');
  assert.equal(online('MemDrain'), false);
  await wire.whenClosed;
  assert.deepEqual(wire.ended, { reason: 'too_large' });
});

test('#14 a wire error with output unsent keeps the delivery cursors; without one they move', async () => {
  const tcp = await TestClient.as(server.port, 'TcpSam');
  const lost = await memoryUser('MemLost');
  const kept = await memoryUser('MemKept');
  for (const wire of [lost, kept]) {
    await tcp.ok({ status: 'private', receiver: wire.label, text: `for ${wire.label}` });
    await wire.event('private', { text: `for ${wire.label}` });
  }
  // MemLost's transport still held output when it failed; MemKept's had sent everything.
  lost.bufferedBytes = 100;
  lost.sink.onError(new Error('connection reset'));
  lost.close();
  kept.close();
  const lostBack = await TestClient.back(server.port, lost);
  await lostBack.event('private', { text: 'for MemLost' });
  assert.equal(lostBack.welcome!.waiting, 1, 'what may not have arrived comes again');
  const keptBack = await TestClient.back(server.port, kept);
  assert.equal(keptBack.welcome!.waiting, 0, 'what was sent is not sent twice');
  for (const c of [tcp, lostBack, keptBack]) await c.close();
});

test('#14 the slow-reader bound reads the wire: past maxOutputBytes buffered, the connection is cut off', async () => {
  const slow = await memoryUser('MemSlow');
  const tcp = await TestClient.as(server.port, 'TcpPat');
  await tcp.ok({ status: 'private', receiver: 'MemSlow', text: 'we are contacts now' });
  await slow.event('private', { sender: 'TcpPat' });
  slow.bufferedBytes = server.server.limits.maxOutputBytes + 1;
  await tcp.close(); // the disconnect event is the write that finds the backlog
  const notice = await slow.waitFor((m) => m.status === 'error' && m.code === 'too_slow');
  assert.match(notice.text, /bytes of output waited unread/);
  await slow.whenClosed;
  assert.equal(slow.ended?.reason, 'too_slow');
  assert.equal(online('MemSlow'), false);
});
