// #15: --proxy-from. Behind HAProxy every node saw HAProxy's address, so the per-address limits held
// all clients as one. A listed proxy's PROXY header now names the client: the per-address cap counts
// the client's address (line, TLS and WebSocket alike), the log shows it; the proxy's own health checks
// (v2 LOCAL) are logged at debug; a listed proxy that sends no header is closed; and a header from
// anyone else is never believed, so a client cannot choose its own address.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { ConfigError, parseServeArgs } from '../../../src/server/config.js';
import { makeCertificate } from '../../helpers/certs.js';
import { TestClient } from '../../helpers/client.js';
import { expectClosed, withTimeout } from '../../helpers/expect.js';
import { LogCapture, type LogEntry } from '../../helpers/log.js';
import { proxyV1, proxyV2, proxyV2Local } from '../../helpers/proxy-header.js';
import { startServer } from '../../helpers/server.js';

const INFO = 30;
const DEBUG = 20;

const opened = (remote: RegExp) => (e: LogEntry) => e.msg === 'connection opened' && remote.test(String(e.remote));

/** Whether `client` is served: a ping gets its pong (false once the server closes it). */
async function served(client: TestClient): Promise<boolean> {
  const reply = await Promise.race([
    client.request({ status: 'ping' }).catch(() => null),
    client.closed.then(() => null),
  ]);
  return reply?.status === 'pong' || reply?.status === 'ok';
}

test('proxy-from: the per-address cap counts the address in the proxy header, and the log shows it', async () => {
  const log = new LogCapture();
  const server = await startServer({ proxyFrom: ['127.0.0.1'], limits: { maxPerAddress: 2 }, log: log.logger });
  const via = (address: string, port: number, label: string) =>
    TestClient.connectVia(server.port, proxyV2(address, port), { label });
  const a = await via('192.0.2.10', 1001, 'a');
  const b = await via('192.0.2.10', 1002, 'b');
  assert.ok(await served(a));
  assert.ok(await served(b));
  await log.waitFor(opened(/^192\.0\.2\.10:1001$/), 'a opened under its client address and port');
  const third = await via('192.0.2.10', 1003, 'third');
  const notice = await third.waitFor((m) => m.code === 'too_many_connections', 3000, 'the refusal');
  assert.match(notice.text, /from 192\.0\.2\.10 /);
  await expectClosed(third);
  await log.waitFor((e) => e.msg === 'connection refused' && e.remote === '192.0.2.10:1003', 'the refusal logged');
  // Another client through the same proxy is its own address: HAProxy's cap is not shared.
  const other = await via('2001:db8::7', 1004, 'other');
  assert.ok(await served(other));
  await log.waitFor(opened(/^2001:db8::7:1004$/), 'an IPv6 client by its own address');
  for (const c of [a, b, other]) await c.close();
  await server.stop();
});

test('proxy-from: a connection from a listed proxy without a PROXY header is closed, and logged', async () => {
  const log = new LogCapture();
  const server = await startServer({ proxyFrom: ['127.0.0.0/8'], log: log.logger });
  const bare = await TestClient.connect(server.port, 'bare');
  bare.send({ status: 'ping' });
  await expectClosed(bare);
  const warned = await log.waitFor((e) => e.msg === 'connection from a proxy closed', 'the warning');
  assert.match(String(warned.reason), /no PROXY protocol header/);
  assert.equal(log.entries.filter((e) => e.msg === 'connection opened').length, 0, 'never a connection');
  await server.stop();
});

test('proxy-from: a header from an address not listed is never believed: closed, or counted as its sender', async () => {
  const log = new LogCapture();
  const server = await startServer({
    proxyFrom: ['127.0.0.2'],
    limits: { maxPerAddress: 1, loopbackOneHost: 0 },
    log: log.logger,
  });
  const own = await TestClient.connectFrom(server.port, '127.0.0.1', 'own');
  assert.ok(await served(own));
  // 127.0.0.1's one slot is taken: a header naming another address does not get it another.
  const spoof = await TestClient.connectVia(server.port, proxyV2('192.0.2.99', 9), { localAddress: '127.0.0.1' });
  const notice = await spoof.waitFor((m) => m.code === 'too_many_connections', 3000, 'the refusal');
  assert.match(notice.text, /from 127\.0\.0\.1 /);
  await expectClosed(spoof);
  // With a slot free, a header (either version) is closed as what it is: a client claiming an address.
  for (const header of [proxyV2('192.0.2.99', 9), proxyV1('192.0.2.99', 9)]) {
    const claim = await TestClient.connectVia(server.port, header, { localAddress: '127.0.0.3' });
    await expectClosed(claim);
  }
  const warned = await log.waitFor(
    (e) => e.msg === 'a PROXY protocol header from an address not in --proxy-from: connection closed',
    'the warning',
  );
  assert.match(String(warned.remote), /^127\.0\.0\.3:/);
  // Behind the listed proxy, a client that sends a header of its own is closed the same way.
  const doubled = Buffer.concat([proxyV2('192.0.2.5', 5), proxyV2('192.0.2.99', 9)]);
  const inner = await TestClient.connectVia(server.port, doubled, { localAddress: '127.0.0.2' });
  await expectClosed(inner);
  assert.equal(log.entries.filter(opened(/192\.0\.2\.99/)).length, 0, 'no connection ever had the claimed address');
  await own.close();
  await server.stop();
});

test('proxy-from: a LOCAL connection (the health check) is served as the proxy, logged at debug', async () => {
  const log = new LogCapture();
  const server = await startServer({ proxyFrom: ['127.0.0.1'], log: log.logger });
  const check = await TestClient.connectVia(server.port, proxyV2Local(), { label: 'check' });
  assert.ok(await served(check));
  await check.close();
  const closed = await log.waitFor((e) => e.msg === 'connection closed', 'the check closed');
  assert.equal(closed.level, DEBUG);
  const open = log.entries.filter((e) => e.msg === 'connection opened');
  assert.deepEqual(
    open.map((e) => [e.level, String(e.remote).split(':')[0]]),
    [[DEBUG, '127.0.0.1']],
  );
  // A relayed client's lines stay at info.
  const client = await TestClient.connectVia(server.port, proxyV2('192.0.2.1', 1), { label: 'client' });
  assert.ok(await served(client));
  assert.equal((await log.waitFor(opened(/^192\.0\.2\.1:1$/), 'the client opened')).level, INFO);
  await client.close();
  await server.stop();
});

test('proxy-from: TLS behind the proxy (the header, then the handshake) counts the client address', async () => {
  const cert = await makeCertificate();
  const log = new LogCapture();
  const server = await startServer({
    tls: cert.files,
    proxyFrom: ['127.0.0.1'],
    limits: { maxPerAddress: 1 },
    log: log.logger,
  });
  const tlsOptions = { ca: cert.pem, host: '127.0.0.1' };
  const first = await TestClient.connectVia(server.port, proxyV2('198.51.100.8', 8), { tls: tlsOptions });
  assert.ok(await served(first));
  await log.waitFor(opened(/^198\.51\.100\.8:8$/), 'the TLS client by its address');
  // The same client again: past its cap, refused before any handshake.
  await assert.rejects(
    withTimeout(TestClient.connectVia(server.port, proxyV2('198.51.100.8', 9), { tls: tlsOptions }), 3000, 'refusal'),
  );
  await log.waitFor((e) => e.msg === 'connection refused' && e.remote === '198.51.100.8:9', 'the refusal logged');
  // Another client through the same proxy is served.
  const second = await TestClient.connectVia(server.port, proxyV2('198.51.100.9', 9), { tls: tlsOptions });
  assert.ok(await served(second));
  await first.close();
  await second.close();
  await server.stop();
  cert.remove();
});

test('proxy-from: a WebSocket behind the proxy is the client address', async () => {
  const log = new LogCapture();
  const server = await startServer({ proxyFrom: ['127.0.0.1'], log: log.logger });
  const socket = net.connect({ port: server.port, host: '127.0.0.1' });
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    Buffer.concat([
      proxyV2('203.0.113.50', 50),
      Buffer.from(
        'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      ),
    ]),
  );
  const answer = await withTimeout(
    new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1')))),
    3000,
    'the upgrade answer',
  );
  assert.match(answer, /^HTTP\/1\.1 101 /);
  const entry = await log.waitFor(opened(/^203\.0\.113\.50 \(WebSocket\)$/), 'the WebSocket by its client address');
  assert.equal(entry.via, 'websocket');
  socket.destroy();
  await server.stop();
});

test('proxy-from: the flag and CLASSCHAT_PROXY_FROM take addresses and CIDR ranges; a bad entry is refused at start', () => {
  assert.deepEqual(parseServeArgs([], {}).proxyFrom, []);
  assert.deepEqual(parseServeArgs(['--proxy-from', '10.0.0.10, 2001:db8::/64'], {}).proxyFrom, [
    '10.0.0.10',
    '2001:db8::/64',
  ]);
  assert.deepEqual(parseServeArgs([], { CLASSCHAT_PROXY_FROM: '10.0.0.10' }).proxyFrom, ['10.0.0.10']);
  for (const bad of ['haproxy.local', '10.0.0.0/33', '10.0.0.0/x', '::1/129'])
    assert.throws(
      () => parseServeArgs(['--proxy-from', bad], {}),
      (err: Error) => err instanceof ConfigError && /--proxy-from/.test(err.message),
      bad,
    );
  assert.throws(() => parseServeArgs(['--exempt', '10.0.0.0/40'], {}), /--exempt: bad CIDR prefix/);
});
