// The typed map of replies and events (src/protocol/messages.ts, issues #13 and #14): what a real server
// answers to every request status, and every line it pushes, is what the map says (that every status has
// an entry is checked where the map is, at compile time); and the guards the client narrows pushed lines
// with take what a real server sends (a chat message, a room's system message, a presence event, a
// refusal, a closing error) for what it is, and nothing else.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  isChatMessage,
  isErrorReply,
  isSystemEvent,
  isWireObject,
  type OkReplyOf,
} from '../../src/protocol/messages.js';
import type { RequestStatus } from '../../src/protocol/requests.js';
import { TestClient, type TypedRequest } from '../helpers/client.js';
import { expectClosed } from '../helpers/expect.js';
import { sha256 } from '../helpers/files.js';
import { pushedMismatch } from '../helpers/map-schemas.js';
import { REQUEST_EXAMPLES, STATUSES, type ExampleNames } from '../helpers/request-examples.js';
import { runAdmin, startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test("#14 every command's ok reply from a live server is its status's entry in the typed map, and every pushed line one of its shapes", async () => {
  // Every request status is answered ok at least once (its REQUEST_EXAMPLES entry where that can succeed,
  // a prepared request where it needs an account, a role or an upload), each variant a reply has (queued,
  // resent, unfinished, done, lifted…) once; okReply() fails on any reply the map does not describe.
  const answered = new Set<RequestStatus>();
  const ok = async <S extends RequestStatus>(client: TestClient, request: TypedRequest<S>): Promise<OkReplyOf<S>> => {
    const reply = await client.okReply(request);
    answered.add(request.status);
    return reply;
  };
  const made = await runAdmin(server.dataDir, ['add-user', 'MapProf', '--admin'], 'professor password\n');
  assert.equal(made.code, 0, made.stderr);
  const names: ExampleNames = {
    fresh: 'MapAnn',
    room: 'MapRoom',
    lounge: 'MapLounge',
    online: 'MapBob',
    offline: 'MapDee',
  };
  const prof = await TestClient.connect(server.port, 'MapProf');
  const login = await ok(prof, { status: 'login', sender: 'MapProf', password: 'professor password' });
  assert.equal(login.role, 'admin');
  await ok(prof, { status: 'create', receiver: names.lounge });
  const bob = await TestClient.as(server.port, names.online);
  const dee = await TestClient.as(server.port, names.offline);
  await ok(dee, REQUEST_EXAMPLES.exit(names));
  await expectClosed(dee);
  const ann = await TestClient.connect(server.port, names.fresh);
  await ok(ann, REQUEST_EXAMPLES.register(names));
  const run = <S extends RequestStatus>(status: S): Promise<OkReplyOf<S>> =>
    ok(ann, REQUEST_EXAMPLES[status](names) as TypedRequest<S>);

  assert.equal((await run('private')).queued, undefined, 'to someone online');
  const queued = await ok(ann, { status: 'private', receiver: names.offline, text: 'for later' });
  assert.equal(queued.queued, true);
  const broadcast = await ok(ann, { status: 'broadcast', text: 'once', id: 'map-once' });
  assert.equal(typeof broadcast.delivered, 'number');
  const resent = await ok(ann, { status: 'broadcast', text: 'once', id: 'map-once' });
  assert.equal(resent.msgid, broadcast.msgid, 'a resend: answered from the store');
  assert.equal(resent.delivered, undefined, 'which keeps no count');
  await run('create');
  await run('group');
  await run('join');
  const refused = await ann.reply({ status: 'join', receiver: names.lounge });
  assert.ok(
    refused.status === 'error' && refused.code === 'already_a_member',
    'a refusal is checked as the map has it',
  );
  for (const status of ['who', 'users', 'rooms', 'members', 'history', 'help', 'ping', 'files'] as const)
    await run(status);
  const roomHistory = await ok(ann, { status: 'history', receiver: names.room });
  assert.ok(roomHistory.messages.some((m) => m.event === 'created'));

  const done = await run('upload');
  assert.ok(done.done === true && done.queued === undefined, 'an empty file is done at once');
  const bytes = Buffer.from('ten bytes!');
  const upload = await ok(ann, { ...REQUEST_EXAMPLES.upload(names), size: bytes.length, sha256: sha256(bytes) });
  assert.ok(upload.done === undefined, 'a file with bytes to send starts unfinished');
  const half = await ok(ann, {
    status: 'chunk',
    file: upload.file,
    offset: 0,
    data: bytes.subarray(0, 5).toString('base64'),
  });
  assert.ok(half.done === undefined && half.offset === 5);
  const last = await ok(ann, {
    status: 'chunk',
    file: upload.file,
    offset: 5,
    data: bytes.subarray(5).toString('base64'),
  });
  assert.ok(last.done === true);
  const fetched = await ok(ann, { status: 'fetch', file: upload.file, offset: 0 });
  assert.equal(Buffer.from(fetched.data, 'base64').toString(), 'ten bytes!');
  await ok(ann, { status: 'files', receiver: names.online });

  await run('leave');
  await ok(ann, { status: 'create', receiver: 'MapSolo' });
  assert.equal((await ok(ann, { status: 'leave', receiver: 'MapSolo' })).deleted, true);
  await ok(ann, { status: 'password', new_password: 'a first password' });

  const muted = await ok(prof, { status: 'mute', receiver: names.offline, seconds: 60 });
  assert.equal(typeof muted.until, 'string');
  assert.equal((await ok(prof, { status: 'mute', receiver: names.offline, seconds: 0 })).until, null);
  await ok(prof, { status: 'delete', receiver: names.lounge });
  await ok(prof, { status: 'kick', receiver: names.online });
  await expectClosed(bob);
  await ok(ann, REQUEST_EXAMPLES.exit(names));
  await expectClosed(ann);
  await prof.close();

  assert.deepEqual([...answered].sort(), [...STATUSES].sort(), 'every request status was answered ok');
  const kinds = new Set<string>();
  for (const client of [prof, bob, dee, ann])
    for (const line of client.received.filter((m) => m.ref === undefined)) {
      assert.equal(pushedMismatch(line), null, `${client.label} was pushed ${JSON.stringify(line)}`);
      kinds.add(isChatMessage(line) ? 'chat' : isSystemEvent(line) ? 'event' : String(line.status));
    }
  assert.deepEqual([...kinds].sort(), ['chat', 'error', 'event'], 'chat, events and a closing error were checked');
});

test('#13 the guards tell apart the lines a real server pushes: chat, room system message, presence, refusal, closing error', async () => {
  const ann = await TestClient.as(server.port, 'GuardAnn');
  const bob = await TestClient.as(server.port, 'GuardBob');

  await ann.ok({ status: 'private', receiver: 'GuardBob', text: 'hi' });
  const chat = await bob.event('private');
  assert.ok(isChatMessage(chat), JSON.stringify(chat));
  assert.ok(!isSystemEvent(chat) && !isErrorReply(chat));

  await ann.ok({ status: 'create', receiver: 'GuardLab', members: ['GuardBob'] });
  const created = await bob.event('system', { event: 'created' });
  assert.ok(isChatMessage(created), `a room's system message is in its history: ${JSON.stringify(created)}`);
  assert.ok(!isSystemEvent(created));

  const refusal = await ann.request({ status: 'join', receiver: 'NoSuchRoom' });
  assert.ok(isErrorReply(refusal) && refusal.ref !== undefined, JSON.stringify(refusal));
  assert.ok(!isChatMessage(refusal) && !isSystemEvent(refusal));

  // Bob logs in from elsewhere: his first connection gets an error line without `ref` and closes.
  const bobAgain = await TestClient.back(server.port, bob);
  const closing = await bob.waitFor((m) => m.status === 'error' && m.code === 'replaced');
  assert.ok(isErrorReply(closing) && closing.ref === undefined, JSON.stringify(closing));

  // Bob leaves: Ann, his contact, gets a presence event outside any history.
  await bobAgain.close();
  const presence = await ann.event('system', { event: 'disconnect', sender: 'GuardBob' });
  assert.ok(isSystemEvent(presence), JSON.stringify(presence));
  assert.ok(!isChatMessage(presence) && !isErrorReply(presence));
  await ann.close();
});

test('#13 a line that is not an object with a string status is no wire object', () => {
  for (const value of [null, 5, 'ok', [], [{ status: 'ok' }], {}, { status: 1 }, { text: 'hi' }])
    assert.equal(isWireObject(value), false, JSON.stringify(value));
  assert.equal(isWireObject({ status: 'ok' }), true);
  // A chat message missing a field it promises is not taken for one.
  const whole = { status: 'group', sender: 'A', receiver: 'R', text: 'x', msgid: 1, seq: 1, ts: 't' };
  assert.equal(isChatMessage(whole), true);
  for (const field of ['msgid', 'seq', 'sender', 'receiver', 'text', 'ts']) {
    const { [field as keyof typeof whole]: _gone, ...broken } = whole;
    assert.equal(isChatMessage(broken), false, `without ${field}`);
  }
  assert.equal(isChatMessage({ ...whole, status: 'ok' }), false);
});
