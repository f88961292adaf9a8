// The offline queue's limits (issue #4): at login a user gets at most the newest 10,000 waiting
// messages and none older than 30 days; the rest stay in history, and `truncated` says so.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { startServer, tempDataDir } from '../../helpers/server.js';
import { DEFAULT_LIMITS } from '../../../src/server/limits.js';

test('offline limits: the defaults are 10,000 messages and 30 days', () => {
  assert.equal(DEFAULT_LIMITS.offlineDeliveryLimit, 10_000);
  assert.equal(DEFAULT_LIMITS.offlineMaxAgeDays, 30);
});

test('offline limits: past the count limit the newest are delivered, truncated is set, the oldest stay in history', async () => {
  const server = await startServer({ limits: { offlineDeliveryLimit: 20 } });
  const away = await TestClient.as(server.port, 'AwayCount');
  await away.ok({ status: 'exit' });
  const sender = await TestClient.as(server.port, 'CountSender');
  const sent = [];
  for (let i = 0; i < 30; i++) sent.push(await sender.ok({ status: 'private', receiver: 'AwayCount', text: `m${i}` }));
  const back = await TestClient.back(server.port, away);
  const reply = back.welcome!;
  assert.equal(reply.waiting, 20);
  assert.equal(reply.truncated, true);
  await back.event('private', { msgid: sent[29]!.msgid });
  assert.deepEqual(
    back.received.filter((m) => m.status === 'private').map((m) => m.text),
    sent.slice(10).map((_, i) => `m${i + 10}`),
  );
  const older = await back.ok({ status: 'history', receiver: 'CountSender', limit: 50 });
  assert.equal(older.messages.length, 30, 'all 30 remain in history');
  for (const c of [back, sender]) await c.close();
  await server.stop();
});

test('offline limits: messages older than 30 days are not delivered at login but stay in history', async () => {
  const dataDir = tempDataDir();
  let server = await startServer({ dataDir });
  const away = await TestClient.as(server.port, 'AwayAge');
  await away.ok({ status: 'exit' });
  const sender = await TestClient.as(server.port, 'AgeSender');
  const old = await sender.ok({ status: 'private', receiver: 'AwayAge', text: 'from long ago' });
  const recent = await sender.ok({ status: 'private', receiver: 'AwayAge', text: 'from this week' });
  await sender.close();
  await server.stop();
  // Age the first message on disk: 31 days old.
  const db = new Database(path.join(dataDir, 'classchat.db'));
  db.prepare('UPDATE messages SET ts = ? WHERE id = ?').run(
    new Date(Date.now() - 31 * 86_400_000).toISOString(),
    old.msgid,
  );
  db.close();
  server = await startServer({ dataDir });
  const back = await TestClient.back(server.port, away);
  const reply = back.welcome!;
  assert.equal(reply.waiting, 1);
  await back.event('private', { msgid: recent.msgid });
  assert.equal(
    back.received.some((m) => m.msgid === old.msgid),
    false,
  );
  const history = await back.ok({ status: 'history', receiver: 'AgeSender' });
  assert.deepEqual(
    history.messages.map((m: { text: string }) => m.text),
    ['from long ago', 'from this week'],
  );
  await back.close();
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
