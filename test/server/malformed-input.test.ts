// Bad input at the edge (issue #2): every malformed request gets an error reply it can act on, the
// connection that sent it stays usable, and two other clients keep chatting throughout.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient, type Obj } from '../helpers/client.js';
import {
  assertNotReceived,
  assertPrivateFlows,
  barrier,
  expectClosed,
  expectError,
  expectUnrefError,
} from '../helpers/expect.js';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
/** Two bystanders: after every bad input, a private message between them must still flow. */
let bea: TestClient;
let cal: TestClient;
let users = 0;

before(async () => {
  server = await startServer();
  bea = await TestClient.as(server.port, 'Bea');
  cal = await TestClient.as(server.port, 'Cal');
});
after(async () => {
  await Promise.all([bea.close(), cal.close()]);
  await server.stop();
});

async function othersStillChat(): Promise<void> {
  await assertPrivateFlows(bea, cal);
  await assertPrivateFlows(cal, bea);
}

/** A fresh connection, registered or not. */
async function offender(registered: boolean): Promise<TestClient> {
  const name = `Bad${++users}`;
  return registered ? TestClient.as(server.port, name) : TestClient.connect(server.port, name);
}

/** Proves the connection still works: help before register, who (listing itself) after. */
async function stillUsable(client: TestClient, registered: boolean): Promise<void> {
  if (registered) {
    const who = await client.ok({ status: 'who' });
    assert.ok(who.users.includes(client.label), `${client.label} is still registered`);
  } else {
    await client.ok({ status: 'help' });
  }
}

/** Input that is not a JSON object cannot carry an id: the error has no ref. */
async function rawCase(registered: boolean, lines: string[], what: string): Promise<void> {
  const client = await offender(registered);
  for (const line of lines) {
    client.raw(line + '\n');
    await expectUnrefError(client, 'bad_request', `${what}: ${line}`);
    await stillUsable(client, registered);
    await othersStillChat();
  }
  if (!registered) await client.ok({ status: 'register', sender: client.label }); // and it can still register
  await assertNotReceived(client, (m) => m.status === 'error' && m.code !== 'bad_request', 'any other kind of error');
  assert.equal(
    client.received.filter((m) => m.status === 'error').length,
    lines.length,
    'exactly one error per bad line',
  );
  await client.close();
}

/** A JSON object with a usable id: the error echoes it as ref. */
async function objectCase(registered: boolean, requests: Obj[], what: string): Promise<void> {
  const client = await offender(registered);
  for (const request of requests) {
    const reply = await expectError(client, request, 'bad_request');
    assert.match(reply.ref, new RegExp(`^${client.label}-`), `${what}: the error echoes the request id`);
    await stillUsable(client, registered);
    await othersStillChat();
  }
  await client.close();
}

for (const registered of [false, true]) {
  const when = registered ? 'after register' : 'before register';

  test(`malformed JSON gets bad_request and the connection stays open (${when})`, async () => {
    await rawCase(
      registered,
      ['{"status":"who"', '{status:who}', 'hello server', '{"status":"who"}}', "{'status':'who'}", '{"status":"who",}'],
      'malformed JSON',
    );
  });

  test(`a JSON value that is not an object gets bad_request (${when})`, async () => {
    await rawCase(registered, ['[]', '[{"status":"who"}]', '5', '-1.5e3', '"who"', 'null', 'true'], 'a non-object');
  });

  test(`an unknown status gets bad_request with the request id (${when})`, async () => {
    await objectCase(
      registered,
      [
        { status: 'dance' },
        { status: 'WHO' },
        { status: '' },
        { status: '__proto__' },
        { status: 'toString' },
        { status: 'constructor' },
        { status: 'x'.repeat(5000) },
      ],
      'an unknown status',
    );
  });

  test(`a missing or non-string status gets bad_request (${when})`, async () => {
    await objectCase(
      registered,
      [
        {},
        { text: 'hi' },
        { sender: 'Bea', receiver: 'Cal', text: 'hi' },
        { status: null },
        { status: 5 },
        { status: ['who'] },
        { status: { name: 'who' } },
      ],
      'a missing status',
    );
  });

  test(`an id that is not a number or a short string gets bad_request without a ref (${when})`, async () => {
    await rawCase(
      registered,
      [
        '{"status":"help","id":{}}',
        '{"status":"help","id":[1]}',
        '{"status":"help","id":true}',
        '{"status":"help","id":null}',
        '{"status":"help","id":1e400}',
        `{"status":"help","id":"${'i'.repeat(129)}"}`,
      ],
      'a bad id',
    );
  });
}

// Field checks: before register only register itself reaches them (anything else is not_registered).
test('a missing field gets bad_request (before register: register without sender)', async () => {
  await objectCase(false, [{ status: 'register' }, { status: 'register', name: 'Someone' }], 'a missing field');
});

test('a missing field gets bad_request (after register)', async () => {
  await objectCase(
    true,
    [
      { status: 'private', text: 'hi' },
      { status: 'private', receiver: 'Cal' },
      { status: 'group', receiver: 'room' },
      { status: 'broadcast' },
      { status: 'create' },
      { status: 'join' },
      { status: 'leave' },
      { status: 'members' },
      { status: 'history' },
    ],
    'a missing field',
  );
});

test('a field of the wrong type gets bad_request (before register: register with a non-string sender)', async () => {
  await objectCase(
    false,
    [
      { status: 'register', sender: 5 },
      { status: 'register', sender: {} },
      { status: 'register', sender: null },
      { status: 'register', sender: ['Bea'] },
    ],
    'a wrong type',
  );
});

test('a field of the wrong type gets bad_request (after register)', async () => {
  await objectCase(
    true,
    [
      { status: 'private', receiver: 5, text: 'hi' },
      { status: 'private', receiver: 'Cal', text: {} },
      { status: 'private', receiver: ['Cal'], text: 'hi' },
      { status: 'private', receiver: 'Cal', text: '' },
      { status: 'group', receiver: 'room', text: 42 },
      { status: 'broadcast', text: ['a'] },
      { status: 'create', receiver: 'Room1', members: 'Cal' },
      { status: 'create', receiver: 'Room1', members: [5] },
      { status: 'history', receiver: 'Cal', limit: 0 },
      { status: 'history', receiver: 'Cal', limit: 'ten' },
      { status: 'history', receiver: 'Cal', limit: 1.5 },
      { status: 'history', receiver: 'Cal', before: -1 },
      { status: 'history', receiver: 'Cal', after: '3' },
    ],
    'a wrong type',
  );
  // Nothing was created or sent by any of them.
  await assertNotReceived(
    cal,
    (m) => typeof m.sender === 'string' && m.sender.startsWith('Bad'),
    'anything from the offender',
  );
  assert.deepEqual(
    (await bea.ok({ status: 'rooms' })).rooms.filter((r: { name: string }) => r.name === 'Room1'),
    [],
  );
});

test('requests other than register, help and exit get not_registered before register', async () => {
  const client = await offender(false);
  const requests: Obj[] = [
    { status: 'private', receiver: 'Cal', text: 'hi' },
    { status: 'broadcast', text: 'hi all' },
    { status: 'group', receiver: 'room', text: 'hi' },
    { status: 'create', receiver: 'SneakyRoom' },
    { status: 'join', receiver: 'room' },
    { status: 'leave', receiver: 'room' },
    { status: 'who' },
    { status: 'rooms' },
    { status: 'members', receiver: 'room' },
    { status: 'history', receiver: 'everyone' },
  ];
  for (const request of requests) {
    await expectError(client, request, 'not_registered');
    await othersStillChat();
  }
  await assertNotReceived(
    cal,
    (m) => m.text === 'hi' || m.text === 'hi all',
    'a message from an unregistered connection',
  );
  await assertNotReceived(bea, (m) => m.text === 'hi all', 'a broadcast from an unregistered connection');
  const help = await client.ok({ status: 'help' });
  assert.ok(Array.isArray(help.commands) && help.commands.length > 0);
  await client.ok({ status: 'register', sender: client.label });
  assert.deepEqual(
    (await client.ok({ status: 'rooms' })).rooms.filter((r: { name: string }) => r.name === 'SneakyRoom'),
    [],
  );
  await client.close();

  // exit works before register: a goodbye, then the server closes the connection.
  const quitter = await offender(false);
  await quitter.ok({ status: 'exit' });
  await expectClosed(quitter);
  await othersStillChat();
});

test('a line over 64 KiB gets too_large, the rest of it is discarded, and the connection stays open', async () => {
  const client = await offender(true);
  // 100 KiB without a newline: the server answers too_large as soon as the line passes 64 KiB...
  client.raw(`{"status":"broadcast","text":"${'x'.repeat(100 * 1024)}`);
  const tooLarge = await expectUnrefError(client, 'too_large', 'a 100 KiB line');
  assert.match(tooLarge.text, /65536|64/);
  // ...and everything up to the newline still belongs to that line, even text that looks like a request.
  client.raw('{"status":"broadcast","text":"smuggled"}\n');
  const who = await client.ok({ status: 'who' });
  assert.ok(who.users.includes(client.label));
  assert.deepEqual(
    client.received.filter((m) => m.status === 'error'),
    [tooLarge],
    'one too_large and no other error for the oversized line',
  );
  await assertNotReceived(
    bea,
    (m) => m.status === 'broadcast' && m.sender === client.label,
    'any part of the oversized line as a broadcast',
  );
  await assertNotReceived(
    cal,
    (m) => m.status === 'broadcast' && m.sender === client.label,
    'any part of the oversized line as a broadcast',
  );
  await othersStillChat();

  // Twice in a row, then a normal message from the same connection still goes through.
  client.raw('y'.repeat(70 * 1024) + '\n' + 'z'.repeat(200 * 1024) + '\n');
  await expectUnrefError(client, 'too_large', 'a 70 KiB line');
  await expectUnrefError(client, 'too_large', 'a 200 KiB line');
  const sent = await client.ok({ status: 'private', receiver: 'Cal', text: 'after the big ones' });
  assert.equal((await cal.event('private', { msgid: sent.msgid })).sender, client.label);
  await client.close();
});

test('a line of exactly 64 KiB is accepted (the limit is inclusive)', async () => {
  const client = await offender(true);
  const envelope = JSON.stringify({ status: 'help', id: 'exact', pad: '' });
  const line = JSON.stringify({ status: 'help', id: 'exact', pad: 'p'.repeat(64 * 1024 - envelope.length) });
  assert.equal(Buffer.byteLength(line), 64 * 1024);
  client.raw(line + '\n');
  const reply = await client.waitFor((m) => m.ref === 'exact');
  assert.equal(reply.status, 'ok');
  await client.close();
});

test('pipelined requests are answered in order, an oversized line among them included', async () => {
  const client = await TestClient.connect(server.port, `Bad${++users}`);
  // register is asynchronous on the server, so the lines behind it wait in the connection's queue.
  client.raw(
    JSON.stringify({ status: 'register', sender: client.label, id: 'p1' }) +
      '\n' +
      'q'.repeat(80 * 1024) +
      '\n' +
      JSON.stringify({ status: 'who', id: 'p2' }) +
      '\n' +
      'not json\n' +
      JSON.stringify({ status: 'rooms', id: 'p3' }) +
      '\n',
  );
  const last = await client.waitFor((m) => m.ref === 'p3');
  assert.equal(last.status, 'ok');
  const shape = client.received.map((m) => `${m.status}:${m.ref ?? m.code}`);
  assert.deepEqual(shape, ['ok:p1', 'error:too_large', 'ok:p2', 'error:bad_request', 'ok:p3']);
  await othersStillChat();
  await client.close();
});

test('a line running past 1 MiB without a newline closes that connection only', async () => {
  const client = await offender(true);
  const watcher = await offender(true);
  client.raw(Buffer.alloc(1024 * 1024 + 64 * 1024, 'a'));
  await expectUnrefError(client, 'too_large', 'a line past 1 MiB');
  await expectClosed(client);
  // Everyone else is unaffected.
  await othersStillChat();
  await stillUsable(watcher, true);
  await watcher.close();
});

test('invalid UTF-8 does not crash the server', async () => {
  const client = await offender(true);
  // Bytes that are not UTF-8 at all, as a whole line.
  client.raw(Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff, 0xfe, 0xfd, 0x0a]));
  await expectUnrefError(client, 'bad_request', 'a line of invalid UTF-8');
  await stillUsable(client, true);
  await othersStillChat();

  // Invalid bytes inside a JSON string: the message goes through with replacement characters.
  client.raw(
    Buffer.concat([
      Buffer.from('{"status":"private","receiver":"Cal","id":"u8","text":"bad '),
      Buffer.from([0xff, 0xc0, 0x80]),
      Buffer.from(' bytes"}\n'),
    ]),
  );
  const reply = await client.waitFor((m) => m.ref === 'u8');
  assert.equal(reply.status, 'ok');
  const got = await cal.event('private', { msgid: reply.msgid });
  assert.ok(got.text.startsWith('bad ') && got.text.endsWith(' bytes'));
  assert.ok(got.text.includes('\ufffd'), 'invalid bytes become U+FFFD');

  // In a name: refused as an invalid name.
  const stranger = await offender(false);
  stranger.raw(
    Buffer.concat([
      Buffer.from('{"status":"register","id":"n","sender":"Bo'),
      Buffer.from([0xff]),
      Buffer.from('b"}\n'),
    ]),
  );
  const refused = await stranger.waitFor((m) => m.ref === 'n');
  assert.equal(refused.code, 'invalid_name');
  await stranger.ok({ status: 'register', sender: stranger.label });

  // A valid multi-byte character split across two writes arrives intact.
  client.socket.setNoDelay(true);
  const line = Buffer.from(
    JSON.stringify({ status: 'private', receiver: 'Cal', id: 'split', text: 'héllo 😀 wörld' }) + '\n',
  );
  const cut = line.indexOf(Buffer.from('😀')) + 2;
  client.raw(line.subarray(0, cut));
  await barrier(cal); // a round trip elsewhere, so the two halves are likely separate reads
  client.raw(line.subarray(cut));
  const split = await client.waitFor((m) => m.ref === 'split');
  assert.equal(split.status, 'ok');
  assert.equal((await cal.event('private', { msgid: split.msgid })).text, 'héllo 😀 wörld');

  await othersStillChat();
  await Promise.all([client.close(), stranger.close()]);
});

test('CRLF line endings work and blank lines get no reply', async () => {
  const client = await offender(false);
  client.raw('\n\r\n\n' + JSON.stringify({ status: 'help', id: 'crlf' }) + '\r\n\n');
  const reply = await client.waitFor((m) => m.ref === 'crlf');
  assert.equal(reply.status, 'ok');
  await barrier(client);
  assert.deepEqual(
    client.received.filter((m) => m.status === 'error'),
    [],
    'blank lines are ignored',
  );
  await client.close();
});

test('a message text over the size limit gets too_large and is not delivered', async () => {
  const client = await offender(true);
  const big = 'b'.repeat(20 * 1024); // over the 16 KiB text limit, under the 64 KiB line limit
  await expectError(client, { status: 'private', receiver: 'Cal', text: big }, 'too_large');
  await expectError(client, { status: 'broadcast', text: big }, 'too_large');
  await assertNotReceived(cal, (m) => m.text === big, 'the oversized text');
  await stillUsable(client, true);
  await othersStillChat();
  await client.close();
});

test('"sender" in a request is ignored: private, group and broadcast carry the real sender', async () => {
  const real = await offender(true);
  await real.ok({ status: 'create', receiver: 'SpoofRoom', members: ['Cal'] });

  const dm = await real.ok({ status: 'private', sender: 'Someone', receiver: 'Cal', text: 'spoofed private' });
  assert.equal((await cal.event('private', { msgid: dm.msgid })).sender, real.label);

  const room = await real.ok({ status: 'group', sender: 'Bea', receiver: 'SpoofRoom', text: 'spoofed group' });
  assert.equal((await cal.event('group', { msgid: room.msgid })).sender, real.label);

  const all = await real.ok({ status: 'broadcast', sender: 'server', text: 'spoofed broadcast' });
  assert.equal((await bea.event('broadcast', { msgid: all.msgid })).sender, real.label);
  assert.equal((await cal.event('broadcast', { msgid: all.msgid })).sender, real.label);

  // History keeps the real sender too.
  const history = await cal.ok({ status: 'history', receiver: real.label });
  assert.deepEqual(
    history.messages.map((m: Obj) => [m.sender, m.text]),
    [[real.label, 'spoofed private']],
  );
  // And a second register cannot rename the connection.
  await expectError(real, { status: 'register', sender: 'Someone' }, 'already_registered');
  assert.ok((await bea.ok({ status: 'who' })).users.includes(real.label));
  await othersStillChat();
  await real.ok({ status: 'leave', receiver: 'SpoofRoom' });
  await cal.ok({ status: 'leave', receiver: 'SpoofRoom' });
  await real.close();
});
