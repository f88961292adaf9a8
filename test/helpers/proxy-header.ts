/**
 * PROXY protocol headers as HAProxy writes them (#15), written here from the spec independently of the
 * server's parser, so a test of the parser does not check it against itself.
 */
import net from 'node:net';

const SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/** A v2 PROXY header for a TCP client at `address`:`port` (IPv4 or IPv6), to a server at `to`. */
export function proxyV2(address: string, port: number, to = { address: '127.0.0.1', port: 5555 }): Buffer {
  const six = net.isIPv6(address);
  const addresses = six
    ? Buffer.concat([ipv6Bytes(address), ipv6Bytes(net.isIPv6(to.address) ? to.address : '::1')])
    : Buffer.from([...address.split('.').map(Number), ...to.address.split('.').map(Number)]);
  const ports = Buffer.alloc(4);
  ports.writeUInt16BE(port, 0);
  ports.writeUInt16BE(to.port, 2);
  return v2(0x21, six ? 0x21 : 0x11, Buffer.concat([addresses, ports]));
}

/** A v2 LOCAL header (HAProxy's health check): no client, the proxy speaks for itself. */
export function proxyV2Local(): Buffer {
  return v2(0x20, 0x00, Buffer.alloc(0));
}

/** A v2 header with the given version/command byte, family byte and body. */
export function v2(versionCommand: number, family: number, body: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(body.length);
  return Buffer.concat([SIGNATURE, Buffer.from([versionCommand, family]), length, body]);
}

/** A v1 (text) PROXY header for a TCP client at `address`:`port`. */
export function proxyV1(address: string, port: number): Buffer {
  const six = net.isIPv6(address);
  return Buffer.from(`PROXY ${six ? 'TCP6' : 'TCP4'} ${address} ${six ? '::1' : '127.0.0.1'} ${port} 5555\r\n`);
}

/** The 16 bytes of an IPv6 address. */
function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const words = (part: string) => (part === '' ? [] : part.split(':').map((w) => parseInt(w, 16)));
  const front = words(head);
  const back = tail === undefined ? [] : words(tail);
  const all = [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  const bytes = Buffer.alloc(16);
  all.forEach((w, i) => bytes.writeUInt16BE(w, i * 2));
  return bytes;
}
