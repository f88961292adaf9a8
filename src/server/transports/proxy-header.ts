/**
 * The PROXY protocol header (HAProxy's spec, versions 1 and 2) that a load balancer in TCP mode puts
 * before a client's bytes, saying whose connection it is (#15: behind HAProxy every node saw only
 * HAProxy's address, so every per-address limit counted all clients as one). Only parsing here; who
 * is trusted to send one is proxy-gate.ts's job.
 */
import net from 'node:net';

/** What the first bytes of a connection say. `length`: the header's bytes, which the client's follow. */
export type ProxyHeader =
  /** Not all of the header has arrived yet. */
  | { kind: 'incomplete' }
  | { kind: 'bad'; reason: string }
  /** A relayed connection: `address` and `port` are the client's. */
  | { kind: 'proxy'; address: string; port: number; length: number }
  /** The proxy's own connection (v2 LOCAL: a health check; v1 UNKNOWN): the socket's address stands. */
  | { kind: 'local'; length: number };

/** Version 2's fixed start: no text protocol begins with it. */
export const V2_SIGNATURE = Buffer.from('\r\n\r\n\0\r\nQUIT\n', 'latin1');
/** Version 1's start. */
export const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** Version 1's longest line, CRLF included (the spec's bound). */
export const V1_MAX_BYTES = 107;
/**
 * Version 2 may carry TLVs after the addresses (up to 64 KiB); HAProxy sends none unless asked
 * (send-proxy-v2-ssl and the like). A header past this is refused rather than buffered.
 */
export const V2_MAX_BYTES = 16 + 512;

const V2_HEAD_BYTES = 16;
const CMD_LOCAL = 0x0;
const CMD_PROXY = 0x1;
const TCP_OVER_IPV4 = 0x11;
const TCP_OVER_IPV6 = 0x21;
const UNSPEC = 0x00;

/** Whether `head` starts like a PROXY header (of either version), as far as it goes. */
export function looksLikeProxyHeader(head: Buffer): boolean {
  return startsLike(head, V2_SIGNATURE) || startsLike(head, V1_PREFIX);
}

/** Whether `head` holds all of either version's fixed start: a PROXY header, and nothing else. */
export function isProxyHeaderStart(head: Buffer): boolean {
  return (
    (head.length >= V2_SIGNATURE.length && startsLike(head, V2_SIGNATURE)) ||
    (head.length >= V1_PREFIX.length && startsLike(head, V1_PREFIX))
  );
}

/** True while `head` agrees with `prefix` on every byte both have (so a short `head` may still match). */
function startsLike(head: Buffer, prefix: Buffer): boolean {
  const n = Math.min(head.length, prefix.length);
  return n > 0 && head.subarray(0, n).equals(prefix.subarray(0, n));
}

/** Parses the PROXY header at the start of `head` (the bytes received so far). */
export function parseProxyHeader(head: Buffer): ProxyHeader {
  if (head.length === 0) return { kind: 'incomplete' };
  if (startsLike(head, V2_SIGNATURE)) return head.length < V2_HEAD_BYTES ? { kind: 'incomplete' } : parseV2(head);
  if (startsLike(head, V1_PREFIX)) return parseV1(head);
  return { kind: 'bad', reason: 'no PROXY protocol header' };
}

function parseV2(head: Buffer): ProxyHeader {
  const versionCommand = head[12]!;
  if (versionCommand >> 4 !== 2) return { kind: 'bad', reason: `PROXY v2: unknown version ${versionCommand >> 4}` };
  const command = versionCommand & 0x0f;
  const family = head[13]!;
  const length = V2_HEAD_BYTES + head.readUInt16BE(14);
  if (length > V2_MAX_BYTES) return { kind: 'bad', reason: `PROXY v2: header of ${length} bytes is too long` };
  if (head.length < length) return { kind: 'incomplete' };
  // LOCAL: the proxy speaks for itself (its health check); whatever addresses follow are to be ignored.
  if (command === CMD_LOCAL) return { kind: 'local', length };
  if (command !== CMD_PROXY) return { kind: 'bad', reason: `PROXY v2: unknown command ${command}` };
  const body = head.subarray(V2_HEAD_BYTES, length);
  if (family === TCP_OVER_IPV4) {
    if (body.length < 12) return { kind: 'bad', reason: 'PROXY v2: IPv4 addresses cut short' };
    return { kind: 'proxy', address: [...body.subarray(0, 4)].join('.'), port: body.readUInt16BE(8), length };
  }
  if (family === TCP_OVER_IPV6) {
    if (body.length < 36) return { kind: 'bad', reason: 'PROXY v2: IPv6 addresses cut short' };
    const words = [];
    for (let i = 0; i < 16; i += 2) words.push(body.readUInt16BE(i).toString(16));
    // An IPv4 client of a dual-stack proxy: written as IPv4, as socketAddress() writes it.
    const mapped = words.slice(0, 5).every((w) => w === '0') && words[5] === 'ffff';
    const address = mapped ? [...body.subarray(12, 16)].join('.') : compactIpv6(words);
    return { kind: 'proxy', address, port: body.readUInt16BE(32), length };
  }
  // The spec lets a sender say it does not know (UNSPEC): the receiver then keeps the socket's address.
  if (family === UNSPEC) return { kind: 'local', length };
  return { kind: 'bad', reason: `PROXY v2: unsupported address family 0x${family.toString(16)}` };
}

function parseV1(head: Buffer): ProxyHeader {
  const end = head.indexOf('\r\n', 0, 'latin1');
  if (end === -1)
    return head.length >= V1_MAX_BYTES
      ? { kind: 'bad', reason: `PROXY v1: no end of line within ${V1_MAX_BYTES} bytes` }
      : { kind: 'incomplete' };
  const length = end + 2;
  if (length > V1_MAX_BYTES) return { kind: 'bad', reason: `PROXY v1: line longer than ${V1_MAX_BYTES} bytes` };
  const fields = head.subarray(0, end).toString('latin1').split(' ');
  if (fields[1] === 'UNKNOWN') return { kind: 'local', length };
  if (fields.length !== 6) return { kind: 'bad', reason: 'PROXY v1: expected 6 fields' };
  const [, protocol, source = '', , sourcePort = ''] = fields;
  const family = protocol === 'TCP4' ? 4 : protocol === 'TCP6' ? 6 : 0;
  if (family === 0) return { kind: 'bad', reason: `PROXY v1: unknown protocol ${JSON.stringify(protocol)}` };
  if (net.isIP(source) !== family)
    return { kind: 'bad', reason: `PROXY v1: ${JSON.stringify(source)} is not ${protocol}` };
  const port = Number(sourcePort);
  if (!/^\d{1,5}$/.test(sourcePort) || port > 65535) return { kind: 'bad', reason: 'PROXY v1: bad source port' };
  return { kind: 'proxy', address: source, port, length };
}

/** Eight hex words as the usual short form (the longest run of zero words as "::"), as Node writes them. */
function compactIpv6(words: string[]): string {
  let bestAt = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === '0') j++;
    if (j - i > bestLength) [bestAt, bestLength] = [i, j - i];
    i = j;
  }
  if (bestAt === -1) return words.join(':');
  return `${words.slice(0, bestAt).join(':')}::${words.slice(bestAt + bestLength).join(':')}`;
}
