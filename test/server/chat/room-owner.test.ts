// Issue #11.13: a room's owner who left kept the right to kick and delete (a non-member deleted a room
// and its history). Ownership passes to the longest-standing member when the owner leaves or is kicked.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { expectError } from '../../helpers/expect.js';
import { startServer, tempDataDir } from '../../helpers/server.js';

test('#11.13 an owner who left can no longer kick or delete; the next member owns the room; a non-member delete is refused', async () => {
  const server = await startServer();
  const clients: TestClient[] = [];
  try {
    const as = async (name: string) => clients[clients.push(await TestClient.as(server.port, name)) - 1]!;
    const owner = await as('Founder');
    const heir = await as('Heir');
    const third = await as('Third');
    const stranger = await as('Stranger');
    await owner.ok({ status: 'create', receiver: 'Handover', members: ['Heir', 'Third'] });
    await owner.ok({ status: 'leave', receiver: 'Handover' });
    await expectError(owner, { status: 'kick', receiver: 'Third', room: 'Handover' }, 'forbidden');
    await expectError(owner, { status: 'delete', receiver: 'Handover' }, 'forbidden');
    await expectError(stranger, { status: 'delete', receiver: 'Handover' }, 'forbidden');
    await expectError(third, { status: 'delete', receiver: 'Handover' }, 'forbidden');
    const left = await heir.event('system', { event: 'leave', receiver: 'Handover' });
    assert.match(left.text, /Founder left Handover; Heir owns it now/);
    // The room and its history are still there.
    const history = await third.ok({ status: 'history', receiver: 'Handover' });
    assert.ok(history.messages.some((m: { event?: string }) => m.event === 'created'));

    // The heir may do what the owner could.
    await heir.ok({ status: 'kick', receiver: 'Third', room: 'Handover' });
    await third.event('system', { event: 'kicked', receiver: 'Handover' });
    await heir.ok({ status: 'delete', receiver: 'Handover' });
    await expectError(heir, { status: 'join', receiver: 'Handover' }, 'no_such_room');
  } finally {
    for (const c of clients) await c.close();
    await server.stop();
  }
});

test('#11.13 a kicked owner loses the room to the next member, and the new owner survives a restart', async () => {
  const dataDir = tempDataDir();
  let server = await startServer({ dataDir });
  const clients: TestClient[] = [];
  try {
    const as = async (name: string) => clients[clients.push(await TestClient.as(server.port, name)) - 1]!;
    const founder = await as('Kicked');
    await as('NextInLine');
    const last = await as('LastOne');
    await founder.ok({ status: 'create', receiver: 'Succession', members: ['NextInLine', 'LastOne'] });
    // The founder removes itself with kick: the same hand-over as leaving.
    await founder.ok({ status: 'kick', receiver: 'Kicked', room: 'Succession' });
    await expectError(founder, { status: 'delete', receiver: 'Succession' }, 'forbidden');
    const kicked = await last.event('system', { event: 'kicked', receiver: 'Succession' });
    assert.match(kicked.text, /NextInLine owns it now/);
    for (const c of clients.splice(0)) await c.close();
    await server.stop();

    server = await startServer({ dataDir });
    const back = await as('NextInLine');
    const other = await as('LastOne');
    await expectError(other, { status: 'kick', receiver: 'NextInLine', room: 'Succession' }, 'forbidden');
    await back.ok({ status: 'kick', receiver: 'LastOne', room: 'Succession' });
  } finally {
    for (const c of clients) await c.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
