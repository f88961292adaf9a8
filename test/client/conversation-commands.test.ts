// Commands that pick or name a conversation, with the real client against a real server (issue #12.7):
// /switch to a name that does not exist is refused at once and the conversation stays; a leading `//`
// sends a literal `/`; /members without a room lists the current room.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatProcessesAgainstOneServer } from '../helpers/chat-process.js';
import { TestClient } from '../helpers/client.js';

const clients = chatProcessesAgainstOneServer();
const chat = clients.chat;

test('#12.7 /switch to a name nobody has is refused at once, and the current conversation stays', async () => {
  const bea = await TestClient.as(clients.server.port, 'SwBea');
  const p = chat(['--user', 'SwAl']);
  await p.waitFor(/welcome, SwAl/);
  p.type('/switch Nobody12', 'still to everyone');
  await p.waitFor(/^! there is no user or room named Nobody12; still talking to everyone$/);
  assert.equal((await bea.event('broadcast', { sender: 'SwAl' })).text, 'still to everyone');
  assert.doesNotMatch(p.lines.join('\n'), /talking to Nobody12|no room named/);
  p.type('/private Nobody12');
  await p.waitFor(/^! there is no user or room named Nobody12; still talking to everyone$/);
  p.type('/exit');
  assert.equal(await p.exit(), 0);
  await bea.close();
});

test('#12.7 /switch to a user the client had not heard of asks the server; a room you are not in says to join it', async () => {
  const cy = await TestClient.as(clients.server.port, 'SwCy');
  await cy.ok({ status: 'create', receiver: 'SwRoom' });
  const p = chat(['--user', 'SwDee']);
  await p.waitFor(/welcome, SwDee/);
  p.type('/switch swcy', 'found you');
  await p.waitFor(/^talking to @SwCy$/);
  assert.equal((await cy.event('private', { sender: 'SwDee' })).text, 'found you');
  p.type('/switch SwRoom');
  await p.waitFor(/^! you are not in SwRoom: \/join SwRoom first; still talking to @SwCy$/);
  p.type('/exit');
  assert.equal(await p.exit(), 0);
  await cy.close();
});

test('#12.7 a line starting with // sends the text from its second slash', async () => {
  const eve = await TestClient.as(clients.server.port, 'SlEve');
  const p = chat(['--user', 'SlFay']);
  await p.waitFor(/welcome, SlFay/);
  p.type('//shrug', '//');
  assert.equal((await eve.event('broadcast', { sender: 'SlFay' })).text, '/shrug');
  assert.equal((await eve.event('broadcast', { sender: 'SlFay' })).text, '/');
  p.type('/exit');
  assert.equal(await p.exit(), 0);
  assert.doesNotMatch(p.lines.join('\n'), /unknown command/);
  await eve.close();
});

test('#12.7 /members without a room lists the current room; outside a room it says which room is meant', async () => {
  const p = chat(['--user', 'MbGus']);
  await p.waitFor(/welcome, MbGus/);
  p.type('/members');
  await p.waitFor(/^! usage: \/members <room> \[more\] {2}\(you are not in a room now\)$/);
  p.type('/join MbRoom', '/members');
  await p.waitFor(/^MbRoom: MbGus \(online\)$/);
  p.type('/exit');
  assert.equal(await p.exit(), 0);
});
