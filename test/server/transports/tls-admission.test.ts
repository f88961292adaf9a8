// Issue #11.8: a TLS socket counts against the connection caps from its TCP accept, not from the end
// of its handshake, so sockets that never say hello cannot pile up past the per-address cap; and a
// stalled handshake is closed after the handshake timeout, which gives its slot back.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import tls from 'node:tls';
import { makeCertificate } from '../../helpers/certs.js';
import { TestClient } from '../../helpers/client.js';
import { withTimeout } from '../../helpers/expect.js';
import { startServer } from '../../helpers/server.js';
import { DEFAULT_LIMITS } from '../../../src/server/limits.js';

/** A TCP socket to the TLS port that never starts a handshake; `closedAfterMs` is set when it closes. */
interface Stalled {
  socket: net.Socket;
  closed: Promise<number>;
}

function stall(port: number): Promise<Stalled> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    socket.once('connect', () => {
      const at = performance.now();
      resolve({ socket, closed: new Promise((done) => socket.once('close', () => done(performance.now() - at))) });
    });
    socket.once('close', () => reject(new Error('closed before connecting')));
  });
}

/** Whether a TLS client from 127.0.0.1 finishes its handshake now. */
function handshakes(port: number, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
}

test('#11.8 sockets that never finish a TLS handshake count against the per-address cap and are closed after the timeout', async () => {
  const cert = await makeCertificate();
  const handshakeMs = 2000;
  const cap = 5;
  const server = await startServer({ tls: cert.files, limits: { maxPerAddress: cap, tlsHandshakeMs: handshakeMs } });
  const sockets: Stalled[] = [];
  try {
    for (let i = 0; i < 4 * cap; i++) sockets.push(await stall(server.port));
    // While the stalled sockets hold the address's slots, a real client from it is turned away too.
    assert.equal(await handshakes(server.port, cert.pem), false, 'a handshake from an address at its cap is refused');
    const closedAfter = await withTimeout(
      Promise.all(sockets.map((s) => s.closed)),
      handshakeMs * 5,
      'every stalled socket to be closed',
    );
    // Refused at accept: closed at once, long before the handshake timeout; the admitted ones wait it out.
    const early = closedAfter.filter((ms) => ms < handshakeMs / 2);
    const late = closedAfter.filter((ms) => ms >= handshakeMs * 0.9);
    assert.equal(
      early.length,
      3 * cap,
      `sockets past the cap are closed at accept (closed after: ${closedAfter.map(Math.round).join(', ')} ms)`,
    );
    assert.equal(late.length, cap, 'the admitted stalled sockets are closed by the handshake timeout');
    // Their slots are given back: a client from the same address now gets in and chats.
    const alice = await TestClient.as(server.port, 'Alice', { ca: cert.pem });
    await alice.ok({ status: 'who' });
    await alice.close();
  } finally {
    for (const s of sockets) s.socket.destroy();
    await server.stop();
    cert.remove();
  }
});

test('#11.8 the TLS handshake timeout defaults to 5 seconds', () => {
  assert.equal(DEFAULT_LIMITS.tlsHandshakeMs, 5000);
});
