// #15 (found in review): a node applies the room changes made on another node (a room made, joined, left,
// kicked from) while its own requests change its rooms. It used to read every room from the store and
// replace `chat.rooms` whole for each such event: a local create, join or kick committed between that
// read and its use was lost from the node's memory:
//  1. a room made here (answered ok) was gone from this node: `members`, `group`, `history` said it did
//     not exist, and the other nodes' messages to it were not delivered to its members here;
//  2. a join whose commit settled during the reload was not applied in memory (the callback took the new
//     Room object for "deleted"), the handler threw no_such_room and retryUnknownRoom ran the join a
//     second time: a second join event was stored, or the joiner was answered an error for a join that
//     was stored;
//  3. a user kicked here during a reload kept getting the room's messages.
// Now the node reads only the room concerned and changes it in place (Chat.refreshRoom, room-sync.ts).
// Each test failed on 9bb8ec0; each assertion says what it expected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { TestClient, type Obj } from '../../helpers/client.js';
import { CLUSTER_SKIP as SKIP, withNodes } from './with-nodes.js';

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
  'rooms race: a room made on node a while node a applies rooms made on node b stays known on node a',
  { skip: SKIP, timeout: 120_000 },
  async () => {
    await withNodes(2, async ([a, b]) => {
      const owner = await TestClient.as(a!.port, 'Owner');
      const churners = [await TestClient.as(b!.port, 'C0'), await TestClient.as(b!.port, 'C1')];
      const lost: string[] = [];
      try {
        for (let i = 0; i < 30 && lost.length === 0; i++) {
          const room = `R${i}`;
          // Node b makes a few rooms (node a reads each from the store, a moment later); right after
          // its last answer, a room is made on node a. Then wait until node a lists node b's last room:
          // the reads it caused are over.
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
  "rooms race: a room made on node a while node b makes rooms gets node b's messages to its member on node a, live or at the next login",
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
          console.log('# rooms race: node a forgot no room in 40 tries (nothing to check)');
          return;
        }
        console.log(`# rooms race: node a forgot ${forgotten}, which it made and answered ok`);
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
  'rooms race: joins on node a while node b makes rooms are answered ok and stored once',
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
  'rooms race: a user kicked from a room on node a while node b makes rooms no longer gets its messages',
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
          // Node a surely knows the room and Kay in it (a read of the store after its commit) before the race.
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

test(
  'rooms race: joins, kicks and leaves on node a while users on node b join and leave the same room: node a keeps them',
  { skip: SKIP, timeout: 120_000 },
  async () => {
    await withNodes(2, async ([a, b]) => {
      const owner = await TestClient.as(a!.port, 'Owner');
      const kicked: TestClient[] = [];
      const leaving: TestClient[] = [];
      const joiners: TestClient[] = [];
      for (let i = 0; i < 4; i++) {
        kicked.push(await TestClient.as(a!.port, `K${i}`));
        leaving.push(await TestClient.as(a!.port, `L${i}`));
        joiners.push(await TestClient.as(a!.port, `J${i}`));
      }
      const churners = [await TestClient.as(b!.port, 'C0'), await TestClient.as(b!.port, 'C1')];
      const failures: string[] = [];
      try {
        for (let i = 0; i < 20 && failures.length === 0; i++) {
          const room = `T${i}`;
          const gone = [...kicked, ...leaving];
          await owner.ok({ status: 'create', receiver: room, members: gone.map((c) => c.label) });
          // Node b's users join and leave the room until stopped: node a reads that room from the store
          // for each, while on node a users join it, leave it and are kicked from it.
          let going = true;
          const churning = Promise.all(
            churners.map(async (c) => {
              while (going) {
                await c.ok({ status: 'join', receiver: room });
                await c.ok({ status: 'leave', receiver: room });
              }
            }),
          );
          const replies = await Promise.all([
            ...kicked.map((k) => owner.request({ status: 'kick', receiver: k.label, room })),
            ...leaving.map((l) => l.request({ status: 'leave', receiver: room })),
            ...joiners.map((j) => j.request({ status: 'join', receiver: room })),
          ]);
          going = false;
          await churning;
          replies.forEach((r: Obj, n) => {
            if (r.status !== 'ok') failures.push(`${room} request ${n} answered ${JSON.stringify(r)}`);
          });
          // Node b's last leaves are applied on node a once its member list lacks C0 and C1.
          let names: string[] = [];
          for (;;) {
            const listed = await owner.ok({ status: 'members', receiver: room, limit: 100 });
            names = (listed.members as Obj[]).map((m) => m.name as string);
            if (!names.includes('C0') && !names.includes('C1')) break;
            await new Promise((resolve) => setImmediate(resolve));
          }
          const expected = ['J0', 'J1', 'J2', 'J3', 'Owner'];
          if (JSON.stringify(names.sort()) !== JSON.stringify(expected))
            failures.push(`${room} members on node a: ${names.join(',')}; expected ${expected.join(',')}`);
          const said = await owner.ok({ status: 'group', receiver: room, text: `only for members ${i}` });
          for (const j of joiners) {
            const got = await j
              .event('group', { msgid: said.msgid }, 3000)
              .then(() => true)
              .catch(() => false);
            if (!got) failures.push(`${room}: ${j.label}, joined on node a, was not given msgid ${String(said.msgid)}`);
          }
          // A probe comes after the group message on one connection: once it is here, so would that be.
          for (const g of gone) {
            const probe = await owner.ok({ status: 'private', receiver: g.label, text: `probe ${i}` });
            await g.event('private', { msgid: probe.msgid });
            if (g.received.some((m: Obj) => m.msgid === said.msgid))
              failures.push(`${room}: ${g.label}, no longer a member, was given msgid ${String(said.msgid)}`);
          }
        }
        assert.deepEqual(failures, []);
      } finally {
        for (const c of [owner, ...kicked, ...leaving, ...joiners, ...churners]) await c.close();
      }
    });
  },
);
