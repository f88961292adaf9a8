// Issue #11.12 (b): 60 users storing private messages for one offline user wrote 18 GiB an hour. The
// bytes waiting for an offline user are bounded (--max-queued-bytes): past it the sender gets
// queue_full. The bound holds across a restart and is lifted when the user logs in.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { Cast } from '../../helpers/client.js';
import { expectError } from '../../helpers/expect.js';
import { startServer, tempDataDir } from '../../helpers/server.js';

const LIMIT = 10_000;
const text = (tag: string) => `${tag} `.padEnd(4000, 'q');

test('#11.12 private messages waiting for an offline user are bounded by bytes: past it queue_full, after a restart too, until the user logs in', async () => {
  const dataDir = tempDataDir();
  let server = await startServer({ dataDir, limits: { maxQueuedBytes: LIMIT } });
  const clients = new Cast(() => server.port);
  const as = (name: string) => clients.as(name);
  try {
    const bob = await as('Bob');
    await bob.ok({ status: 'exit' });
    await bob.closed;
    const alice = await as('Alice');
    const carol = await as('Carol');
    assert.equal((await alice.ok({ status: 'private', receiver: 'Bob', text: text('a1') })).queued, true);
    await carol.ok({ status: 'private', receiver: 'Bob', text: text('c1') });
    const full = await expectError(alice, { status: 'private', receiver: 'Bob', text: text('a2') }, 'queue_full');
    assert.match(full.text, /Bob is offline/);
    await expectError(carol, { status: 'private', receiver: 'Bob', text: text('c2') }, 'queue_full');
    // Other recipients are not affected.
    await alice.ok({ status: 'private', receiver: 'Carol', text: 'still fine' });

    // The count is rebuilt from the store after a restart.
    await clients.closeAll();
    await server.stop();
    server = await startServer({ dataDir, limits: { maxQueuedBytes: LIMIT } });
    const alice2 = await as('Alice');
    await expectError(alice2, { status: 'private', receiver: 'Bob', text: text('a3') }, 'queue_full');

    // Bob logs in and gets what waited; the queue is empty again.
    const back = await as('Bob');
    const got = [await back.event('private', { sender: 'Alice' }), await back.event('private', { sender: 'Carol' })];
    assert.deepEqual(
      got.map((m) => m.text.slice(0, 2)),
      ['a1', 'c1'],
    );
    await back.ok({ status: 'exit' });
    await back.closed;
    await alice2.event('system', { event: 'disconnect', sender: 'Bob' });
    assert.equal((await alice2.ok({ status: 'private', receiver: 'Bob', text: text('a4') })).queued, true);
  } finally {
    await clients.closeAll();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
