// #15: the PROXY protocol header a load balancer puts before a client's bytes. The parser on its own
// (v2 IPv4, IPv6, LOCAL; v1; malformed, cut short, too long), then the gate on real loopback sockets:
// a trusted proxy's header is read whole however it arrives, the client's bytes behind it are kept,
// and a proxy that sends none, or too slowly, or too much, is closed with a log line.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { relayedFrom } from '../../../src/server/guards/admission.js';
import { isProxyLocal, ProxyGate } from '../../../src/server/transports/proxy-gate.js';
import { parseProxyHeader, V2_MAX_BYTES } from '../../../src/server/transports/proxy-header.js';
import { withTimeout } from '../../helpers/expect.js';
import { LogCapture } from '../../helpers/log.js';
import { proxyV1, proxyV2, proxyV2Local, v2 } from '../../helpers/proxy-header.js';

test('PROXY header: v2 names an IPv4 client, and says how long it is', () => {
  const header = proxyV2('203.0.113.7', 40123);
  const after = Buffer.from('{"status":"ping"}\n');
  assert.deepEqual(parseProxyHeader(Buffer.concat([header, after])), {
    kind: 'proxy',
    address: '203.0.113.7',
    port: 40123,
    length: header.length,
  });
});

test('PROXY header: v2 names an IPv6 client, written as Node writes addresses; an IPv4-mapped one as IPv4', () => {
  assert.deepEqual(parseProxyHeader(proxyV2('2001:db8::1', 5)), {
    kind: 'proxy',
    address: '2001:db8::1',
    port: 5,
    length: 16 + 36,
  });
  assert.equal(
    (parseProxyHeader(proxyV2('2001:db8:0:1:2:3:4:5', 5)) as { address: string }).address,
    '2001:db8:0:1:2:3:4:5',
  );
  assert.equal((parseProxyHeader(proxyV2('::ffff:c000:201', 5)) as { address: string }).address, '192.0.2.1');
});

test('PROXY header: v2 LOCAL (a health check) and UNSPEC keep the socket address', () => {
  assert.deepEqual(parseProxyHeader(proxyV2Local()), { kind: 'local', length: 16 });
  // LOCAL with addresses after it (allowed): they are skipped, not believed.
  const local = v2(0x20, 0x11, proxyV2('10.0.0.1', 1).subarray(16));
  assert.deepEqual(parseProxyHeader(local), { kind: 'local', length: local.length });
  assert.deepEqual(parseProxyHeader(v2(0x21, 0x00, Buffer.alloc(0))), { kind: 'local', length: 16 });
});

test('PROXY header: v1 TCP4, TCP6 and UNKNOWN', () => {
  const four = proxyV1('198.51.100.4', 1234);
  assert.deepEqual(parseProxyHeader(Buffer.concat([four, Buffer.from('GET / HTTP/1.1\r\n')])), {
    kind: 'proxy',
    address: '198.51.100.4',
    port: 1234,
    length: four.length,
  });
  assert.equal((parseProxyHeader(proxyV1('2001:db8::9', 1)) as { address: string }).address, '2001:db8::9');
  assert.deepEqual(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n')), { kind: 'local', length: 15 });
});

test('PROXY header: malformed ones are refused with a reason', () => {
  const bad = (head: Buffer | string, reason: RegExp) => {
    const parsed = parseProxyHeader(typeof head === 'string' ? Buffer.from(head) : head);
    assert.equal(parsed.kind, 'bad', `${JSON.stringify(head.toString())} is refused`);
    assert.match((parsed as { reason: string }).reason, reason);
  };
  bad('{"status":"ping"}\n', /no PROXY protocol header/);
  bad('GET / HTTP/1.1\r\n', /no PROXY protocol header/);
  bad(v2(0x11, 0x11, Buffer.alloc(12)), /unknown version 1/);
  bad(v2(0x22, 0x11, Buffer.alloc(12)), /unknown command 2/);
  bad(v2(0x21, 0x31, Buffer.alloc(216)), /unsupported address family/); // AF_UNIX
  bad(v2(0x21, 0x11, Buffer.alloc(8)), /IPv4 addresses cut short/);
  bad(v2(0x21, 0x21, Buffer.alloc(20)), /IPv6 addresses cut short/);
  bad('PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n', /6 fields/);
  bad('PROXY TCP4 ::1 ::1 1 2\r\n', /not TCP4/);
  bad('PROXY TCP4 1.2.3.400 5.6.7.8 1 2\r\n', /not TCP4/);
  bad('PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n', /unknown protocol/);
  bad('PROXY TCP4 1.2.3.4 5.6.7.8 99999 2\r\n', /bad source port/);
  bad('PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n', /bad source port/);
});

test('PROXY header: every cut-short prefix is incomplete, not bad', () => {
  for (const header of [proxyV2('10.1.2.3', 9), proxyV2('2001:db8::1', 9), proxyV2Local(), proxyV1('10.1.2.3', 9)]) {
    for (let n = 0; n < header.length; n++)
      assert.deepEqual(
        parseProxyHeader(header.subarray(0, n)),
        { kind: 'incomplete' },
        `${n} of ${header.length} bytes`,
      );
  }
});

test('PROXY header: an oversized one is refused before it is all there', () => {
  // v2: the length field alone says too long, with only the 16 fixed bytes received.
  const huge = v2(0x21, 0x11, Buffer.alloc(V2_MAX_BYTES));
  assert.match((parseProxyHeader(huge.subarray(0, 16)) as { reason: string }).reason, /too long/);
  // v1: no end of line within the spec's 107 bytes.
  const endless = Buffer.from(`PROXY TCP4 ${'1'.repeat(200)}`);
  assert.match((parseProxyHeader(endless) as { reason: string }).reason, /no end of line within 107 bytes/);
});

/** A loopback listener whose sockets go through a gate; `taken` resolves with what came through. */
async function gated(proxyFrom: string[], deadlineMs?: number) {
  const log = new LogCapture();
  const gate = new ProxyGate(proxyFrom, log.logger, deadlineMs);
  const through: { socket: net.Socket; bytes: Promise<string> }[] = [];
  let arrived: (() => void) | null = null;
  const server = net.createServer((raw) =>
    gate.take(raw, (socket) => {
      const bytes = new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (chunk: Buffer) => {
          text += chunk.toString('latin1');
          if (text.endsWith('\n')) resolve(text);
        });
        socket.resume();
      });
      through.push({ socket, bytes });
      arrived?.();
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const connect = async () => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    return { socket, closed };
  };
  const next = async () => {
    if (through.length === 0)
      await withTimeout(new Promise<void>((resolve) => (arrived = resolve)), 3000, 'a socket through the gate');
    return through.shift()!;
  };
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { log, connect, next, close, through };
}

test('PROXY gate: a header sent a byte at a time is read whole, and the client bytes behind it are kept', async () => {
  const g = await gated(['127.0.0.1']);
  const { socket } = await g.connect();
  const bytes = Buffer.concat([proxyV2('192.0.2.33', 4444), Buffer.from('{"status":"ping"}\n')]);
  for (let i = 0; i < bytes.length; i++) {
    socket.write(bytes.subarray(i, i + 1));
    await new Promise((resolve) => setImmediate(resolve));
  }
  const got = await g.next();
  assert.deepEqual(relayedFrom(got.socket), { address: '192.0.2.33', port: 4444 });
  assert.equal(await withTimeout(got.bytes, 3000, 'the client bytes'), '{"status":"ping"}\n');
  socket.destroy();
  await g.close();
});

test('PROXY gate: header and client bytes in one packet; LOCAL marks the socket a health check', async () => {
  const g = await gated(['127.0.0.0/8']);
  const a = await g.connect();
  a.socket.write(Buffer.concat([proxyV1('198.51.100.1', 1), Buffer.from('hello\n')]));
  const first = await g.next();
  assert.equal(relayedFrom(first.socket)?.address, '198.51.100.1');
  assert.equal(await withTimeout(first.bytes, 3000, 'the client bytes'), 'hello\n');
  const b = await g.connect();
  b.socket.write(Buffer.concat([proxyV2Local(), Buffer.from('check\n')]));
  const second = await g.next();
  assert.equal(relayedFrom(second.socket), undefined);
  assert.ok(isProxyLocal(second.socket));
  assert.equal(await withTimeout(second.bytes, 3000, 'the check bytes'), 'check\n');
  a.socket.destroy();
  b.socket.destroy();
  await g.close();
});

test('PROXY gate: a socket from an address not listed passes untouched, its header unread', async () => {
  const g = await gated(['192.0.2.1']);
  const { socket } = await g.connect();
  const header = proxyV1('10.9.9.9', 1);
  socket.write(header);
  const got = await g.next();
  assert.equal(relayedFrom(got.socket), undefined, 'not believed');
  assert.equal(await withTimeout(got.bytes, 3000, 'its bytes'), header.toString('latin1'));
  socket.destroy();
  await g.close();
});

test('PROXY gate: a trusted socket without a header, with a malformed one, or too long, is closed and logged', async () => {
  const g = await gated(['127.0.0.1']);
  const cases: [Buffer, RegExp][] = [
    [Buffer.from('{"status":"ping"}\n'), /no PROXY protocol header/],
    [v2(0x21, 0x41, Buffer.alloc(4)), /unsupported address family/],
    [Buffer.from(`PROXY TCP4 ${' '.repeat(150)}`), /107 bytes/],
    [v2(0x21, 0x11, Buffer.alloc(60_000)), /too long/],
  ];
  for (const [bytes, reason] of cases) {
    const { socket, closed } = await g.connect();
    socket.write(bytes);
    await withTimeout(closed, 3000, `closed after ${reason}`);
    await g.log.waitFor(
      (e) => e.msg === 'connection from a proxy closed' && reason.test(String(e.reason)),
      `${reason}`,
    );
  }
  assert.equal(g.through.length, 0, 'nothing got through');
  await g.close();
});

test('PROXY gate: a trusted socket that is slow with its header is closed at the deadline', async () => {
  const g = await gated(['127.0.0.1'], 200);
  const { socket, closed } = await g.connect();
  const started = performance.now();
  socket.write(proxyV2('10.0.0.1', 1).subarray(0, 10)); // part of it, then nothing
  await withTimeout(closed, 3000, 'closed at the deadline');
  assert.ok(performance.now() - started >= 150, 'not before the deadline');
  await g.log.waitFor((e) => /no PROXY protocol header within 200 ms/.test(String(e.reason)), 'the deadline log');
  assert.equal(g.through.length, 0);
  await g.close();
});
