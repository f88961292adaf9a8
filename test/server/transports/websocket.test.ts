// The WebSocket wire (issue #14): one JSON object per text frame, the line protocol's objects, and every
// guard of the line port because they live in the connection and the dispatcher. Each test goes through
// the real endpoint, GET /ws on the chat port (src/server/web/), except the one that needs a door letting
// frames past the line limit through, which uses the stand-in of test/helpers/ws-client.ts.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import type { WebSocket } from 'ws';
import { TestClient, type Obj } from '../../helpers/client.js';
import { assertPrivateFlows, withTimeout } from '../../helpers/expect.js';
import { downloadFile, randomFile, uploadFile } from '../../helpers/files.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { openWebSocketDoor, wsUrl, WsClient } from '../../helpers/ws-client.js';
import { DEFAULT_LIMITS } from '../../../src/server/limits.js';
import { CLOSED_FOR_ERROR } from '../../../src/server/transports/websocket-wire.js';

let server: TestServer;
/** The real endpoint: GET /ws on the server's own port. */
let url: string;
before(async () => {
  server = await startServer();
  url = wsUrl(server.port);
});
after(() => server.stop());

/** The server's side of `name`'s WebSocket (to watch what ws reports on it). */
function serverSide(on: TestServer, name: string): WebSocket {
  const conn = [...on.server.connections].find((c) => c.session?.name === name);
  if (!conn) throw new Error(`${name} has no connection`);
  return (conn as unknown as { wire: { ws: WebSocket } }).wire.ws;
}

/** An error with no ref (input the server could not attach an id to). */
function unrefError(client: WsClient): Promise<Obj> {
  return client.waitFor((m) => m.status === 'error' && m.ref === undefined, 3000, 'an error reply');
}

test('#14 a WebSocket client and a TCP client in one room exchange messages both ways, the sender set by the server', async () => {
  const web = await WsClient.as(url, 'WebAnn');
  const tcp = await TestClient.as(server.port, 'TcpBen');
  await web.ok({ status: 'create', receiver: 'Mixed', members: ['TcpBen'] });
  await web.ok({ status: 'group', receiver: 'Mixed', sender: 'TcpBen', text: 'from the browser' });
  await tcp.event('group', { receiver: 'Mixed', text: 'from the browser', sender: 'WebAnn' });
  await tcp.ok({ status: 'group', receiver: 'Mixed', sender: 'WebAnn', text: 'from the terminal' });
  await web.event('group', { receiver: 'Mixed', text: 'from the terminal', sender: 'TcpBen' });
  await assertPrivateFlows(web, tcp);
  await assertPrivateFlows(tcp, web);
  // One object per text frame, as on a line but without the newline.
  assert.ok(web.frames.length >= 6);
  for (const frame of web.frames) {
    assert.equal(frame.binary, false);
    assert.ok(frame.text.startsWith('{') && frame.text.endsWith('}'), frame.text);
  }
  await web.close();
  await tcp.close();
});

test('#14 replies past 64 KiB arrive whole over WebSocket (16- and 64-bit frame lengths), beside small frames of the same tick', async () => {
  const tcp = await TestClient.as(server.port, 'BigSender');
  const web = await WsClient.as(url, 'BigReader');
  const { bytes } = randomFile(700 * 1024);
  const done = await uploadFile(tcp, 'BigReader', 'big.bin', bytes);
  assert.equal(done.done, true, JSON.stringify(done));
  // A fetch reply is one large message (hundreds of KiB of base64); a ping pipelined behind it shares its tick.
  const file = done.file as number;
  const ping = web.request({ status: 'ping' });
  assert.ok(Buffer.compare(await downloadFile(web, file), bytes) === 0, 'the downloaded bytes equal the upload');
  assert.equal((await ping).status, 'ok');
  const sizes = web.frames.map((f) => Buffer.byteLength(f.text));
  assert.ok(
    sizes.some((n) => n > 65535),
    `a frame needed a 64-bit length (largest ${Math.max(...sizes)} bytes)`,
  );
  assert.ok(
    sizes.some((n) => n < 126),
    'small frames too',
  );
  await web.close();
  await tcp.close();
});

test('#14 a WebSocket client that pipelines requests while not reading gets every reply, in order, once it reads: the drain resumes the server', async () => {
  const web = await WsClient.as(url, 'WebPipe');
  const other = await TestClient.as(server.port, 'PipeWatcher');
  const conn = [...server.server.connections].find((c) => c.session?.name === 'WebPipe')!;
  const wire = (conn as unknown as { wire: { bufferedBytes: number } }).wire;
  web.ws.pause();
  // Until the kernel takes no more and the WebSocket itself holds output: then the server stops
  // answering, and only the wire's drain can set it going again (at most 40,000 help replies, ~80 MB).
  let asked = 0;
  while (asked < 40_000 && wire.bufferedBytes < 256 * 1024) {
    for (let i = 0; i < 500; i++) web.raw(`{"status":"help","id":${++asked}}`);
    await other.ok({ status: 'ping' }); // lets the server work on them
  }
  assert.ok(wire.bufferedBytes >= 256 * 1024, `the WebSocket holds ${wire.bufferedBytes} bytes`);
  const last = web.waitFor((m) => m.ref === asked, 20_000, 'the last reply');
  web.ws.resume();
  await last;
  const refs = web.received.filter((m) => m.status === 'ok' && typeof m.ref === 'number').map((m) => m.ref);
  assert.deepEqual(
    refs,
    Array.from({ length: asked }, (_, i) => i + 1),
  );
  assert.equal(web.isClosed, false);
  await web.close();
  await other.close();
});

test('#14 a binary frame is answered bad_request and the connection goes on, in request order', async () => {
  const web = await WsClient.as(url, 'WebBin');
  web.raw(Buffer.from('{"status":"ping"}'), true);
  const reply = web.request({ status: 'ping' });
  const refused = await unrefError(web);
  assert.equal(refused.code, 'bad_request');
  assert.match(refused.text, /binary frame/);
  const pong = await reply;
  assert.equal(pong.status, 'ok');
  assert.ok(web.received.indexOf(refused) < web.received.indexOf(pong), 'answered in the order sent');
  await web.close();
});

test('#14 a text frame past the line limit is refused too_large when the door lets it through, and the connection goes on', async () => {
  const wide = await openWebSocketDoor(server.server, 4 * DEFAULT_LIMITS.maxLineBytes);
  try {
    const web = await WsClient.as(wide.url, 'WebWide');
    web.raw(JSON.stringify({ status: 'ping', pad: 'x'.repeat(DEFAULT_LIMITS.maxLineBytes) }));
    assert.equal((await unrefError(web)).code, 'too_large');
    await web.ok({ status: 'ping' });
    await web.close();
  } finally {
    await wide.close();
  }
});

test('#14 an oversized frame closes that WebSocket with 1009, output it could no longer deliver waits for its next login, and others are unharmed', async () => {
  const tom = await TestClient.as(server.port, 'BigTom');
  const ann = await WsClient.as(url, 'BigAnn');
  const annOnServer = serverSide(server, 'BigAnn');
  const cat = await WsClient.as(url, 'BigCat');
  const dan = await TestClient.as(server.port, 'BigDan');
  await tom.ok({ status: 'private', receiver: 'BigAnn', text: 'before' });
  await ann.event('private', { text: 'before' });
  // Ann stops reading, so the server's close handshake waits on her; then she sends a frame past maxPayload.
  ann.ws.pause();
  const refused = once(annOnServer, 'error') as Promise<[Error & { code?: string }]>;
  ann.raw('y'.repeat(DEFAULT_LIMITS.maxLineBytes + 1));
  const [err] = await withTimeout(refused, 3000, 'the server to refuse the frame');
  assert.equal(err.code, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
  // Still online while the handshake runs: a message for her now cannot be delivered on this socket.
  const during = await tom.ok({ status: 'private', receiver: 'BigAnn', text: 'during the close' });
  assert.equal(during.queued, undefined, 'she was online when it was sent');
  await assertPrivateFlows(cat, dan);
  await assertPrivateFlows(dan, cat);
  ann.ws.resume();
  const closing = await withTimeout(ann.closed, 3000, 'the WebSocket to close');
  assert.equal(closing.code, 1009);
  assert.equal(ann.received.filter((m) => m.text === 'during the close').length, 0);
  const back = await TestClient.back(server.port, ann);
  await back.event('private', { msgid: during.msgid });
  await assertPrivateFlows(cat, dan);
  for (const c of [tom, back, cat, dan]) await c.close();
});

test('#14 the flood guard answers rate_limited over WebSocket', async () => {
  const { floodBurst, floodRate, floodStrikes } = DEFAULT_LIMITS;
  const strict = await startServer({ limits: { floodBurst, floodRate, floodStrikes } });
  try {
    const web = await WsClient.as(wsUrl(strict.port), 'WebFlood');
    const peer = await TestClient.as(strict.port, 'FloodPeer');
    const replies = await Promise.all(
      Array.from({ length: floodBurst + 1 }, (_, i) =>
        web.request({ status: 'private', receiver: 'FloodPeer', text: `flood ${i}` }),
      ),
    );
    assert.deepEqual(
      replies.slice(0, floodBurst).map((r) => r.status),
      Array(floodBurst).fill('ok'),
    );
    const limited = replies.at(-1)!;
    assert.equal(limited.code, 'rate_limited', JSON.stringify(limited));
    assert.ok(limited.retry_after_ms > 0);
    await web.close();
    await peer.close();
  } finally {
    await strict.stop();
  }
});

test('#14 a WebSocket that never logs in is closed at the registration deadline, with the reason in its close frame', async () => {
  const registerTimeoutMs = 300;
  const strict = await startServer({ limits: { registerTimeoutMs } });
  try {
    const started = performance.now();
    const lurker = await WsClient.connect(wsUrl(strict.port), 'lurker');
    await lurker.ok({ status: 'help' });
    const notice = await lurker.waitFor((m) => m.code === 'timeout', 3000, 'the timeout notice');
    assert.match(notice.text, /register/);
    const closing = await withTimeout(lurker.closed, 3000, 'the WebSocket to close');
    assert.deepEqual(closing, { code: CLOSED_FOR_ERROR, reason: 'timeout' });
    assert.ok(performance.now() - started >= registerTimeoutMs, 'not before the deadline');
  } finally {
    await strict.stop();
  }
});

test('#14 a WebSocket client that stops reading is cut off at the slow-reader bound while others keep receiving', async () => {
  const limits = { maxOutputBytes: 256 * 1024, behindBytes: 128 * 1024, catchUpPageBytes: 32 * 1024 };
  const roomy = await startServer({ limits: { ...limits, noProgressMs: 1000, offlineDeliveryBytes: 64 << 20 } });
  try {
    const talker = await TestClient.as(roomy.port, 'SlowTalker');
    const slow = await WsClient.as(wsUrl(roomy.port), 'SlowWeb');
    const reader = await WsClient.as(wsUrl(roomy.port), 'ReadWeb');
    await talker.ok({ status: 'create', receiver: 'Busy', members: ['SlowWeb', 'ReadWeb'] });
    slow.ws.pause(); // reads nothing more: the kernel's buffers fill, then the server's
    const text = 'w'.repeat(16_000);
    const sent: Obj[] = [];
    const slowConnection = () => [...roomy.server.connections].find((c) => c.session?.name === 'SlowWeb');
    const bound = limits.behindBytes + limits.catchUpPageBytes;
    // Far past the bound and the kernel's buffers (at most 40 MB), until the server lets go of her.
    for (let i = 0; i < 2500 && slowConnection(); i++) {
      sent.push(await talker.ok({ status: 'group', receiver: 'Busy', text: `${i}:${text}` }, 10_000));
      const held = slowConnection()?.unsentBytes ?? 0;
      assert.ok(held <= bound, `held ${held} bytes for a slow reader, more than ${bound}`);
    }
    const deadline = performance.now() + 20_000;
    while (slowConnection() && performance.now() < deadline) await talker.ok({ status: 'ping' });
    assert.equal(slowConnection(), undefined, `the slow WebSocket was cut off (after ${sent.length} messages)`);
    // The reader got every message, in order.
    await reader.event('group', { msgid: sent.at(-1)!.msgid }, 20_000);
    assert.deepEqual(
      reader.received.filter((m) => m.status === 'group').map((m) => m.msgid),
      sent.map((r) => r.msgid),
    );
    slow.ws.resume();
    await withTimeout(slow.closed, 10_000, 'the slow WebSocket to see its close');
    const live = slow.received.filter((m) => m.status === 'group').length;
    assert.ok(live < sent.length, `it did not get everything live (${live} of ${sent.length})`);
    // What it missed waits for its next login: its cursors did not move past what it never read.
    const back = await TestClient.back(roomy.port, slow, { status: 'login' });
    await back.event('group', { msgid: sent.at(-1)!.msgid }, 20_000);
    for (const c of [talker, reader, back]) await c.close();
  } finally {
    await roomy.stop();
  }
});

test('#14 shutdown closes WebSocket connections as it closes the others: told why, then a normal close', async () => {
  const stopping = await startServer();
  const web = await WsClient.as(wsUrl(stopping.port), 'WebBye');
  const tcp = await TestClient.as(stopping.port, 'TcpBye');
  const stopped = stopping.stop();
  const notice = await web.event('system', { event: 'shutdown' });
  assert.equal(notice.sender, 'server');
  assert.equal((await withTimeout(web.closed, 3000, 'the WebSocket to close')).code, 1000);
  await withTimeout(tcp.closed, 3000, 'the TCP client to close');
  await withTimeout(stopped, 5000, 'the shutdown to finish before its grace period');
});
