// Issue #11.15: a lone surrogate ("\ud800" in a JSON string) was delivered live as sent but came back
// from history as U+FFFD (SQLite stores UTF-8), and a file name "\ud800.txt" passed the cleaner. The
// edge makes every string of a request well-formed once, so every path sees the same text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { startServer } from '../../helpers/server.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

test('#11.15 a lone surrogate arrives live, at login and in history as the same U+FFFD; a file name is cleaned the same way', async () => {
  const server = await startServer();
  const clients: TestClient[] = [];
  try {
    const alice = await TestClient.as(server.port, 'Alice');
    const bob = await TestClient.as(server.port, 'Bob');
    clients.push(alice, bob);
    // JSON.stringify writes "\ud800" as an escape: the raw line carries it exactly as a hostile client would.
    const sent = await alice.ok({ status: 'private', receiver: 'Bob', text: 'x\ud800y\udc00z\ud83d\ude00' });
    const live = await bob.event('private', { msgid: sent.msgid });
    const history = await bob.ok({ status: 'history', receiver: 'Alice' });
    const stored = history.messages.find((m: { msgid: number }) => m.msgid === sent.msgid);
    assert.equal(live.text, 'x\ufffdy\ufffdz\ud83d\ude00', 'live delivery: lone surrogates are U+FFFD, the pair stays');
    assert.equal(stored.text, live.text, 'history says what was delivered live');

    await alice.ok({ status: 'create', receiver: 'Room1', members: ['Bob'] });
    const group = await alice.ok({ status: 'group', receiver: 'Room1', text: '\udbff' });
    const groupLive = await bob.event('group', { msgid: group.msgid });
    const groupHistory = await bob.ok({ status: 'history', receiver: 'Room1' });
    assert.equal(groupLive.text, '\ufffd');
    assert.equal(groupHistory.messages.at(-1).text, '\ufffd');

    const upload = await alice.ok({
      status: 'upload',
      receiver: 'Bob',
      name: '\ud800.txt',
      size: 0,
      sha256: EMPTY_SHA256,
    });
    const announced = await bob.event('private', { msgid: upload.msgid });
    const listed = await bob.ok({ status: 'files' });
    assert.equal(listed.files[0].name, '\ufffd.txt', 'the file name is cleaned of the lone surrogate');
    assert.match(announced.text, /\ufffd\.txt/);
    assert.doesNotMatch(JSON.stringify(listed), /\\ud800/);

    // At login: an offline recipient gets the same text.
    await bob.close();
    await alice.event('system', { event: 'disconnect', sender: 'Bob' });
    const late = await alice.ok({ status: 'private', receiver: 'Bob', text: 'late \udfff' });
    assert.equal(late.queued, true);
    const back = await TestClient.back(server.port, bob);
    clients.push(back);
    await back.event('private', { sender: 'Alice', text: 'late \ufffd' });
  } finally {
    for (const c of clients) await c.close();
    await server.stop();
  }
});
