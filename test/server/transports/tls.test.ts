// The TLS transport (issue #4), over real loopback sockets against a real server whose certificate was
// made by the real `classchat cert`: clients chat over TLS 1.2+, older TLS and plain TCP are refused
// without harm to anyone else (logged at debug), and a handshake that never ends is cut off.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import tls from 'node:tls';
import { makeCertificate, type TestCertificate } from '../../helpers/certs.js';
import { TestClient } from '../../helpers/client.js';
import { assertPrivateFlows, expectClosed, withTimeout } from '../../helpers/expect.js';
import { LogCapture } from '../../helpers/log.js';
import { startServer, type TestServer } from '../../helpers/server.js';

let cert: TestCertificate;
let server: TestServer;
const log = new LogCapture();
const clients: TestClient[] = [];

before(async () => {
  cert = await makeCertificate();
  server = await startServer({ tls: cert.files, log: log.logger });
});
after(async () => {
  for (const client of clients) await client.close();
  await server.stop();
  cert.remove();
});

async function tlsClient(name: string): Promise<TestClient> {
  const client = await TestClient.as(server.port, name, { ca: cert.pem });
  clients.push(client);
  return client;
}

/** Waits for `log` to record a failed handshake with this error code. */
function handshakeFailure(code: string, from = log) {
  return from.waitFor((e) => e.msg === 'TLS handshake failed' && e.err === code, `handshake failure ${code}`);
}

test('a TLS client registers and exchanges messages, and sees the certificate classchat cert made', async () => {
  const alice = await tlsClient('Alice');
  const bob = await tlsClient('Bob');
  const socket = alice.socket as tls.TLSSocket;
  assert.equal(socket.authorized, true, 'the certificate verifies against itself as the CA');
  assert.ok(['TLSv1.2', 'TLSv1.3'].includes(socket.getProtocol() ?? ''), `protocol ${socket.getProtocol()}`);
  assert.equal(socket.getPeerCertificate().fingerprint256, cert.fingerprint);
  await assertPrivateFlows(alice, bob);
  await assertPrivateFlows(bob, alice);
  await alice.ok({ status: 'create', receiver: 'Secure', members: ['Bob'] });
  const sent = await alice.ok({ status: 'group', receiver: 'Secure', text: 'over TLS' });
  assert.equal((await bob.event('group', { msgid: sent.msgid })).text, 'over TLS');
});

test('TLS 1.1 is refused by the server; the same client offering TLS 1.2 gets in', async () => {
  const connectedBefore = server.server.connections.size;
  // SECLEVEL=0 lets this client really offer TLS 1.1, so the refusal is the server's (its alert), not ours.
  const old = {
    host: '127.0.0.1',
    port: server.port,
    ca: cert.pem,
    ciphers: 'DEFAULT:@SECLEVEL=0',
    minVersion: 'TLSv1',
  } as const;
  const refused = await withTimeout(
    new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      const socket = tls.connect({ ...old, maxVersion: 'TLSv1.1' }, () =>
        reject(new Error(`TLS 1.1 was accepted (${socket.getProtocol()})`)),
      );
      socket.on('error', resolve);
    }),
    3000,
    'the TLS 1.1 handshake to fail',
  );
  assert.equal(refused.code, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', refused.message);
  await handshakeFailure('ERR_SSL_UNSUPPORTED_PROTOCOL');
  assert.equal(server.server.connections.size, connectedBefore, 'a refused handshake never becomes a connection');

  const modern = await TestClient.connect(server.port, 'tls12', { ...old, maxVersion: 'TLSv1.2' });
  clients.push(modern);
  assert.equal((modern.socket as tls.TLSSocket).getProtocol(), 'TLSv1.2');
  await modern.ok({ status: 'help' });
});

test('a plain TCP client on the TLS port is closed and logged at debug; TLS clients keep working', async () => {
  const carol = await tlsClient('Carol');
  const dave = await tlsClient('Dave');
  const plain = await TestClient.connect(server.port, 'plain');
  plain.send({ status: 'register', sender: 'Mallory' });
  await expectClosed(plain);
  assert.deepEqual(plain.received, [], 'the server says nothing in plain text');
  const entry = await handshakeFailure('ERR_SSL_WRONG_VERSION_NUMBER');
  assert.equal(entry.level, 20, 'logged at debug');
  assert.deepEqual(
    log.entries.filter((e) => e.level >= 40),
    [],
    'nothing logged as a warning or an error',
  );

  await assertPrivateFlows(carol, dave);
  const erin = await tlsClient('Erin');
  await assertPrivateFlows(erin, carol);
  assert.deepEqual(
    (await erin.ok({ status: 'who' })).users.filter((u: string) => u === 'Mallory'),
    [],
  );
});

test('a client that never finishes its handshake is closed after the handshake timeout', async () => {
  const quickLog = new LogCapture();
  const quick = await startServer({ tls: cert.files, limits: { tlsHandshakeMs: 200 }, log: quickLog.logger });
  const silent = net.connect({ host: '127.0.0.1', port: quick.port });
  silent.on('error', () => {});
  try {
    const closed = new Promise<void>((resolve) => silent.on('close', () => resolve()));
    await withTimeout(closed, 3000, 'the server to close a connection that never says hello');
    await handshakeFailure('ERR_TLS_HANDSHAKE_TIMEOUT', quickLog);
    const alice = await TestClient.as(quick.port, 'Alice', { ca: cert.pem });
    await alice.ok({ status: 'who' });
    await alice.close();
  } finally {
    silent.destroy(); // if the server failed to, its shutdown would wait for this socket
    await quick.stop();
  }
});
