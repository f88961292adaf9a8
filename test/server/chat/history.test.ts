// History: a page of a conversation, oldest first within the page; without before/after it is the
// newest page. A room (members only), a private conversation (named by the other user) or everyone.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient, type Obj } from '../../helpers/client.js';
import { expectError } from '../../helpers/expect.js';
import { startServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

const seqs = (page: Obj) => page.messages.map((m: Obj) => m.seq);

test('private history is addressed by the other user, newest page first, paged with before and after', async () => {
  const ann = await TestClient.as(server.port, 'HpAnn');
  const bo = await TestClient.as(server.port, 'HpBo');
  // Seven messages, alternating directions.
  const live: Obj[] = [];
  for (let i = 1; i <= 7; i++) {
    const [from, to] = i % 2 === 1 ? [ann, bo] : [bo, ann];
    const sent = await from.ok({ status: 'private', receiver: to.label, text: `message ${i}` });
    assert.equal(sent.seq, i, 'a private conversation numbers its messages from 1');
    live.push(await to.event('private', { msgid: sent.msgid }));
  }

  // The newest page, oldest first within it.
  const newest = await ann.ok({ status: 'history', receiver: 'HpBo', limit: 3 });
  assert.equal(newest.receiver, 'HpBo');
  assert.deepEqual(seqs(newest), [5, 6, 7]);
  assert.equal(newest.more, true);
  // Messages in history are exactly what was delivered live.
  assert.deepEqual(newest.messages, live.slice(4, 7));

  // Older pages with before.
  const older = await ann.ok({ status: 'history', receiver: 'HpBo', limit: 3, before: newest.messages[0]!.seq });
  assert.deepEqual(seqs(older), [2, 3, 4]);
  const oldest = await ann.ok({ status: 'history', receiver: 'HpBo', limit: 3, before: older.messages[0].seq });
  assert.deepEqual(seqs(oldest), [1]);
  assert.equal(oldest.more, false);
  assert.deepEqual(oldest.messages, live.slice(0, 1));

  // Catching up with after (oldest first), and a window with both.
  assert.deepEqual(seqs(await ann.ok({ status: 'history', receiver: 'HpBo', limit: 2, after: 4 })), [5, 6]);
  assert.deepEqual(seqs(await ann.ok({ status: 'history', receiver: 'HpBo', after: 2, before: 6 })), [3, 4, 5]);
  const none = await ann.ok({ status: 'history', receiver: 'HpBo', after: 7 });
  assert.deepEqual(none.messages, []);
  assert.equal(none.more, false);

  // The other side reads the same conversation by the first user's name (any case).
  const theirs = await bo.ok({ status: 'history', receiver: 'hpann' });
  assert.equal(theirs.receiver, 'HpAnn');
  assert.deepEqual(theirs.messages, live);
  assert.equal(theirs.more, false);
  assert.deepEqual(
    theirs.messages.map((m: Obj) => [m.sender, m.receiver, m.text]),
    live.map((_, i) => (i % 2 === 0 ? ['HpAnn', 'HpBo', `message ${i + 1}`] : ['HpBo', 'HpAnn', `message ${i + 1}`])),
  );
  await Promise.all([ann.close(), bo.close()]);
});

test('history of a user never written to is empty; of an unknown name is no_such_user', async () => {
  const ann = await TestClient.as(server.port, 'HeAnn');
  const cy = await TestClient.as(server.port, 'HeCy');
  const empty = await ann.ok({ status: 'history', receiver: 'HeCy' });
  assert.deepEqual(empty.messages, []);
  assert.equal(empty.more, false);
  await expectError(ann, { status: 'history', receiver: 'Nobody-here' }, 'no_such_user');
  // A third user cannot read someone else's private conversation: naming a user means "my chat with them".
  const bo = await TestClient.as(server.port, 'HeBo');
  await ann.ok({ status: 'private', receiver: 'HeCy', text: 'between us' });
  const outsider = await bo.ok({ status: 'history', receiver: 'HeCy' });
  assert.deepEqual(outsider.messages, []);
  await Promise.all([ann.close(), bo.close(), cy.close()]);
});

test('room history is for members only, and includes the join and leave notices', async () => {
  const ann = await TestClient.as(server.port, 'HrAnn');
  const bo = await TestClient.as(server.port, 'HrBo');
  const out = await TestClient.as(server.port, 'HrOut');
  await ann.ok({ status: 'create', receiver: 'Archive' });
  await bo.ok({ status: 'join', receiver: 'Archive' });
  const one = await ann.ok({ status: 'group', receiver: 'Archive', text: 'one' });
  const two = await bo.ok({ status: 'group', receiver: 'Archive', text: 'two' });

  await expectError(out, { status: 'history', receiver: 'Archive' }, 'not_a_member');
  const page = await bo.ok({ status: 'history', receiver: 'archive' });
  assert.equal(page.receiver, 'Archive');
  assert.deepEqual(
    page.messages.map((m: Obj) => [m.seq, m.status, m.event ?? null, m.sender, m.text]),
    [
      [1, 'system', 'created', 'HrAnn', page.messages[0].text],
      [2, 'system', 'join', 'HrBo', page.messages[1].text],
      [3, 'group', null, 'HrAnn', 'one'],
      [4, 'group', null, 'HrBo', 'two'],
    ],
  );
  assert.deepEqual([page.messages[2].msgid, page.messages[3].msgid], [one.msgid, two.msgid]);
  assert.deepEqual([page.messages[2].ts, page.messages[3].ts], [one.ts, two.ts]);

  // Paging a room works like any conversation.
  assert.deepEqual(seqs(await ann.ok({ status: 'history', receiver: 'Archive', limit: 2 })), [3, 4]);
  assert.deepEqual(seqs(await ann.ok({ status: 'history', receiver: 'Archive', limit: 2, before: 3 })), [1, 2]);

  // A member who leaves can no longer read it.
  await bo.ok({ status: 'leave', receiver: 'Archive' });
  await expectError(bo, { status: 'history', receiver: 'Archive' }, 'not_a_member');
  const withLeave = await ann.ok({ status: 'history', receiver: 'Archive', after: 4 });
  assert.deepEqual(
    withLeave.messages.map((m: Obj) => [m.event, m.sender]),
    [['leave', 'HrBo']],
  );
  await ann.ok({ status: 'leave', receiver: 'Archive' });
  await Promise.all([ann.close(), bo.close(), out.close()]);
});

test('everyone history holds the broadcasts, readable by any user, even one who was not online', async () => {
  const fresh = await startServer();
  try {
    const ann = await TestClient.as(fresh.port, 'Ann');
    const bo = await TestClient.as(fresh.port, 'Bo');
    const first = await ann.ok({ status: 'broadcast', text: 'first to all' });
    const second = await bo.ok({ status: 'broadcast', text: 'second to all' });
    await ann.ok({ status: 'private', receiver: 'Bo', text: 'not a broadcast' });

    const late = await TestClient.as(fresh.port, 'Late');
    const page = await late.ok({ status: 'history', receiver: 'everyone' });
    assert.equal(page.receiver, 'everyone');
    assert.deepEqual(
      page.messages.map((m: Obj) => [m.status, m.sender, m.receiver, m.text, m.msgid, m.seq]),
      [
        ['broadcast', 'Ann', 'everyone', 'first to all', first.msgid, 1],
        ['broadcast', 'Bo', 'everyone', 'second to all', second.msgid, 2],
      ],
    );
    assert.deepEqual(seqs(await late.ok({ status: 'history', receiver: 'EVERYONE', limit: 1 })), [2]);
    await Promise.all([ann.close(), bo.close(), late.close()]);
  } finally {
    await fresh.stop();
  }
});
