// Issue #11.17: the per-address cap counts address groups, not exact addresses: all of 127.0.0.0/8 is
// one machine, IPv6 counts by /64, an IPv4-mapped IPv6 address is its IPv4 address.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { addressGroup, cachedAddressKey } from '../../../src/server/guards/address-group.js';
import { parseServeArgs, ConfigError } from '../../../src/server/config.js';
import { startServer } from '../../helpers/server.js';

const DEFAULTS = { ipv4Prefix: 32, ipv6Prefix: 64, loopbackOneHost: 1 };

test('#11.17 IPv6 addresses in one /64 share a group; another /64 does not', () => {
  const a = addressGroup('2001:db8:1:2:aaaa::1', DEFAULTS);
  assert.equal(a, '2001:db8:1:2:0:0:0:0/64');
  assert.equal(addressGroup('2001:db8:1:2:ffff:1:2:3', DEFAULTS), a);
  assert.equal(addressGroup('2001:0db8:0001:0002::ab', DEFAULTS), a, 'leading zeros and :: are read');
  assert.notEqual(addressGroup('2001:db8:1:3::1', DEFAULTS), a);
  assert.equal(addressGroup('fe80::1%eth0', DEFAULTS), addressGroup('fe80::2', DEFAULTS), 'a zone id is ignored');
  assert.equal(addressGroup('2001:db8:1:2::1', { ...DEFAULTS, ipv6Prefix: 48 }), '2001:db8:1:0:0:0:0:0/48');
  assert.equal(addressGroup('2001:db8:1:2::1', { ...DEFAULTS, ipv6Prefix: 128 }), '2001:db8:1:2:0:0:0:1');
  assert.equal(addressGroup('2001:db8:1:2::1', { ...DEFAULTS, ipv6Prefix: 60 }), '2001:db8:1:0:0:0:0:0/60');
});

test('#11.17 an IPv4-mapped IPv6 address counts as its IPv4 address, in either notation', () => {
  assert.equal(addressGroup('::ffff:192.0.2.7', DEFAULTS), '192.0.2.7');
  assert.equal(addressGroup('::ffff:c000:207', DEFAULTS), '192.0.2.7');
  assert.equal(addressGroup('0:0:0:0:0:ffff:192.0.2.7', DEFAULTS), '192.0.2.7');
  assert.equal(addressGroup('::ffff:192.0.2.7', { ...DEFAULTS, ipv4Prefix: 24 }), '192.0.2.0/24');
  assert.equal(addressGroup('192.0.2.200', { ...DEFAULTS, ipv4Prefix: 24 }), '192.0.2.0/24');
  assert.equal(addressGroup('192.0.2.200', { ...DEFAULTS, ipv4Prefix: 0 }), '0.0.0.0/0');
  assert.notEqual(addressGroup('192.0.2.7', DEFAULTS), addressGroup('192.0.2.8', DEFAULTS), 'IPv4 is exact by default');
});

test('#11.17 all of loopback is one host: 127.0.0.0/8, its mapped form and ::1', () => {
  const group = addressGroup('127.0.0.1', DEFAULTS);
  for (const other of ['127.0.0.6', '127.255.1.2', '::ffff:127.0.0.8', '::1'])
    assert.equal(addressGroup(other, DEFAULTS), group, other);
  assert.notEqual(addressGroup('128.0.0.1', DEFAULTS), group);
  // Tests that stand in for many hosts with 127.0.0.x turn it off.
  const apart = { ...DEFAULTS, loopbackOneHost: 0 };
  assert.notEqual(addressGroup('127.0.0.6', apart), addressGroup('127.0.0.7', apart));
  assert.notEqual(addressGroup('::1', apart), addressGroup('127.0.0.1', apart));
});

test('#16 cachedAddressKey answers as the key it wraps, asks it once per address, and stays bounded', () => {
  const asked: string[] = [];
  const key = cachedAddressKey((address) => {
    asked.push(address);
    return address === '10.0.0.9' ? null : addressGroup(address, DEFAULTS);
  });
  assert.equal(key('2001:db8:1:2::1'), '2001:db8:1:2:0:0:0:0/64');
  assert.equal(key('2001:db8:1:2::1'), '2001:db8:1:2:0:0:0:0/64');
  assert.equal(key('10.0.0.9'), null, 'an exempt answer is remembered too');
  assert.equal(key('10.0.0.9'), null);
  assert.deepEqual(asked, ['2001:db8:1:2::1', '10.0.0.9']);
  // Past the bound it starts again: every answer still right, each address asked again once.
  for (let i = 0; i < 5000; i++) assert.equal(key(`10.1.${i >> 8}.${i & 255}`), `10.1.${i >> 8}.${i & 255}`);
  assert.equal(key('10.0.0.9'), null);
  assert.equal(asked.filter((a) => a === '10.0.0.9').length, 2, 'forgotten once the cache filled, then asked again');
});

test('#11.17 --ipv4-prefix and --ipv6-prefix are flags, checked for range', () => {
  const config = parseServeArgs(['--ipv4-prefix', '24', '--ipv6-prefix', '56'], {});
  assert.equal(config.limits.ipv4Prefix, 24);
  assert.equal(config.limits.ipv6Prefix, 56);
  assert.throws(() => parseServeArgs(['--ipv4-prefix', '33'], {}), ConfigError);
  assert.throws(() => parseServeArgs(['--ipv6-prefix', '64.5'], {}), ConfigError);
});

/** Connects from `localAddress` and resolves with the first line the server sends after a ping. */
function pingFrom(port: number, localAddress: string): Promise<{ socket: net.Socket; reply: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => socket.write('{"status":"ping"}\n'));
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`no reply to a ping from ${localAddress}`)), 5000);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      resolve({ socket, reply: JSON.parse(buffered.slice(0, newline)) as Record<string, unknown> });
    });
  });
}

test('#11.17 127.0.0.6, .7 and .8 together cannot exceed the per-address cap', async () => {
  const server = await startServer({ limits: { maxPerAddress: 3 } });
  const replies = [];
  for (const address of ['127.0.0.6', '127.0.0.7', '127.0.0.8']) {
    for (let i = 0; i < 2; i++) replies.push({ address, ...(await pingFrom(server.port, address)) });
  }
  const admitted = replies.filter((r) => r.reply.status === 'ok');
  const refused = replies.filter((r) => r.reply.code === 'too_many_connections');
  assert.equal(admitted.length, 3, `three admitted in all, not ${admitted.length}`);
  assert.equal(refused.length, 3);
  assert.match(String(refused[0]!.reply.text), /127\.0\.0\.\d \(counted with loopback\)/);
  for (const r of replies) r.socket.destroy();
  await server.stop();
});

test('#11.17 an exempt address in a group neither counts against it nor is held to it', async () => {
  const server = await startServer({ limits: { maxPerAddress: 1 }, exempt: ['127.0.0.9'] });
  const exempt = [await pingFrom(server.port, '127.0.0.9'), await pingFrom(server.port, '127.0.0.9')];
  assert.deepEqual(
    exempt.map((e) => e.reply.status),
    ['ok', 'ok'],
  );
  const other = await pingFrom(server.port, '127.0.0.10');
  assert.equal(other.reply.status, 'ok', "the exempt connections do not use up loopback's cap");
  const second = await pingFrom(server.port, '127.0.0.11');
  assert.equal(second.reply.code, 'too_many_connections');
  for (const c of [...exempt, other, second]) c.socket.destroy();
  await server.stop();
});
