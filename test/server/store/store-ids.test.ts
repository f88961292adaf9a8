// #15: the store, not the domain, gives messages their ids and seqs and conversations their ids. Ids are
// never handed out twice, even after the rows holding the highest are deleted and the store reopened;
// an asynchronous store's failed commit leaves the domain as if the message was never sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fs from 'node:fs';
import { pino } from 'pino';
import { Chat } from '../../../src/server/chat/chat.js';
import { DEFAULT_LIMITS } from '../../../src/server/limits.js';
import { SqliteStore } from '../../../src/server/store/sqlite.js';
import { StoreUnreachable } from '../../../src/server/store/unreachable.js';
import type { StoredMessage } from '../../../src/server/store/store.js';
import { deferredStore } from '../../helpers/deferred-store.js';
import { tempDataDir } from '../../helpers/server.js';

const NOW = '2026-12-01T00:00:00.000Z';

function draft(convId: number, text: string) {
  return {
    convId,
    kind: 'group' as const,
    event: null,
    senderId: null,
    sender: 'server',
    receiver: 'r',
    text,
    ts: NOW,
    clientRef: null,
    fileId: null,
  };
}

test('#15 message and conversation ids are never reused after the room with the highest ids is deleted and the store reopened', async () => {
  const dataDir = tempDataDir();
  try {
    const first = new SqliteStore({ dataDir });
    await first.load();
    const kept = first.insertConversation({ kind: 'room', key: 'kept', name: 'kept' }, null, NOW);
    const doomed = first.insertConversation({ kind: 'room', key: 'doomed', name: 'doomed' }, null, NOW);
    assert.deepEqual([kept.created, doomed.created], [true, true]);
    assert.ok(doomed.id > kept.id);
    const a = first.appendMessage(draft(kept.id, 'a'));
    const highest: StoredMessage[] = [];
    for (let i = 0; i < 3; i++) highest.push(first.appendMessage(draft(doomed.id, `d${i}`)));
    assert.deepEqual(
      highest.map((m) => m.seq),
      [1, 2, 3],
      'seq counts per conversation from 1',
    );
    assert.deepEqual(
      highest.map((m) => m.id),
      [a.id + 1, a.id + 2, a.id + 3],
      'ids count across conversations',
    );
    first.commit();
    first.deleteConversation(doomed.id);
    first.commit();
    await first.close();

    const second = new SqliteStore({ dataDir });
    const state = await second.load();
    assert.ok(state.messagesBelow > highest[2]!.id, 'the watermark starts past every id ever handed out');
    const b = second.appendMessage(draft(kept.id, 'b'));
    assert.ok(b.id > highest[2]!.id, `a new message gets an id above the deleted ones (${b.id})`);
    assert.equal(b.seq, 2, "its seq follows its conversation's highest, read back after the restart");
    const again = second.insertConversation({ kind: 'room', key: 'doomed', name: 'doomed' }, null, NOW);
    assert.equal(again.created, true);
    assert.ok(again.id > doomed.id, `a new conversation gets an id above the deleted one (${again.id})`);
    const same = second.insertConversation({ kind: 'room', key: 'kept', name: 'kept' }, null, NOW);
    assert.deepEqual(same, { id: kept.id, created: false }, 'an existing key is not an error: its id comes back');
    second.commit();
    await second.close();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('#15 on an asynchronous store a failed commit delivers nothing, answers nothing and leaves no seq gap', async () => {
  const inner = new SqliteStore({ dataDir: ':memory:' });
  const store = deferredStore(inner);
  let scheduled = false;
  const commitFailures: unknown[] = [];
  const requestCommit = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      store.commit()?.catch((err: unknown) => commitFailures.push(err));
    });
  };
  const chat = await Chat.open(store, pino({ level: 'silent' }), DEFAULT_LIMITS, requestCommit);
  const author = { userId: 1, name: 'Ann' };
  const delivered: number[] = [];
  const post = (text: string) =>
    chat.record(chat.everyone, { kind: 'broadcast', author: null, receiver: 'everyone', text }, (m) =>
      delivered.push(m.seq),
    );
  const first = post('one');
  assert.ok(first instanceof Promise, 'an asynchronous store tells the id after the commit');
  assert.equal(delivered.length, 0, 'nothing is delivered before the commit');
  const stored = await first;
  assert.deepEqual(delivered, [stored.seq]);
  assert.equal(chat.watermark(), stored.id + 1, 'the watermark passes a message once it is delivered');

  store.failNextCommit(new Error('connection lost'));
  const failed = chat.record(chat.everyone, { kind: 'broadcast', author, receiver: 'everyone', text: 'two' }, (m) =>
    delivered.push(m.seq),
  );
  await assert.rejects(Promise.resolve(failed), /connection lost/);
  assert.equal(commitFailures.length, 1);
  assert.deepEqual(delivered, [stored.seq], 'the failed message was delivered to nobody');
  assert.equal(chat.watermark(), stored.id + 1, 'the watermark did not pass it');

  const next = await post('three');
  assert.equal(next.seq, stored.seq + 1, 'no gap: the seq the failed one took is the next one');
  assert.deepEqual(delivered, [stored.seq, next.seq]);
  const history = await store.history(chat.everyone.id, { limit: 10 });
  assert.deepEqual(
    history.map((m) => m.text),
    ['one', 'three'],
  );
  await store.close();
});

test('#15 on an asynchronous store messages are delivered in id order, each after every earlier one, whatever order their promises settle in', async () => {
  const inner = new SqliteStore({ dataDir: ':memory:' });
  const deferred = deferredStore(inner);
  // Each append's promise settles later than the next one's: the newest first.
  let delay = 60;
  const store = new Proxy(deferred, {
    get(target, prop) {
      if (prop !== 'appendMessage') return Reflect.get(target, prop) as unknown;
      return (m: Parameters<typeof target.appendMessage>[0]) => {
        const appended = target.appendMessage(m);
        const wait = (delay -= 4);
        return Promise.resolve(appended).then(
          (stored) => new Promise<StoredMessage>((resolve) => setTimeout(() => resolve(stored), wait)),
        );
      };
    },
  });
  let scheduled = false;
  const requestCommit = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void store.commit();
    });
  };
  const chat = await Chat.open(store, pino({ level: 'silent' }), DEFAULT_LIMITS, requestCommit);
  const order: number[] = [];
  const pending: Promise<StoredMessage>[] = [];
  // Three ticks of five messages each, recorded while earlier commits are still in flight.
  for (let tick = 0; tick < 3; tick++) {
    for (let i = 0; i < 5; i++) {
      const draft = { kind: 'broadcast' as const, author: null, receiver: 'everyone', text: `${tick}.${i}` };
      const r = chat.record(chat.everyone, draft, (m) => {
        assert.ok(chat.watermark() <= m.id, 'delivered before the watermark passes it');
        order.push(m.id);
      });
      assert.ok(r instanceof Promise);
      pending.push(r);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const all = await Promise.all(pending);
  assert.deepEqual(
    order,
    all.map((m) => m.id).sort((x, y) => x - y),
  );
  assert.deepEqual(
    all.map((m) => m.seq),
    Array.from({ length: 15 }, (_, i) => i + 1),
  );
  assert.equal(chat.watermark(), all.at(-1)!.id + 1);
  await store.close();
});

test('#15 after a commit whose answer was lost, later commits are held until the store is read: the watermark never passes the stored message, and each is delivered once, in id order', async () => {
  const inner = new SqliteStore({ dataDir: ':memory:' });
  const store = deferredStore(inner);
  const chat = await Chat.open(store, pino({ level: 'silent' }), DEFAULT_LIMITS, () => {});
  const delivered: number[] = [];
  const post = (text: string) =>
    chat.record(chat.everyone, { kind: 'broadcast', author: null, receiver: 'everyone', text }, (m) =>
      delivered.push(m.id),
    );
  const first = post('one');
  await store.commit();
  const one = await first;

  store.loseNextCommitAnswer(new StoreUnreachable(new Error('reset after COMMIT')));
  const lost = post('stored, answer lost');
  await assert.rejects(store.commit() as Promise<void>, StoreUnreachable);
  await assert.rejects(Promise.resolve(lost), StoreUnreachable);
  // A tick already on its way commits fine: its message must wait for the one before it.
  const later = post('committed after');
  await store.commit();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(delivered, [one.id], 'the later message is held');
  assert.equal(chat.watermark(), one.id + 1, 'the watermark stays below the message whose answer was lost');

  await chat.deliverMissed();
  const three = await later;
  assert.deepEqual(delivered, [one.id, three.id], 'the held one is delivered by its own request, once');
  assert.equal(chat.watermark(), three.id + 1, 'past both now, the lost one delivered as stored');
  const history = await store.history(chat.everyone.id, { limit: 10 });
  assert.deepEqual(
    history.map((m) => m.text),
    ['one', 'stored, answer lost', 'committed after'],
  );
  await chat.deliverMissed(); // nothing in doubt any more: nothing again
  assert.deepEqual(delivered, [one.id, three.id]);
  await store.close();
});
