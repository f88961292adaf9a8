/**
 * Who may open a connection (issue #4): a total cap and a per-address cap, with an exempt list of
 * addresses and CIDR ranges for a classroom that reaches the server through one NAT address. The
 * per-address cap counts address groups (issue #11.17: a /64, all of loopback), see address-group.ts.
 */
import net from 'node:net';
import type { Limits } from '../limits.js';
import { addressGroup } from './address-group.js';

export class Admission {
  private readonly perAddress = new Map<string, number>();
  private readonly exempt = new net.BlockList();
  private total = 0;

  /** `exempt`: addresses ("10.0.0.5", "::1") and CIDR ranges ("10.0.0.0/8"). Throws on a malformed one. */
  constructor(
    private readonly limits: Pick<
      Limits,
      'maxConnections' | 'maxPerAddress' | 'ipv4Prefix' | 'ipv6Prefix' | 'loopbackOneHost'
    >,
    exempt: readonly string[],
  ) {
    for (const entry of exempt) {
      const [address = '', prefix] = entry.split('/');
      const family = net.isIPv6(address) ? 'ipv6' : 'ipv4';
      if (net.isIP(address) === 0) throw new Error(`not an IP address: ${entry}`);
      if (prefix === undefined) this.exempt.addAddress(address, family);
      else {
        const bits = Number(prefix);
        if (!Number.isInteger(bits) || bits < 0 || bits > (family === 'ipv4' ? 32 : 128))
          throw new Error(`bad CIDR prefix: ${entry}`);
        this.exempt.addSubnet(address, bits, family);
      }
    }
  }

  /** Counts a new connection from `address`, or returns why it is refused (and counts nothing). */
  admit(address: string): string | null {
    if (this.total >= this.limits.maxConnections)
      return `the server is full (${this.limits.maxConnections} connections)`;
    // An exempt address is not counted in its group: exempting 10.0.0.1 must not use up the cap of 10.0.0.2.
    if (!this.isExempt(address)) {
      const group = addressGroup(address, this.limits);
      const count = this.perAddress.get(group) ?? 0;
      if (count >= this.limits.maxPerAddress) {
        const from = group === address ? address : `${address} (counted with ${group})`;
        return `too many connections from ${from} (at most ${this.limits.maxPerAddress})`;
      }
      this.perAddress.set(group, count + 1);
    }
    this.total++;
    return null;
  }

  /** A connection admitted from `address` has closed. */
  release(address: string): void {
    this.total--;
    if (this.isExempt(address)) return;
    const group = addressGroup(address, this.limits);
    const count = this.perAddress.get(group) ?? 0;
    if (count <= 1) this.perAddress.delete(group);
    else this.perAddress.set(group, count - 1);
  }

  /** True for an address on the exempt list (also spares it per-address byte budgets, issue #11.12). */
  isExempt(address: string): boolean {
    return this.exempt.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
  }
}

/** The address a socket comes from, with IPv4 written as IPv4 even on a dual-stack listener. */
export function socketAddress(socket: net.Socket): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}
