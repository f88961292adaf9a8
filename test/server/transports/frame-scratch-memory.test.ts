// Review of issue #16's FrameScratch: a socket that keeps its frame (its reader is slow) keeps the
// whole scratch buffer behind it, at least 64 KiB, not just the bytes it was given. Every later tick
// to a backed-up socket frames into a fresh scratch that the socket keeps in turn, so a reader that
// has stopped reading pins 64 KiB per tick while the server's output limits (behindBytes,
// maxOutputBytes: Wire.bufferedBytes = writableLength) count only the bytes written.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { startServer, type TestServer } from '../../helpers/server.js';

/** The memory behind what a socket still buffers: every distinct ArrayBuffer its queued chunks refer to. */
function pinnedBytes(socket: Socket): { queued: number; pinned: number } {
  const state = (socket as unknown as { _writableState: { buffered: { chunk: Buffer }[]; bufferedIndex: number } })
    ._writableState;
  const seen = new Set<ArrayBufferLike>();
  let pinned = 0;
  for (const { chunk } of state.buffered.slice(state.bufferedIndex)) {
    if (seen.has(chunk.buffer)) continue;
    seen.add(chunk.buffer);
    pinned += chunk.buffer.byteLength;
  }
  return { queued: socket.writableLength, pinned };
}

let server: TestServer;
before(async () => (server = await startServer({ exempt: ['127.0.0.1'] })));
after(() => server.stop());

test('review #16: a reader that stopped reading pins about what its socket buffers, not 64 KiB per tick', async () => {
  const sender = await TestClient.as(server.port, 'PinSender');
  const paused = await TestClient.as(server.port, 'PinPaused');
  await sender.ok({ status: 'create', receiver: 'PinRoom', members: ['PinPaused'] });
  paused.socket.pause();
  const conn = [...server.server.connections].find((c) => c.session?.name === 'PinPaused')!;
  const socket = (conn as unknown as { wire: { socket: Socket } }).wire.socket;
  // Fill the kernel's buffers first (loopback takes a few MB): from then on the socket keeps its frames.
  for (let i = 0; conn.unsentBytes === 0; i++) {
    assert.ok(i < 2000, 'the paused reader never backed up');
    await sender.ok({ status: 'group', receiver: 'PinRoom', text: `fill ${i} ${'x'.repeat(8000)}` });
  }
  const before = pinnedBytes(socket);
  // Then a class's ordinary chat: short messages, each in its own tick (one at a time, as people type).
  const small = 300;
  for (let i = 0; i < small; i++) await sender.ok({ status: 'group', receiver: 'PinRoom', text: `hi ${i}` });
  const afterSmall = pinnedBytes(socket);
  const queuedBySmall = afterSmall.queued - before.queued;
  const pinnedBySmall = afterSmall.pinned - before.pinned;
  console.log({ before, afterSmall, queuedBySmall, pinnedBySmall, behindBytes: server.server.limits.behindBytes });
  assert.ok(queuedBySmall > 0 && queuedBySmall < 100 * 1024, `the small messages queued ${queuedBySmall} bytes`);
  // One scratch buffer (up to 1 MiB) may be kept when a socket first backs up; not one per tick.
  assert.ok(
    pinnedBySmall <= 4 * queuedBySmall + 1024 * 1024,
    `${small} ticks of ${queuedBySmall} bytes in all pin ${pinnedBySmall} bytes of buffers`,
  );
  await sender.close();
  await paused.close();
});
