/**
 * Which addresses count as one client for a per-address limit (issue #11.17). Counting exact addresses
 * let one machine open the cap many times over: every address in 127.0.0.0/8 is the same host, and an
 * IPv6 user is usually handed a whole /64 to pick addresses from.
 */
import net from 'node:net';
import type { Limits } from '../limits.js';

export type AddressGrouping = Pick<Limits, 'ipv4Prefix' | 'ipv6Prefix' | 'loopbackOneHost'>;

/**
 * The key a per-address limit counts `address` under (its addressGroup), or null when the address is
 * exempt (--exempt: a classroom behind one NAT address). Every per-address limit counts through one of
 * these, made once at start-up (server.ts), so they all group and exempt the same way.
 */
export type AddressKey = (address: string) => string | null;

/** How many addresses cachedAddressKey remembers before it starts again from empty. */
const ADDRESS_KEY_CACHE = 4096;

/**
 * `key`, remembering its answers (issue #16): the stored-bytes budget asks for every message, and an
 * exempt-list check plus the grouping cost about 1.8 µs a time (a SocketAddress, an IPv6 regular
 * expression), a tenth of a direct message's whole cost. Bounded: past ADDRESS_KEY_CACHE addresses it
 * forgets them all, so many addresses cost a recomputation, never memory.
 */
export function cachedAddressKey(key: AddressKey): AddressKey {
  const known = new Map<string, string | null>();
  return (address) => {
    let found = known.get(address);
    if (found === undefined) {
      if (known.size >= ADDRESS_KEY_CACHE) known.clear();
      found = key(address);
      known.set(address, found);
    }
    return found;
  };
}

/** The key every address of the same machine or network shares. */
const LOOPBACK = 'loopback';

/**
 * The group `address` counts in: IPv4 by its first `ipv4Prefix` bits ("10.1.2.0/24", or the address
 * itself at /32), IPv6 by its first `ipv6Prefix` bits ("2001:db8:0:1::/64"), an IPv4-mapped IPv6
 * address as the IPv4 one, and all of 127.0.0.0/8 with ::1 as one host (unless `loopbackOneHost` is 0:
 * tests and the soak stand in for many hosts with 127.0.0.x). Anything else (not an IP address) is its
 * own group.
 */
export function addressGroup(address: string, grouping: AddressGrouping): string {
  const plain = withoutZone(address);
  const mapped = ipv4Inside(plain);
  if (mapped !== null) return ipv4Group(mapped, grouping);
  if (net.isIPv4(plain)) return ipv4Group(plain, grouping);
  const words = net.isIPv6(plain) ? ipv6Words(plain) : null;
  if (words === null) return address;
  if (grouping.loopbackOneHost !== 0 && words.every((w, i) => w === (i === 7 ? 1 : 0))) return LOOPBACK;
  return ipv6Group(words, grouping.ipv6Prefix);
}

/** The address without an IPv6 zone ("fe80::1%eth0"). */
function withoutZone(address: string): string {
  const percent = address.indexOf('%');
  return percent === -1 ? address : address.slice(0, percent);
}

/** The IPv4 address inside an IPv4-mapped IPv6 one (::ffff:1.2.3.4 or ::ffff:102:304), else null. */
function ipv4Inside(address: string): string | null {
  if (!net.isIPv6(address)) return null;
  const words = ipv6Words(address);
  if (words === null || !words.slice(0, 5).every((w) => w === 0) || words[5] !== 0xffff) return null;
  return [words[6]! >> 8, words[6]! & 0xff, words[7]! >> 8, words[7]! & 0xff].join('.');
}

function ipv4Group(address: string, grouping: AddressGrouping): string {
  const prefix = grouping.ipv4Prefix;
  const octets = address.split('.').map(Number);
  if (octets[0] === 127 && grouping.loopbackOneHost !== 0) return LOOPBACK;
  if (prefix >= 32) return address;
  const value = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const masked = prefix <= 0 ? 0 : (value & (~0 << (32 - prefix))) >>> 0;
  return `${[masked >>> 24, (masked >>> 16) & 0xff, (masked >>> 8) & 0xff, masked & 0xff].join('.')}/${prefix}`;
}

function ipv6Group(words: number[], prefix: number): string {
  const bits = Math.max(0, Math.min(128, prefix));
  const masked = words.map((word, i) => {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    return keep === 0 ? 0 : word & ((0xffff << (16 - keep)) & 0xffff);
  });
  const text = masked.map((w) => w.toString(16)).join(':');
  return bits >= 128 ? text : `${text}/${bits}`;
}

/** The eight 16-bit words of a valid IPv6 address (net.isIPv6 checked it), or null. */
function ipv6Words(address: string): number[] | null {
  // A dotted IPv4 tail ("::ffff:1.2.3.4") is the last two words: rewrite it as two hex words.
  const lastColon = address.lastIndexOf(':');
  const last = address.slice(lastColon + 1);
  let text = address;
  if (net.isIPv4(last)) {
    const o = last.split('.').map(Number);
    text = `${address.slice(0, lastColon + 1)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((w) => parseInt(w, 16)));
  const front = parse(head);
  const back = rest === undefined ? [] : parse(rest);
  const missing = 8 - front.length - back.length;
  if (rest === undefined ? missing !== 0 : missing < 0) return null;
  const words = [...front, ...new Array<number>(missing).fill(0), ...back];
  return words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : null;
}
