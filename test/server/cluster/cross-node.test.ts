// What a client sees of users on other nodes (#15): presence events and `who`, the `queued` flag, kicks,
// mutes and deletes by an admin on another node, and a room made a moment ago on another node. Real
// servers joined by Redis on one fresh PostgreSQL schema each (with-nodes.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Redis } from 'ioredis';
import { DEFAULT_REGISTRY_TIMING } from '../../../src/server/bus/name-registry.js';
import { TestClient, type Obj } from '../../helpers/client.js';
import { expectClosed, expectError } from '../../helpers/expect.js';
import { runAdmin } from '../../helpers/server.js';
import { CLUSTER_SKIP as SKIP, withNodes, withOneUserPerNode } from './with-nodes.js';

/** The names `who` lists on `client`'s node, and how many it says are online. */
async function who(client: TestClient, extra: Obj = {}): Promise<{ users: string[]; online: number; next?: string }> {
  const reply = await client.ok({ status: 'who', ...extra });
  return { users: reply.users as string[], online: reply.online as number, next: reply.next as string | undefined };
}

/**
 * Asks `who` on `client`'s node until `name` is listed (or no longer, with `listed` false). Another node's
 * login reaches this one over the bus a moment after its welcome: a round trip at a time, no sleep.
 */
async function untilListed(client: TestClient, name: string, listed = true, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while ((await who(client)).users.includes(name) !== listed) {
    assert.ok(performance.now() < deadline, `${client.label}: ${name} ${listed ? 'never listed' : 'still listed'}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test(
  '#15 presence across nodes: contacts on another node get connect and disconnect, who/members/users list every node',
  { skip: SKIP, timeout: 60_000 },
  async () => {
    await withNodes(2, async ([a, b]) => {
      const bob = await TestClient.as(b!.port, 'Bob');
      const alice = await TestClient.as(a!.port, 'Alice');
      const carol = await TestClient.as(a!.port, 'Carol');
      let bobBack: TestClient | null = null;
      try {
        await alice.ok({ status: 'create', receiver: 'Study', members: ['Bob'] });
        await bob.event('system', { event: 'created', receiver: 'Study' });

        await bob.ok({ status: 'exit' });
        await bob.closed;
        const left = await alice.event('system', { event: 'disconnect', sender: 'Bob' });
        assert.equal(left.text, 'Bob has left the chat');
        assert.deepEqual((await who(alice)).users, ['Alice', 'Carol']);

        bobBack = await TestClient.back(b!.port, bob);
        const came = await alice.event('system', { event: 'connect', sender: 'Bob' });
        assert.equal(came.text, 'Bob is online');
        // Told once the node knows: its `who` lists him at once, with this node's users, in name order.
        assert.deepEqual(await who(alice), { users: ['Alice', 'Bob', 'Carol'], online: 3, next: undefined });
        // Pages over both nodes' users.
        const first = await who(alice, { limit: 2 });
        assert.deepEqual([first.users, first.next], [['Alice', 'Bob'], 'bob']);
        assert.deepEqual((await who(alice, { limit: 2, after: first.next })).users, ['Carol']);
        // Node b lists the users of node a too.
        await untilListed(bobBack, 'Carol');
        assert.deepEqual((await who(bobBack)).users, ['Alice', 'Bob', 'Carol']);
        const members = await alice.ok({ status: 'members', receiver: 'Study' });
        assert.deepEqual(members.members, [
          { name: 'Alice', online: true },
          { name: 'Bob', online: true },
        ]);
        const rooms = await alice.ok({ status: 'rooms' });
        assert.deepEqual(rooms.rooms, [{ name: 'Study', members: 2, online: 2 }]);
        const users = await alice.ok({ status: 'users' });
        assert.ok(
          (users.users as Obj[]).some((u) => u.name === 'Bob' && u.online === true),
          JSON.stringify(users),
        );
        // Carol is no contact of Bob's: she was told nothing, as on one node.
        assert.equal(carol.received.filter((m: Obj) => m.event === 'connect' || m.event === 'disconnect').length, 0);
      } finally {
        for (const client of [alice, bob, carol, bobBack]) await client?.close();
      }
    });
  },
);

test(
  '#15 a node that dies without a word: its users drop out of who elsewhere, with disconnect events, within the bound',
  { skip: SKIP, timeout: 60_000 },
  async () => {
    await withOneUserPerNode(['Alice', 'Bob'], async ([alice, bob], [, b]) => {
      // Partners: Bob is Alice's contact through their private conversation.
      const hi = await bob.ok({ status: 'private', receiver: 'Alice', text: 'hi' });
      await alice.event('private', { msgid: hi.msgid });
      await untilListed(alice, 'Bob');
      // Node b falls silent as kill -9 would leave it: its bus is gone, its presence says nothing more,
      // its names stay in the registry until its mark expires (its sockets stay open here, in the
      // test's process, and are closed at the end).
      const silentAt = performance.now();
      await b!.server.cluster!.close({ keepNames: true });
      // The registry's TTL after the last beats (which came before the silence), plus the sweep's second.
      const bound = DEFAULT_REGISTRY_TIMING.ttlMs + 1500;
      await alice.event('system', { event: 'disconnect', sender: 'Bob' }, bound + 2000);
      const ms = performance.now() - silentAt;
      console.log(`# #15 a silent node's user dropped ${Math.round(ms)} ms after its last word`);
      assert.ok(ms <= bound, `dropped after ${Math.round(ms)} ms, more than ${bound}`);
      assert.deepEqual((await who(alice)).users, ['Alice']);
      const sent = await alice.ok({ status: 'private', receiver: 'Bob', text: 'are you there?' });
      assert.equal(sent.queued, true, 'Bob is offline everywhere now');
    });
  },
);

test(
  '#15 a node whose own bus is cut past the TTL keeps the others listed: the registry says they are alive',
  { skip: SKIP, timeout: 60_000 },
  async () => {
    await withOneUserPerNode(['Alice', 'Bob'], async ([alice, bob], [a]) => {
      const bus = a!.server.cluster!.bus as unknown as { sub: Redis };
      try {
        const hi = await bob.ok({ status: 'private', receiver: 'Alice', text: 'hi' });
        await alice.event('private', { msgid: hi.msgid });
        await untilListed(alice, 'Bob');
        // Node a hears no beat of b's for longer than the TTL (until its sweep has looked at b); its
        // registry connection still answers, and says b holds Bob's name.
        bus.sub.disconnect(false);
        const presence = a!.server.cluster!.presence;
        const deadline = performance.now() + DEFAULT_REGISTRY_TIMING.ttlMs + 5000;
        while (presence.keptAlive === 0) {
          assert.ok(performance.now() < deadline, 'node a never looked at the silent node');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.deepEqual((await who(alice)).users, ['Alice', 'Bob'], 'Bob is still listed');
        await bus.sub.connect();
        const fence = await bob.ok({ status: 'private', receiver: 'Alice', text: 'still here' });
        await alice.event('private', { msgid: fence.msgid });
        const told = alice.received.filter((m: Obj) => m.event === 'disconnect' || m.event === 'connect');
        assert.deepEqual(told, [], 'no presence event for a node that never left');
      } finally {
        if (bus.sub.status !== 'ready') await bus.sub.connect().catch(() => {});
      }
    });
  },
);

test(
  '#15 a private message to a user online on another node is not queued; offline everywhere, it is',
  { skip: SKIP, timeout: 60_000 },
  async () => {
    await withOneUserPerNode(['Alice', 'Bob'], async ([alice, bob]) => {
      // Bob's node told of his login before it published this message: node a knows he is online.
      const hi = await bob.ok({ status: 'private', receiver: 'Alice', text: 'hi' });
      await alice.event('private', { msgid: hi.msgid });
      const live = await alice.ok({ status: 'private', receiver: 'Bob', text: 'live' });
      assert.equal(live.queued, undefined, JSON.stringify(live));
      assert.equal(live.text, undefined, 'no "is offline" note');
      await bob.event('private', { msgid: live.msgid });

      await bob.ok({ status: 'exit' });
      await alice.event('system', { event: 'disconnect', sender: 'Bob' });
      const later = await alice.ok({ status: 'private', receiver: 'Bob', text: 'later' });
      assert.equal(later.queued, true);
    });
  },
);

/** Nodes a and b with an admin, Prof, logged in on a; `body` runs with them. */
async function withAdminOnA(
  body: (a: number, b: number, prof: TestClient, storeUrl: string, dataDir: string) => Promise<void>,
): Promise<void> {
  await withNodes(2, async ([a, b], storeUrl) => {
    const made = await runAdmin(a!.dataDir, ['add-user', 'Prof', '--admin', '--store', storeUrl], 'professor pw\n');
    assert.equal(made.code, 0, made.stderr);
    const prof = await TestClient.connect(a!.port, 'Prof');
    try {
      await prof.ok({ status: 'login', sender: 'Prof', password: 'professor pw' });
      await body(a!.port, b!.port, prof, storeUrl, a!.dataDir);
    } finally {
      await prof.close();
    }
  });
}

test('#15 an admin on one node mutes and unmutes a user on another', { skip: SKIP, timeout: 60_000 }, async () => {
  await withAdminOnA(async (_a, b, prof) => {
    const bob = await TestClient.as(b, 'Bob');
    try {
      await prof.ok({ status: 'create', receiver: 'Lab', members: ['Bob'] });
      await bob.event('system', { event: 'created', receiver: 'Lab' });
      await prof.ok({ status: 'mute', receiver: 'Bob', seconds: 600, text: 'cool down' });
      const muted = await bob.event('system', { event: 'muted' });
      assert.match(muted.text as string, /Prof muted you for 600 s: cool down/);
      await expectError(bob, { status: 'group', receiver: 'Lab', text: 'let me talk' }, 'muted');
      await prof.ok({ status: 'mute', receiver: 'Bob', seconds: 0 });
      await bob.event('system', { event: 'muted', text: 'Prof lifted your mute' });
      await bob.ok({ status: 'group', receiver: 'Lab', text: 'thanks' });
    } finally {
      await bob.close();
    }
  });
});

test('#15 a room deleted on one node: its members on another are told', { skip: SKIP, timeout: 60_000 }, async () => {
  await withAdminOnA(async (_a, b, prof) => {
    const bob = await TestClient.as(b, 'Bob');
    try {
      await prof.ok({ status: 'create', receiver: 'Lab', members: ['Bob'] });
      await bob.event('system', { event: 'created', receiver: 'Lab' });
      await prof.ok({ status: 'delete', receiver: 'Lab' });
      const deleted = await bob.event('system', { event: 'deleted', receiver: 'Lab' });
      assert.equal(deleted.text, 'Prof deleted Lab');
      await expectError(bob, { status: 'group', receiver: 'Lab', text: 'anyone?' }, 'no_such_room');
    } finally {
      await bob.close();
    }
  });
});

test('#15 an admin on one node kicks a user off another', { skip: SKIP, timeout: 60_000 }, async () => {
  await withAdminOnA(async (_a, b, prof) => {
    const bob = await TestClient.as(b, 'Bob');
    try {
      // Bob's node told of his login before it published this message: node a knows he is online.
      const hi = await bob.ok({ status: 'private', receiver: 'Prof', text: 'hello' });
      await prof.event('private', { msgid: hi.msgid });
      await prof.ok({ status: 'kick', receiver: 'Bob', text: 'enough' });
      const kicked = await bob.waitFor((m) => m.code === 'kicked', 10_000, 'the kick notice');
      assert.match(kicked.text as string, /Prof removed you from the server: enough/);
      await expectClosed(bob);
      await untilListed(prof, 'Bob', false);
      await expectError(prof, { status: 'kick', receiver: 'Bob' }, 'no_such_user');
    } finally {
      await bob.close();
    }
  });
});

test(
  '#15 classchat admin against the database reaches sessions on every node (each node polls admin_events)',
  { skip: SKIP, timeout: 60_000 },
  async () => {
    await withAdminOnA(async (_a, b, _prof, storeUrl, dataDir) => {
      const carol = await TestClient.as(b, 'Carol');
      try {
        const revoked = await runAdmin(dataDir, ['revoke-tokens', 'Carol', '--store', storeUrl]);
        assert.equal(revoked.code, 0, revoked.stderr);
        await carol.waitFor((m) => m.code === 'logged_out', 10_000, 'logged out');
        await expectClosed(carol);
      } finally {
        await carol.close();
      }
    });
  },
);

test(
  '#15 a join on a node the feed has not told of a room yet looks in the store: one join, not no_such_room',
  { skip: SKIP, timeout: 60_000 },
  async () => {
    await withOneUserPerNode(['Alice', 'Carol'], async ([alice, carol], [, c]) => {
      const bus = c!.server.cluster!.bus as unknown as { sub: Redis };
      try {
        // Node c hears nothing from the bus: the room's `created` never reaches it that way.
        bus.sub.disconnect(false);
        await alice.ok({ status: 'create', receiver: 'Study' });
        const joined = await carol.request({ status: 'join', receiver: 'Study' });
        assert.equal(joined.status, 'ok', JSON.stringify(joined));
        await carol.ok({ status: 'group', receiver: 'Study', text: 'here' });
        await expectError(carol, { status: 'join', receiver: 'Nowhere' }, 'no_such_room');
      } finally {
        if (bus.sub.status !== 'ready') await bus.sub.connect().catch(() => {});
      }
    });
  },
);

test("#15 a broadcast's delivered counts the users online on every node", { skip: SKIP, timeout: 60_000 }, async () => {
  await withNodes(2, async ([a, b]) => {
    const alice = await TestClient.as(a!.port, 'Alice');
    const carol = await TestClient.as(a!.port, 'Carol');
    const bob = await TestClient.as(b!.port, 'Bob');
    const dan = await TestClient.as(b!.port, 'Dan');
    try {
      await untilListed(alice, 'Bob');
      await untilListed(alice, 'Dan');
      // Three others online, one on this node and two on the other: all three get it now.
      const everyone = await alice.ok({ status: 'broadcast', text: 'hello all' });
      assert.equal(everyone.delivered, 3, JSON.stringify(everyone));
      for (const client of [carol, bob, dan]) await client.event('broadcast', { msgid: everyone.msgid });

      // Bob leaves the chat: offline everywhere, he no longer counts (he gets it at his next login).
      await bob.ok({ status: 'exit' });
      await untilListed(alice, 'Bob', false);
      const later = await alice.ok({ status: 'broadcast', text: 'Bob is gone' });
      assert.equal(later.delivered, 2, JSON.stringify(later));
      for (const client of [carol, dan]) await client.event('broadcast', { msgid: later.msgid });
    } finally {
      for (const client of [alice, carol, bob, dan]) await client.close();
    }
  });
});

test(
  '#15 maxQueuedBytes holds across nodes: what waits for an offline user is counted on every node, and cleared when they log in anywhere',
  { skip: SKIP, timeout: 60_000 },
  async () => {
    const text = (tag: string) => `${tag} `.padEnd(4000, 'q');
    await withNodes(
      3,
      async ([a, b, c]) => {
        const bob = await TestClient.as(c!.port, 'Bob');
        await bob.ok({ status: 'exit' });
        await bob.closed;
        const alice = await TestClient.as(a!.port, 'Alice');
        const carol = await TestClient.as(b!.port, 'Carol');
        const dan = await TestClient.as(c!.port, 'Dan');
        let bobBack: TestClient | null = null;
        /** A broadcast from `from` that every other client has received: its node's earlier messages too. */
        const seenEverywhere = async (from: TestClient) => {
          const sent = await from.ok({ status: 'broadcast', text: 'sync' });
          for (const client of [alice, carol, dan])
            if (client !== from) await client.event('broadcast', { msgid: sent.msgid });
        };
        try {
          for (const client of [alice, carol, dan]) await untilListed(client, 'Bob', false);
          // Two senders on two nodes fill Bob's queue to 8000 of its 10000 bytes.
          assert.equal((await alice.ok({ status: 'private', receiver: 'Bob', text: text('a1') })).queued, true);
          await seenEverywhere(alice);
          assert.equal((await carol.ok({ status: 'private', receiver: 'Bob', text: text('c1') })).queued, true);
          await seenEverywhere(carol);
          // Each node counts both: a third message is refused on every node, the one that sent neither too.
          for (const sender of [alice, carol, dan]) {
            const full = await expectError(
              sender,
              { status: 'private', receiver: 'Bob', text: text('x') },
              'queue_full',
            );
            assert.match(full.text, /Bob is offline and 8 KiB already wait/);
          }

          // Bob logs in on node c and gets what waited; every node knows it and counts from zero again.
          bobBack = await TestClient.back(c!.port, bob);
          const got = [
            await bobBack.event('private', { sender: 'Alice' }),
            await bobBack.event('private', { sender: 'Carol' }),
          ];
          assert.deepEqual(
            got.map((m) => (m.text as string).slice(0, 2)),
            ['a1', 'c1'],
          );
          for (const client of [alice, carol]) await untilListed(client, 'Bob');
          await bobBack.ok({ status: 'exit' });
          await bobBack.closed;
          for (const client of [alice, carol, dan]) await untilListed(client, 'Bob', false);
          assert.equal((await alice.ok({ status: 'private', receiver: 'Bob', text: text('a2') })).queued, true);
          await seenEverywhere(alice);
          assert.equal((await carol.ok({ status: 'private', receiver: 'Bob', text: text('c2') })).queued, true);
        } finally {
          for (const client of [alice, carol, dan, bob, bobBack]) await client?.close();
        }
      },
      { limits: { maxQueuedBytes: 10_000 } },
    );
  },
);
