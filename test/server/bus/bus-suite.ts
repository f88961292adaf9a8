/**
 * The Bus contract (issue #15, design §4.4): one suite, run against every backend (local-bus.test.ts,
 * redis.test.ts), so a new backend is added by passing it. `makeBus(cluster, nodeId)` makes one node's
 * bus; buses made with the same `cluster` reach each other, and no other cluster.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { Bus } from '../../../src/server/bus/bus.js';
import { uniqueName } from '../../helpers/services.js';
import { GapLog, Inbox } from './inbox.js';

export type MakeBus = (cluster: string, nodeId: string) => Bus;

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Socket and timer handles of this process, to show a closed bus left none behind. */
function handleCount(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout').length;
}

export function busSuite(name: string, makeBus: MakeBus, skip: string | false = false): void {
  describe(`#15 bus contract: ${name}`, { skip }, () => {
    const open: Bus[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((bus) => bus.close()));
    });

    function cluster(...nodes: string[]): Bus[] {
      const id = uniqueName('bus');
      const buses = nodes.map((node) => makeBus(id, node));
      open.push(...buses);
      return buses;
    }

    test("a publish reaches every subscriber on every node once, in each publisher's order, and no gap is reported", async () => {
      const buses = cluster('a', 'b', 'c');
      const inboxes = buses.map(() => new Inbox());
      const second = new Inbox(); // a second handler of the same topic on node b
      const gaps = buses.map(() => new GapLog());
      buses.forEach((bus, i) => bus.onGap(gaps[i]!.listener));
      await Promise.all(buses.map((bus, i) => bus.subscribe('room', inboxes[i]!.handler)));
      await buses[1]!.subscribe('room', second.handler);

      const count = 200;
      // Interleaved: a0 b0 c0 a1 b1 c1 …, so each node's inbox mixes three publishers.
      for (let i = 0; i < count; i++) for (const bus of buses) bus.publish('room', bytes(`${bus.nodeId}${i}`));
      const sequence = (node: string) => Array.from({ length: count }, (_, i) => `${node}${i}`);
      const everything = (inbox: Inbox) => inbox.received.length >= 3 * count;
      await Promise.all(
        [...inboxes, second].map((inbox, i) => inbox.until(() => everything(inbox), `inbox ${i} complete`)),
      );
      // Each publisher's last message has arrived everywhere: with per-publisher order, so has everything
      // before it. One more round trip lets a duplicate that was on its way show.
      buses[0]!.publish('room', bytes('end'));
      await Promise.all([...inboxes.slice(1), second].map((inbox) => inbox.untilText('end')));

      for (const inbox of [...inboxes, second]) {
        for (const node of ['a', 'b', 'c'])
          assert.deepEqual(inbox.from(node), node === 'a' ? [...sequence('a'), 'end'] : sequence(node));
      }
      assert.deepEqual(
        gaps.map((g) => g.gaps),
        [[], [], []],
        'nothing was lost, so no gap',
      );
    });

    test('own messages are delivered locally at once, in publish order, and never a second time', async () => {
      const [a, b] = cluster('a', 'b');
      const atA = new Inbox();
      const atB = new Inbox();
      await a!.subscribe('t', atA.handler);
      await b!.subscribe('t', atB.handler);
      a!.publish('t', bytes('one'));
      a!.publish('t', bytes('two'));
      assert.deepEqual(atA.texts(), ['one', 'two'], 'delivered inside publish(), before it returned');
      // b answers once it has both; the answer reaches a after the cluster echoed a's own messages to it.
      await atB.untilText('two');
      b!.publish('t', bytes('answer'));
      await atA.untilText('answer');
      assert.deepEqual(
        atA.received.map((r) => [r.text, r.fromNode]),
        [
          ['one', 'a'],
          ['two', 'a'],
          ['answer', 'b'],
        ],
      );
    });

    test('a publish made by a handler waits for the current delivery, so every handler sees one order', async () => {
      const [a] = cluster('a');
      const seen: string[] = [];
      const first = (payload: Buffer) => {
        seen.push(`first:${payload.toString()}`);
        if (payload.toString() === 'x') a!.publish('t', bytes('y'));
      };
      const second = (payload: Buffer) => seen.push(`second:${payload.toString()}`);
      await a!.subscribe('t', first);
      await a!.subscribe('t', second);
      a!.publish('t', bytes('x'));
      assert.deepEqual(seen, ['first:x', 'second:x', 'first:y', 'second:y']);
    });

    test('a handler that throws does not keep the message from the other handlers', async () => {
      const [a, b] = cluster('a', 'b');
      const atA = new Inbox();
      const atB = new Inbox();
      const broken = () => {
        throw new Error('a bug in one handler');
      };
      await a!.subscribe('t', broken);
      await a!.subscribe('t', atA.handler);
      await b!.subscribe('t', broken);
      await b!.subscribe('t', atB.handler);
      a!.publish('t', bytes('m'));
      b!.publish('t', bytes('n'));
      await atA.untilText('n');
      await atB.untilText('m');
      assert.deepEqual(atA.texts(), ['m', 'n']);
    });

    test('a node that unsubscribed gets nothing more; its other handlers and topics still do', async () => {
      const [a, b] = cluster('a', 'b');
      const gone = new Inbox();
      const stays = new Inbox();
      const other = new Inbox();
      await b!.subscribe('t', gone.handler);
      await b!.subscribe('u', other.handler);
      a!.publish('t', bytes('before'));
      await gone.untilText('before');
      b!.unsubscribe('t', gone.handler);
      // A topic b no longer listens to at all, then a marker on a topic it does: per-publisher order means
      // the marker comes after anything of 't' that could still reach b.
      a!.publish('t', bytes('after'));
      a!.publish('u', bytes('marker'));
      await other.untilText('marker');
      assert.deepEqual(gone.texts(), ['before']);

      // Two handlers of one topic: removing one leaves the other (and the topic) live.
      await b!.subscribe('t', gone.handler);
      await b!.subscribe('t', stays.handler);
      b!.unsubscribe('t', gone.handler);
      a!.publish('t', bytes('later'));
      await stays.untilText('later');
      assert.deepEqual(gone.texts(), ['before']);
    });

    test('binary payloads arrive byte-equal, locally and on another node', async () => {
      const [a, b] = cluster('a', 'b');
      const atA = new Inbox();
      const atB = new Inbox();
      await a!.subscribe('bin', atA.handler);
      await b!.subscribe('bin', atB.handler);
      const payloads = [
        Buffer.alloc(0),
        Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
        Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]), // not UTF-8
        Buffer.from([1, 1, 0x61, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), // looks like a frame header
        Buffer.from(JSON.stringify({ text: 'héllo \u2028 "quoted"' })),
        Buffer.from(Array.from({ length: 256 * 1024 }, (_, i) => (i * 7919) & 0xff)),
      ];
      for (const payload of payloads) a!.publish('bin', payload);
      await atB.until(() => atB.received.length === payloads.length, 'every payload at b');
      for (const inbox of [atA, atB]) {
        assert.equal(inbox.received.length, payloads.length);
        inbox.received.forEach((r, i) => assert.ok(r.bytes.equals(payloads[i]!), `payload ${i} byte-equal`));
      }
    });

    test('close is clean: nothing more is delivered, publish refuses, no socket or timer is left', async () => {
      const before = handleCount();
      const [a, b, c] = cluster('a', 'b', 'c');
      const atB = new Inbox();
      const atC = new Inbox();
      await a!.subscribe('t', new Inbox().handler);
      await b!.subscribe('t', atB.handler);
      await c!.subscribe('t', atC.handler);
      a!.publish('t', bytes('one'));
      await atB.untilText('one');
      await b!.close();
      assert.throws(() => b!.publish('t', bytes('x')), /closed/);
      a!.publish('t', bytes('two'));
      await atC.untilText('two'); // the cluster passed it on, and not to the closed b
      await Promise.all([a!.close(), c!.close()]);
      await b!.close(); // twice is fine
      assert.deepEqual(atB.texts(), ['one']);
      assert.equal(handleCount(), before, `handles left: ${process.getActiveResourcesInfo().join(', ')}`);
    });
  });
}
