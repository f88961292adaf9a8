// The typed map of replies and events (src/protocol/messages.ts, issue #13): every request status has
// its reply in the map, and the guards the client narrows pushed lines with take what a real server
// sends (a chat message, a room's system message, a presence event, a refusal, a closing error) for
// what it is, and nothing else.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  isChatMessage,
  isErrorReply,
  isSystemEvent,
  isWireObject,
  type ReplyFields,
} from '../../src/protocol/messages.js';
import type { RequestStatus } from '../../src/protocol/requests.js';
import { TestClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test('#13 every request status has its ok reply in the typed map', () => {
  // Compile-time: a request added to requests.ts without a reply in ReplyFields makes this `false`, which
  // tsc refuses to assign to `true` (npm test builds with tsc first).
  type Missing = Exclude<RequestStatus, keyof ReplyFields>;
  const everyStatusCovered: [Missing] extends [never] ? true : false = true;
  assert.equal(everyStatusCovered, true);
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
