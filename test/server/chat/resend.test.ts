// Resending after a reconnect (issue #4): the same request id with the same content is stored once
// and answered as before; `since` on login skips what the client already has.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { startServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test('resend: the same id and content after a reconnect is stored once and answered as before', async () => {
  const bob = await TestClient.as(server.port, 'ResendBob');
  const alice = await TestClient.as(server.port, 'ResendAlice');
  await bob.ok({ status: 'create', receiver: 'ResendRoom', members: ['ResendAlice'] });
  const requests = [
    { status: 'private', receiver: 'ResendBob', text: 'once only', id: 'm-1' },
    { status: 'group', receiver: 'ResendRoom', text: 'once in the room', id: 'm-2' },
    { status: 'broadcast', text: 'once to all', id: 7 },
  ];
  const first = [];
  for (const r of requests) first.push(await alice.ok(r));
  await alice.close();
  const again = await TestClient.back(server.port, alice);
  for (const [i, r] of requests.entries()) {
    const reply = await again.ok({ ...r, receiver: r.receiver?.toLowerCase() });
    for (const field of ['ref', 'msgid', 'seq', 'ts', 'receiver'])
      assert.deepEqual(reply[field], first[i]![field], `${r.status} ${field}`);
  }
  const history = await bob.ok({ status: 'history', receiver: 'ResendAlice' });
  assert.equal(history.messages.filter((m: { text: string }) => m.text === 'once only').length, 1);
  const room = await bob.ok({ status: 'history', receiver: 'ResendRoom' });
  assert.equal(room.messages.filter((m: { text: string }) => m.text === 'once in the room').length, 1);
  await again.ok({ status: 'who' });
  assert.equal(bob.received.filter((m) => m.text === 'once only').length, 1, 'delivered once');
  await again.close();
  await bob.close();
});

test('resend: the same id with other content is a new message (a client that restarted its counter loses nothing)', async () => {
  const bob = await TestClient.as(server.port, 'ReuseBob');
  const alice = await TestClient.as(server.port, 'ReuseAlice');
  const a = await alice.ok({ status: 'private', receiver: 'ReuseBob', text: 'first', id: 1 });
  const b = await alice.ok({ status: 'private', receiver: 'ReuseBob', text: 'second', id: 1 });
  assert.notEqual(a.msgid, b.msgid);
  // 1 and "1" are different ids.
  const c = await alice.ok({ status: 'private', receiver: 'ReuseBob', text: 'second', id: '1' });
  assert.notEqual(c.msgid, b.msgid);
  await bob.event('private', { msgid: c.msgid });
  await alice.close();
  await bob.close();
});

test('since: a login with the highest msgid the client has gets only what came after it', async () => {
  const carol = await TestClient.as(server.port, 'SinceCarol');
  const dave = await TestClient.as(server.port, 'SinceDave');
  const sent = [];
  for (let i = 0; i < 4; i++)
    sent.push(await dave.ok({ status: 'private', receiver: 'SinceCarol', text: `live ${i}` }));
  await carol.event('private', { msgid: sent[3]!.msgid });
  // Carol's connection dies; as after kill -9, the server may not have saved how far she got, and
  // she has seen up to live 1 only (the rest were in flight).
  carol.socket.destroy();
  await carol.closed;
  await dave.event('system', { event: 'disconnect', sender: 'SinceCarol' });
  const later = await dave.ok({ status: 'private', receiver: 'SinceCarol', text: 'while away' });
  const back = await TestClient.back(server.port, carol, { since: sent[1]!.msgid });
  const reply = back.welcome!;
  // Her cursor was saved at the disconnect (everything she was sent), so only the new one waits;
  // `since` never moves a cursor back.
  assert.equal(reply.waiting, 1);
  await back.event('private', { msgid: later.msgid });
  const fresh = await TestClient.as(server.port, 'SinceErin');
  await fresh.ok({ status: 'exit' });
  for (let i = 0; i < 3; i++) await dave.ok({ status: 'private', receiver: 'SinceErin', text: `queued ${i}` });
  const first = await dave.ok({ status: 'history', receiver: 'SinceErin' });
  const msgids = first.messages.map((m: { msgid: number }) => m.msgid);
  const erin = await TestClient.back(server.port, fresh, { since: msgids[0] });
  const got = erin.welcome!;
  assert.equal(got.waiting, 2, 'the one she says she has is skipped');
  for (const c of [back, dave, erin]) await c.close();
});
