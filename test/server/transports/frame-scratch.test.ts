// The line wire frames every connection's tick into one reused buffer (issue #16). Reuse is safe only
// while each socket takes its bytes at once: one that keeps them for later (its reader is slow) keeps
// the buffer too, and later ticks frame elsewhere. A paused reader in a busy room checks that what it
// was sent is never overwritten by what others are sent after it.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { FrameScratch } from '../../../src/server/transports/frame-scratch.js';
import { TestClient } from '../../helpers/client.js';
import { withTimeout } from '../../helpers/expect.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { wsUrl, WsClient } from '../../helpers/ws-client.js';

/** What FrameScratch reads of a socket: how much it still holds. */
function socketHolding(bytes: number): Socket {
  return { writableLength: bytes } as Socket;
}

test('#16 the frame buffer is reused after a socket took it all, and left to a socket that kept it', () => {
  const scratch = new FrameScratch();
  const first = scratch.take(100, socketHolding(0));
  assert.equal(first.length, 100);
  scratch.written(first, socketHolding(0));
  const second = scratch.take(200, socketHolding(0));
  assert.equal(second.buffer, first.buffer, 'reused once the socket held nothing');
  second.fill(7);
  scratch.written(second, socketHolding(200));
  const third = scratch.take(200, socketHolding(0));
  assert.notEqual(third.buffer, second.buffer, 'a socket that holds the bytes keeps the buffer');
  third.fill(9);
  assert.ok(
    second.every((b) => b === 7),
    'what the socket holds is not overwritten',
  );
  const large = scratch.take(4 * 1024 * 1024, socketHolding(0));
  scratch.written(large, socketHolding(large.length));
  assert.equal(
    scratch.take(10, socketHolding(0)).buffer,
    third.buffer,
    'a large one-off buffer leaves the reused one in place',
  );
});

let server: TestServer;
before(
  async () =>
    (server = await startServer({
      exempt: ['127.0.0.1'],
      // The paused reader's output stays in its socket (lent frame buffers), not in the store.
      limits: { behindBytes: 64 * 1024 * 1024, maxOutputBytes: 128 * 1024 * 1024, noProgressMs: 60_000 },
    })),
);
after(() => server.stop());

test('#16 readers that pause in a busy room (a line, a WebSocket) later read every message intact and in order', async () => {
  const sender = await TestClient.as(server.port, 'ScratchSender');
  const paused = await TestClient.as(server.port, 'ScratchPaused');
  const pausedWeb = await WsClient.as(wsUrl(server.port), 'ScratchPausedWeb');
  const reader = await TestClient.as(server.port, 'ScratchReader');
  const members = ['ScratchPaused', 'ScratchPausedWeb', 'ScratchReader'];
  await sender.ok({ status: 'create', receiver: 'ScratchRoom', members });
  paused.socket.pause();
  pausedWeb.ws.pause();
  const count = 1500;
  const text = (i: number) => `${i}:${String(i % 10).repeat(4000)}`;
  // Sent in bursts, so that ticks hold several messages and the paused socket's kernel buffer fills:
  // from then on Node keeps its frames while the reader's are framed after them.
  for (let i = 0; i < count; i += 50) {
    const burst = [];
    for (let j = i; j < i + 50; j++) burst.push(sender.ok({ status: 'group', receiver: 'ScratchRoom', text: text(j) }));
    await Promise.all(burst);
  }
  for (const name of ['ScratchPaused', 'ScratchPausedWeb']) {
    const held = [...server.server.connections].find((c) => c.session?.name === name)!;
    assert.ok(held.unsentBytes > 0, `${name}'s socket holds output in the server`);
  }
  await reader.event('group', { text: text(count - 1) }, 10_000);
  paused.socket.resume();
  pausedWeb.ws.resume();
  for (const client of [paused, pausedWeb]) {
    await withTimeout(client.event('group', { text: text(count - 1) }, 20_000), 25_000, `${client.label} to catch up`);
  }
  for (const client of [paused, pausedWeb, reader]) {
    const texts = client.received.filter((m) => m.status === 'group').map((m) => m.text as string);
    assert.equal(texts.length, count, `${client.label} got every message`);
    texts.forEach((t, i) => assert.equal(t, text(i), `${client.label}'s message ${i} intact and in order`));
  }
  for (const client of [sender, paused, pausedWeb, reader]) await client.close();
});
