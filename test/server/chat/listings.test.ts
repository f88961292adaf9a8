// Issue #11.6: rooms, members and who are read a page at a time (`after`, `limit`, `next`), sorted by
// name key; a client that knows nothing of pages gets the first page; every listing is charged to
// the flood budget.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestClient, type Obj } from '../../helpers/client.js';
import { startServer } from '../../helpers/server.js';

/** Every page of a listing, following `next`, with the items each reply carried under `field`. */
async function allPages(client: TestClient, request: Obj, field: string): Promise<{ items: Obj[]; pages: number }> {
  const items: Obj[] = [];
  let pages = 0;
  let after: string | undefined;
  do {
    const reply = await client.ok({ ...request, ...(after !== undefined ? { after } : {}) });
    items.push(...(reply[field] as Obj[]));
    pages++;
    after = reply.next as string | undefined;
    assert.ok(pages < 100, 'the pages end');
  } while (after !== undefined);
  return { items, pages };
}

test('#11.6 rooms, members and who come in pages that together list everything once, in name order', async () => {
  const server = await startServer();
  const users = await Promise.all(['Cara', 'abe', 'Bo', 'dan', 'Eve'].map((n) => TestClient.as(server.port, n)));
  const [cara] = users;
  const names = ['Zeta', 'alpha', 'Beta', 'gamma', 'Delta', 'eps', 'Omega'];
  for (const name of names) await cara!.ok({ status: 'create', receiver: name, members: ['abe', 'Bo', 'dan', 'Eve'] });
  const rooms = await allPages(cara!, { status: 'rooms', limit: 3 }, 'rooms');
  assert.equal(rooms.pages, 3);
  assert.deepEqual(
    rooms.items.map((r) => r.name),
    [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)),
  );
  assert.deepEqual(rooms.items[0], { name: 'alpha', members: 5, online: 5 });
  const members = await allPages(cara!, { status: 'members', receiver: 'Zeta', limit: 2 }, 'members');
  assert.deepEqual(
    members.items.map((m) => m.name),
    ['abe', 'Bo', 'Cara', 'dan', 'Eve'],
  );
  assert.ok(members.items.every((m) => m.online === true));
  const who = await allPages(cara!, { status: 'who', limit: 4 }, 'users');
  assert.equal(who.pages, 2);
  assert.deepEqual(who.items, ['abe', 'Bo', 'Cara', 'dan', 'Eve']);
  // Without `limit` (an old client): the first page, the fields it always had, and `next` only when more.
  const first = await cara!.ok({ status: 'who' });
  assert.deepEqual(first.users, ['abe', 'Bo', 'Cara', 'dan', 'Eve']);
  assert.equal(first.next, undefined);
  assert.match(String(first.text), /^5 online: abe, Bo, Cara, dan, Eve$/);
  assert.equal(
    (await cara!.ok({ status: 'rooms', after: 'zeta' })).rooms.length,
    0,
    'after the last key: an empty page',
  );
  assert.equal((await cara!.request({ status: 'rooms', limit: 501 })).code, 'bad_request', 'a page holds at most 500');
  for (const user of users) await user.close();
  await server.stop();
});

test('#11.6 without a limit a listing holds the first 100, and says where the next page starts', async () => {
  const server = await startServer();
  const owner = await TestClient.as(server.port, 'Owner');
  for (let i = 0; i < 130; i++) await owner.okReply({ status: 'create', receiver: `r${String(i).padStart(3, '0')}` });
  // Typed by the map (issue #14): `rooms` is a RoomSummary[], `next` a string when more follow.
  const reply = await owner.okReply({ status: 'rooms' });
  assert.equal(reply.rooms.length, 100);
  assert.equal(reply.next, 'r099');
  const rest = await owner.okReply({ status: 'rooms', after: reply.next });
  assert.equal(rest.rooms.length, 30);
  assert.equal(rest.rooms[0]?.name, 'r100');
  assert.equal(rest.next, undefined);
  await owner.close();
  await server.stop();
});

test('#11.6 rooms, members, who and files are charged to the flood budget', async () => {
  const server = await startServer({ limits: { floodBurst: 4, floodRate: 0.5 } });
  const reader = await TestClient.as(server.port, 'Reader');
  await reader.ok({ status: 'rooms' });
  await reader.ok({ status: 'who' });
  await reader.ok({ status: 'files' });
  assert.equal((await reader.request({ status: 'members', receiver: 'nowhere' })).code, 'no_such_room');
  // Four listings spent the burst of 4: the fifth waits.
  const after = await reader.request({ status: 'rooms' });
  assert.equal(after.code, 'rate_limited', JSON.stringify(after));
  assert.ok(Number(after.retry_after_ms) > 0);
  await reader.ok({ status: 'ping' }); // not a listing: not charged
  await reader.close();
  await server.stop();
});
