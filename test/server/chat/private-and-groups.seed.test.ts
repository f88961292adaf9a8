// Seed 000 (Charlie, Gauge, Zach): private messages, create, join, group messages, and the notice
// others see when a user exits.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { startServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test('seed 000: private chat, a group created and joined, group messages, and an exit notice', async () => {
  const charlie = await TestClient.as(server.port, 'Charlie');
  const gauge = await TestClient.as(server.port, 'Gauge');
  const zach = await TestClient.as(server.port, 'Zach');

  // /private Gauge wassup bro
  const sent = await charlie.ok({ status: 'private', receiver: 'Gauge', text: 'wassup bro' });
  assert.equal(typeof sent.msgid, 'number');
  const got = await gauge.event('private', { sender: 'Charlie' });
  assert.equal(got.text, 'wassup bro');
  assert.equal(got.receiver, 'Gauge');
  assert.equal(got.msgid, sent.msgid);
  assert.equal(got.ts, sent.ts);

  // Gauge: /create Volleyball ; Charlie: /join Volleyball
  const created = await gauge.ok({ status: 'create', receiver: 'Volleyball' });
  assert.deepEqual(created.members, ['Gauge']);
  await charlie.ok({ status: 'join', receiver: 'Volleyball' });
  const joined = await gauge.event('system', { event: 'join', receiver: 'Volleyball' });
  assert.equal(joined.sender, 'Charlie');

  // /group Volleyball our next practice will be saturday at 6:00pm
  await gauge.ok({ status: 'group', receiver: 'Volleyball', text: 'our next practice will be saturday at 6:00pm' });
  const practice = await charlie.event('group', { receiver: 'Volleyball' });
  assert.equal(practice.sender, 'Gauge');
  assert.equal(practice.text, 'our next practice will be saturday at 6:00pm');

  // Zach is not in the room: he got none of it.
  await zach.ok({ status: 'who' });
  assert.equal(
    zach.received.some((m) => m.receiver === 'Volleyball'),
    false,
  );

  // Zach talks privately with Gauge, then exits: Gauge is told.
  await zach.ok({ status: 'private', receiver: 'Gauge', text: "nah I think i'll pass" });
  await gauge.event('private', { sender: 'Zach' });
  await zach.ok({ status: 'exit' });
  await zach.closed;
  const left = await gauge.event('system', { event: 'disconnect', sender: 'Zach' });
  assert.match(left.text, /Zach/);
  const who = await gauge.ok({ status: 'who' });
  assert.deepEqual(who.users, ['Charlie', 'Gauge']);

  await charlie.close();
  await gauge.close();
});
