// Issue #11.13: a room's owner who left kept the right to kick and delete (a non-member deleted a room
// and its history). Ownership passes to the longest-standing member when the owner leaves or is kicked.
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { MIGRATIONS } from '../../../src/server/store/schema.js';
import { Cast } from '../../helpers/client.js';
import { expectError } from '../../helpers/expect.js';
import { startServer, tempDataDir } from '../../helpers/server.js';

test('#11.13 an owner who left can no longer kick or delete; the next member owns the room; a non-member delete is refused', async () => {
  const server = await startServer();
  const clients = new Cast(() => server.port);
  try {
    const as = (name: string) => clients.as(name);
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
    await clients.closeAll();
    await server.stop();
  }
});

test('#11.13 a kicked owner loses the room to the next member, and the new owner survives a restart', async () => {
  const dataDir = tempDataDir();
  let server = await startServer({ dataDir });
  const clients = new Cast(() => server.port);
  try {
    const as = (name: string) => clients.as(name);
    const founder = await as('Kicked');
    await as('NextInLine');
    const last = await as('LastOne');
    await founder.ok({ status: 'create', receiver: 'Succession', members: ['NextInLine', 'LastOne'] });
    // The founder removes itself with kick: the same hand-over as leaving.
    await founder.ok({ status: 'kick', receiver: 'Kicked', room: 'Succession' });
    await expectError(founder, { status: 'delete', receiver: 'Succession' }, 'forbidden');
    const kicked = await last.event('system', { event: 'kicked', receiver: 'Succession' });
    assert.match(kicked.text, /NextInLine owns it now/);
    await clients.closeAll();
    await server.stop();

    server = await startServer({ dataDir });
    const back = await as('NextInLine');
    const other = await as('LastOne');
    await expectError(other, { status: 'kick', receiver: 'NextInLine', room: 'Succession' }, 'forbidden');
    await back.ok({ status: 'kick', receiver: 'LastOne', room: 'Succession' });
  } finally {
    await clients.closeAll();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('#11.13 upgrading a database: a room whose creator had already left gets its longest-standing member as owner', async () => {
  const dataDir = tempDataDir();
  // The database as it was before ownership passed on: every migration up to the one that adds owner_id.
  const db = new Database(path.join(dataDir, 'classchat.db'));
  const before = MIGRATIONS.findIndex((sql) => sql.includes('owner_id'));
  assert.ok(before > 0, 'the owner migration exists');
  for (const sql of MIGRATIONS.slice(0, before)) db.exec(sql);
  db.pragma(`user_version = ${before}`);
  const now = new Date().toISOString();
  const user = db.prepare('INSERT INTO users (id, name, name_key, created_at) VALUES (?, ?, ?, ?)');
  user.run(1, 'Gone', 'gone', now);
  user.run(2, 'Elder', 'elder', now);
  user.run(3, 'Junior', 'junior', now);
  db.prepare(
    `INSERT INTO conversations (id, kind, conv_key, name, created_by, created_at) VALUES (1, 'room', 'legacy', 'Legacy', 1, ?)`,
  ).run(now);
  const member = db.prepare('INSERT INTO members (conv_id, user_id, cursor, joined_at) VALUES (1, ?, 0, ?)');
  member.run(3, '2026-01-02T00:00:00.000Z');
  member.run(2, '2026-01-01T00:00:00.000Z');
  db.close();

  const server = await startServer({ dataDir });
  const clients = new Cast(() => server.port);
  try {
    const as = (name: string) => clients.as(name);
    const gone = await as('Gone');
    const junior = await as('Junior');
    const elder = await as('Elder');
    await expectError(gone, { status: 'delete', receiver: 'Legacy' }, 'forbidden');
    await expectError(junior, { status: 'delete', receiver: 'Legacy' }, 'forbidden');
    await elder.ok({ status: 'kick', receiver: 'Junior', room: 'Legacy' });
  } finally {
    await clients.closeAll();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
