// Review of #15 (h-review3): Chat.reloadRooms() replaces `chat.rooms` whole with what the store held when
// it read it. On a joined node the cluster feed calls it for every room made or joined on ANOTHER node
// (remote-delivery.ts, roomsChangeBefore). A local change committed while such a reload is under way
// (read before the commit, assigned after it) is lost from this node's memory:
//  1. a room made here (answered ok) is gone from this node: `members`, `group`, `history` say it does
//     not exist, and the other nodes' messages to it are not delivered to its members here;
//  2. a join whose commit settles during the reload is not applied in memory (the callback takes the new
//     Room object for "deleted"), the handler throws no_such_room and retryUnknownRoom runs the join a
//     second time: a second join event is stored, or the joiner is answered an error for a join that
//     was stored.
// Each test fails on 9bb8ec0; each assertion says what it expected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { TestClient, type Obj } from '../../../helpers/client.js';
import { CLUSTER_SKIP as SKIP, withNodes } from '../with-nodes.js';

/** Node b makes rooms one after another until stopped: each makes node a read its rooms again. */
function churn(clients: TestClient[], tag: string): { stop(): Promise<void> } {
  let going = true;
  const done = (async () => {
    for (let n = 0; going; n++) await clients[n % clients.length]!.ok({ status: 'create', receiver: `${tag}x${n}` });
  })();
  return {
    stop: async () => {
      going = false;
      await done;
    },
  };
}

test(
  'review3: a room made on node a while node a reloads its rooms (a room made on node b) stays known on node a',
  { skip: SKIP, timeout: 120_000 },
  async () => {
    await withNodes(2, async ([a, b]) => {
      const owner = await TestClient.as(a!.port, 'Owner');
      const churners = [await TestClient.as(b!.port, 'C0'), await TestClient.as(b!.port, 'C1')];
      const lost: string[] = [];
      try {
        for (let i = 0; i < 30 && lost.length === 0; i++) {
          const room = `R${i}`;
          // Node b makes a few rooms (node a reloads its rooms for each, a moment later); right after
          // its last answer, a room is made on node a. Then wait until node a lists node b's last room:
          // the reloads it caused are over.
          let last = '';
          for (let n = 0; n < 3; n++) {
            last = `S${i}x${n}`;
            await churners[n % 2]!.ok({ status: 'create', receiver: last });
          }
          await owner.ok({ status: 'create', receiver: room, members: ['C0'] });
          for (;;) {
            const listed = await owner.ok({ status: 'rooms', limit: 200 });
            if ((listed.rooms as Obj[]).some((r) => r.name === last)) break;
            await new Promise((resolve) => setImmediate(resolve));
          }
          const members = await owner.request({ status: 'members', receiver: room });
          if (members.status !== 'ok') lost.push(`${room}: ${JSON.stringify(members)}`);
        }
        assert.deepEqual(lost, [], 'rooms made and answered ok on node a, then unknown on node a');
      } finally {
        for (const c of [owner, ...churners]) await c.close();
      }
    });
  },
);

test(
  'review3: a room forgotten by node a: a message posted to it on node b reaches its member on node a, live or at the next login',
  { skip: SKIP, timeout: 120_000 },
  async () => {
    await withNodes(2, async ([a, b]) => {
      let owner = await TestClient.as(a!.port, 'Owner');
      const churners = [await TestClient.as(b!.port, 'C0'), await TestClient.as(b!.port, 'C1')];
      try {
        let forgotten: string | null = null;
        for (let i = 0; i < 40 && forgotten === null; i++) {
          let last = '';
          for (let n = 0; n < 3; n++) {
            last = `S${i}x${n}`;
            await churners[n % 2]!.ok({ status: 'create', receiver: last });
          }
          await owner.ok({ status: 'create', receiver: `R${i}`, members: ['C0'] });
          await churners[0]!.event('system', { event: 'created', receiver: `R${i}` });
          for (;;) {
            const listed = await owner.ok({ status: 'rooms', limit: 200 });
            if ((listed.rooms as Obj[]).some((r) => r.name === last)) break;
            await new Promise((resolve) => setImmediate(resolve));
          }
          const members = await owner.request({ status: 'members', receiver: `R${i}` });
          if (members.status !== 'ok') forgotten = `R${i}`;
        }
        if (forgotten === null) {
          console.log('# review3: the race was not hit in 40 tries (nothing shown)');
          return;
        }
        console.log(`# review3: node a forgot ${forgotten}, which it made and answered ok`);
        const posted = await churners[0]!.ok({ status: 'group', receiver: forgotten, text: 'did you get this?' });
        const live = await owner
          .event('group', { msgid: posted.msgid }, 3000)
          .then(() => true)
          .catch(() => false);
        // Owner logs out (its cursors move to node a's watermark, past the message) and back in.
        await owner.ok({ status: 'exit' });
        await owner.closed;
        owner = await TestClient.back(a!.port, owner);
        const atLogin = await owner
          .event('group', { msgid: posted.msgid }, 5000)
          .then(() => true)
          .catch(() => false);
        assert.ok(
          live || atLogin,
          `msgid ${String(posted.msgid)} to ${forgotten}, stored: delivered live ${live}, at login ${atLogin}`,
        );
      } finally {
        for (const c of [owner, ...churners]) await c.close();
      }
    });
  },
);

test(
  'review3: joins on node a while node b makes rooms are answered ok and stored once',
  { skip: SKIP, timeout: 120_000 },
  async () => {
    await withNodes(2, async ([a, b], storeUrl) => {
      const owner = await TestClient.as(a!.port, 'Owner');
      const joiners: TestClient[] = [];
      for (let i = 0; i < 10; i++) joiners.push(await TestClient.as(a!.port, `J${i}`));
      const churners = [await TestClient.as(b!.port, 'C0'), await TestClient.as(b!.port, 'C1')];
      const db = new pg.Client({ connectionString: storeUrl });
      await db.connect();
      const failures: string[] = [];
      try {
        for (let round = 0; round < 25; round++) {
          const room = `R${round}`;
          // Made before node b starts; a room made on node b after it makes node a read its rooms again,
          // so node a surely knows it (the first test's race aside) once it lists both.
          await owner.ok({ status: 'create', receiver: room });
          await churners[0]!.ok({ status: 'create', receiver: `M${round}` });
          for (;;) {
            const names = ((await owner.ok({ status: 'rooms', limit: 200 })).rooms as Obj[]).map((r) => r.name);
            if (names.includes(room) && names.includes(`M${round}`)) break;
            await new Promise((resolve) => setImmediate(resolve));
          }
          const background = churn(churners, `S${round}`);
          const replies = await Promise.all(joiners.map((j) => j.request({ status: 'join', receiver: room })));
          await background.stop();
          replies.forEach((r: Obj, i) => {
            if (r.status !== 'ok') failures.push(`${room} J${i} answered ${JSON.stringify(r)}`);
          });
          const { rows } = await db.query<{ sender: string; n: string }>(
            `SELECT m.sender, count(*) AS n FROM messages m JOIN conversations c ON c.id = m.conv_id
             WHERE c.name = $1 AND m.event = 'join' GROUP BY m.sender`,
            [room],
          );
          for (const { sender, n } of rows)
            if (Number(n) !== 1) failures.push(`${room}: ${sender}'s join stored ${n} times`);
        }
        assert.deepEqual(failures, []);
      } finally {
        await db.end();
        for (const c of [owner, ...joiners, ...churners]) await c.close();
      }
    });
  },
);

test(
  'review3: a user kicked from a room on node a while node a reloads its rooms no longer gets its messages',
  { skip: SKIP, timeout: 120_000 },
  async () => {
    await withNodes(2, async ([a, b]) => {
      const owner = await TestClient.as(a!.port, 'Owner');
      const kicked = await TestClient.as(a!.port, 'Kay');
      const churners = [await TestClient.as(b!.port, 'C0'), await TestClient.as(b!.port, 'C1')];
      const leaks: string[] = [];
      try {
        for (let i = 0; i < 30 && leaks.length === 0; i++) {
          const room = `K${i}`;
          await owner.ok({ status: 'create', receiver: room, members: ['Kay'] });
          // Node a surely knows the room and Kay in it (a reload after its commit) before the race.
          await churners[0]!.ok({ status: 'create', receiver: `M${i}` });
          for (;;) {
            const names = ((await owner.ok({ status: 'rooms', limit: 200 })).rooms as Obj[]).map((r) => r.name);
            if (names.includes(room) && names.includes(`M${i}`)) break;
            await new Promise((resolve) => setImmediate(resolve));
          }
          let last = '';
          for (let n = 0; n < 3; n++) {
            last = `S${i}x${n}`;
            await churners[n % 2]!.ok({ status: 'create', receiver: last });
          }
          await owner.ok({ status: 'kick', receiver: 'Kay', room });
          for (;;) {
            const names = ((await owner.ok({ status: 'rooms', limit: 200 })).rooms as Obj[]).map((r) => r.name);
            if (names.includes(last)) break;
            await new Promise((resolve) => setImmediate(resolve));
          }
          const said = await owner.ok({ status: 'group', receiver: room, text: `only for members ${i}` });
          // Kay's own probe: a private message from the owner after the group message, so that once it
          // arrives, the group message would have too (one connection, msgid order).
          const probe = await owner.ok({ status: 'private', receiver: 'Kay', text: `probe ${i}` });
          await kicked.event('private', { msgid: probe.msgid });
          if (kicked.received.some((m: Obj) => m.msgid === said.msgid))
            leaks.push(`${room}: msgid ${String(said.msgid)}`);
        }
        assert.deepEqual(leaks, [], "a kicked user was given the room's messages");
      } finally {
        for (const c of [owner, kicked, ...churners]) await c.close();
      }
    });
  },
);
