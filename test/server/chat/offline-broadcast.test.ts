// Issue #12.8: a message to everyone waits for whoever is offline, as a room message does. Each user
// has a cursor in the everyone conversation, set at the conversation's end when the user is made (a new
// name is not sent the past), advanced at disconnect; a login gets what came after it within the same
// bounds as every other waiting message, and `since` skips what a client already has.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { MIGRATIONS } from '../../../src/server/store/schema.js';
import { TestClient, type Obj } from '../../helpers/client.js';
import { assertNotReceived, withTimeout } from '../../helpers/expect.js';
import { runAdmin, spawnServer, startServer, tempDataDir } from '../../helpers/server.js';

/** The broadcasts `client` received (live or at login), oldest first, as texts. */
function broadcastTexts(client: TestClient): string[] {
  return client.received.filter((m) => m.status === 'broadcast').map((m) => m.text);
}

test('#12.8 a student offline when a broadcast is sent gets it at login (claim token or password), once', async () => {
  const server = await startServer();
  try {
    const prof = await TestClient.as(server.port, 'Prof');
    const bob = await TestClient.as(server.port, 'Bob');
    await bob.ok({ status: 'exit' });
    const cara = await TestClient.connect(server.port, 'Cara');
    await cara.ok({ status: 'register', sender: 'Cara', password: 'correct horse' });
    await cara.ok({ status: 'exit' });

    const sent = await prof.ok({ status: 'broadcast', text: 'quiz on Friday' });
    assert.equal(sent.delivered, 0, 'nobody else is online now');

    const back = await TestClient.back(server.port, bob); // login with the token the register got
    assert.equal(back.welcome!.waiting, 1);
    assert.equal(back.welcome!.text, 'welcome, Bob; 1 message waited for you');
    const got = await back.event('broadcast', { msgid: sent.msgid });
    assert.deepEqual(got, {
      status: 'broadcast',
      sender: 'Prof',
      receiver: 'everyone',
      text: 'quiz on Friday',
      msgid: sent.msgid,
      seq: sent.seq,
      ts: sent.ts,
    });

    const caraBack = await TestClient.connect(server.port, 'Cara');
    const welcome = await caraBack.ok({ status: 'login', sender: 'Cara', password: 'correct horse' });
    assert.equal(welcome.waiting, 1);
    await caraBack.event('broadcast', { msgid: sent.msgid });

    // Given once: the next login has nothing waiting, and the sender never gets her own.
    await back.ok({ status: 'exit' });
    const again = await TestClient.back(server.port, bob);
    assert.equal(again.welcome!.waiting, 0);
    await prof.ok({ status: 'exit' });
    const profBack = await TestClient.back(server.port, prof);
    assert.equal(profBack.welcome!.waiting, 0);
    await assertNotReceived(again, (m) => m.status === 'broadcast', 'the broadcast a second time');
    await assertNotReceived(profBack, (m) => m.status === 'broadcast', 'her own broadcast');
    for (const c of [prof, bob, cara, back, caraBack, again, profBack]) await c.close();
  } finally {
    await server.stop();
  }
});

test('#12.8 a new name does not receive the broadcasts sent before it existed, only those after', async () => {
  const server = await startServer();
  try {
    const prof = await TestClient.as(server.port, 'Prof');
    await prof.ok({ status: 'broadcast', text: 'before Dan' });
    const dan = await TestClient.as(server.port, 'Dan');
    await assertNotReceived(dan, (m) => m.status === 'broadcast', 'a broadcast from before his name existed');
    await dan.ok({ status: 'exit' });
    await prof.ok({ status: 'broadcast', text: 'after Dan left' });
    const back = await TestClient.back(server.port, dan);
    assert.equal(back.welcome!.waiting, 1);
    await back.event('broadcast', { text: 'after Dan left' });
    await assertNotReceived(back, (m) => m.text === 'before Dan', 'a broadcast from before his name existed');
    for (const c of [prof, dan, back]) await c.close();
  } finally {
    await server.stop();
  }
});

test('#12.8 a user made with classchat admin add-user while the server runs gets the broadcasts sent after, not before', async () => {
  const server = await startServer();
  try {
    const prof = await TestClient.as(server.port, 'Prof');
    await prof.ok({ status: 'broadcast', text: 'before Eve' });
    const added = await runAdmin(server.dataDir, ['add-user', 'Eve'], 'eve password 1\n');
    assert.equal(added.code, 0, added.stderr);
    await prof.ok({ status: 'broadcast', text: 'after Eve' });
    const eve = await TestClient.connect(server.port, 'Eve');
    const welcome = await eve.ok({ status: 'login', sender: 'Eve', password: 'eve password 1' });
    assert.equal(welcome.waiting, 1);
    await eve.event('broadcast', { text: 'after Eve' });
    await assertNotReceived(eve, (m) => m.text === 'before Eve', 'a broadcast from before the account existed');
    for (const c of [prof, eve]) await c.close();
  } finally {
    await server.stop();
  }
});

test('#12.8 a reconnect with since gets each broadcast once: the one it had is skipped, the one sent while away arrives', async () => {
  const server = await startServer();
  try {
    const prof = await TestClient.as(server.port, 'Prof');
    const bob = await TestClient.as(server.port, 'Bob');
    // A private word first makes them contacts, so Prof is told when the server has seen Bob go.
    await prof.ok({ status: 'private', receiver: 'Bob', text: 'hi' });
    const first = await prof.ok({ status: 'broadcast', text: 'first' });
    await bob.event('broadcast', { msgid: first.msgid });
    await bob.close(); // the connection drops
    await prof.event('system', { event: 'disconnect', sender: 'Bob' });
    const second = await prof.ok({ status: 'broadcast', text: 'second' });
    const back = await TestClient.back(server.port, bob, { since: first.msgid });
    assert.equal(back.welcome!.waiting, 1);
    await back.event('broadcast', { msgid: second.msgid });
    await assertNotReceived(back, (m) => m.msgid === first.msgid, 'the broadcast it already had');
    for (const c of [prof, back]) await c.close();
  } finally {
    await server.stop();
  }
});

test('#12.8 after kill -9, a login with since gets the broadcasts it missed once and not the one it had', async () => {
  const dataDir = tempDataDir();
  let first = await spawnServer(dataDir);
  const tokens = new Map<string, string>();
  const login = async (port: number, name: string, extra: Obj = {}) => {
    const client = await TestClient.connect(port, name);
    const token = tokens.get(name);
    const reply = await client.ok(
      token ? { status: 'login', sender: name, token, ...extra } : { status: 'register', sender: name },
    );
    if (!token) tokens.set(name, reply.token);
    return { client, reply };
  };
  try {
    const prof = (await login(first.port, 'Prof')).client;
    const bob = (await login(first.port, 'Bob')).client;
    const had = await prof.ok({ status: 'broadcast', text: 'had it' });
    await bob.event('broadcast', { msgid: had.msgid });
    // Bob was online when the server died: his cursor never moved past what he was given live.
    await withTimeout(first.stop('SIGKILL'), 5000, 'the server to die');
    first = await spawnServer(dataDir);
    const profAgain = (await login(first.port, 'Prof')).client;
    const missed = await profAgain.ok({ status: 'broadcast', text: 'missed it' });
    const { client: back, reply } = await login(first.port, 'Bob', { since: had.msgid });
    assert.equal(reply.waiting, 1);
    await back.event('broadcast', { msgid: missed.msgid });
    await assertNotReceived(back, (m) => m.msgid === had.msgid, 'the broadcast it had before the crash');
    assert.deepEqual(broadcastTexts(back), ['missed it']);
    for (const c of [prof, bob, profAgain, back]) await c.close();
  } finally {
    await first.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('#12.8 waiting broadcasts share the login bounds with other waiting messages: the newest kept, truncated, the rest in history', async () => {
  const server = await startServer({ limits: { offlineDeliveryLimit: 3 } });
  try {
    const prof = await TestClient.as(server.port, 'Prof');
    const bob = await TestClient.as(server.port, 'Bob');
    await bob.ok({ status: 'exit' });
    const sent = [
      await prof.ok({ status: 'broadcast', text: 'b1' }),
      await prof.ok({ status: 'private', receiver: 'Bob', text: 'p1' }),
      await prof.ok({ status: 'broadcast', text: 'b2' }),
      await prof.ok({ status: 'private', receiver: 'Bob', text: 'p2' }),
      await prof.ok({ status: 'broadcast', text: 'b3' }),
    ];
    const back = await TestClient.back(server.port, bob);
    assert.equal(back.welcome!.waiting, 3);
    assert.equal(back.welcome!.truncated, true);
    await back.event('broadcast', { msgid: sent[4]!.msgid });
    const delivered = back.received.filter((m) => m.msgid !== undefined && m.ref === undefined);
    assert.deepEqual(
      delivered.map((m) => m.text),
      ['b2', 'p2', 'b3'],
      'the newest three, oldest first',
    );
    const history = await back.ok({ status: 'history', receiver: 'everyone' });
    assert.deepEqual(
      history.messages.map((m: Obj) => m.text),
      ['b1', 'b2', 'b3'],
      'the older one stays in history',
    );
    for (const c of [prof, back]) await c.close();
  } finally {
    await server.stop();
  }
});

test('#12.8 upgrading a database: its users start at the end of the broadcasts so far, and get the later ones', async () => {
  const dataDir = tempDataDir();
  // The database as it was before broadcasts waited: every migration up to the one that adds the cursors.
  const before = MIGRATIONS.findIndex((sql) => /ADD COLUMN everyone_cursor/.test(sql));
  assert.ok(before > 0, 'the everyone-cursor migration exists');
  const db = new Database(path.join(dataDir, 'classchat.db'));
  for (const sql of MIGRATIONS.slice(0, before)) db.exec(sql);
  db.pragma(`user_version = ${before}`);
  const now = new Date().toISOString();
  const user = db.prepare('INSERT INTO users (id, name, name_key, created_at) VALUES (?, ?, ?, ?)');
  user.run(1, 'Prof', 'prof', now);
  user.run(2, 'Bob', 'bob', now);
  db.prepare(
    `INSERT INTO conversations (id, kind, conv_key, name, created_at) VALUES (1, 'everyone', 'everyone', '', ?)`,
  ).run(now);
  const message = db.prepare(
    `INSERT INTO messages (id, conv_id, seq, kind, sender_id, sender, receiver, text, ts) VALUES (?, 1, ?, 'broadcast', 1, 'Prof', 'everyone', ?, ?)`,
  );
  message.run(1, 1, 'old one', now);
  message.run(2, 2, 'old two', now);
  db.close();

  const server = await startServer({ dataDir });
  try {
    const prof = await TestClient.as(server.port, 'Prof');
    const bob = await TestClient.as(server.port, 'Bob');
    await assertNotReceived(bob, (m) => m.status === 'broadcast', 'broadcasts from before the upgrade');
    await bob.ok({ status: 'exit' });
    await prof.ok({ status: 'broadcast', text: 'new one' });
    const back = await TestClient.back(server.port, bob);
    assert.equal(back.welcome!.waiting, 1);
    await back.event('broadcast', { text: 'new one' });
    for (const c of [prof, bob, back]) await c.close();
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
