/**
 * Who may open a connection (issue #4): a total cap and a per-address cap, with an exempt list of
 * addresses and CIDR ranges for a classroom that reaches the server through one NAT address. The
 * per-address cap counts address groups (issue #11.17: a /64, all of loopback), see address-group.ts.
 */
import net from 'node:net';
import type { Limits } from '../limits.js';
import { addressGroup } from './address-group.js';
import { addressList, onList } from './address-list.js';

export class Admission {
  private readonly perAddress = new Map<string, number>();
  private readonly exempt: net.BlockList;
  private total = 0;

  /** `exempt`: addresses ("10.0.0.5", "::1") and CIDR ranges ("10.0.0.0/8"). Throws on a malformed one. */
  constructor(
    private readonly limits: Pick<
      Limits,
      'maxConnections' | 'maxPerAddress' | 'ipv4Prefix' | 'ipv6Prefix' | 'loopbackOneHost'
    >,
    exempt: readonly string[],
  ) {
    this.exempt = addressList(exempt);
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
    return onList(this.exempt, address);
  }
}

/**
 * The client's address, when a trusted proxy said it in a PROXY protocol header (#15: proxy-gate.ts
 * sets it before admission). A TLS socket finds it on the TCP socket under it.
 */
export const RELAYED_FROM = Symbol('classchat.relayedFrom');
type RelayedSocket = net.Socket & { [RELAYED_FROM]?: { address: string; port: number }; _parent?: RelayedSocket };

/** The client's address and port as a trusted PROXY header gave them, or undefined. */
export function relayedFrom(socket: net.Socket): { address: string; port: number } | undefined {
  const relayed = socket as RelayedSocket;
  return relayed[RELAYED_FROM] ?? relayed._parent?.[RELAYED_FROM];
}

/**
 * The address a socket comes from, with IPv4 written as IPv4 even on a dual-stack listener: the one
 * a trusted proxy's header names (#15), else the peer's. Every limit, exemption and log counts by it.
 */
export function socketAddress(socket: net.Socket): string {
  const relayed = relayedFrom(socket);
  if (relayed) return relayed.address;
  return peerAddress(socket);
}

/** The address of the socket's own peer (the proxy, for a relayed connection). */
export function peerAddress(socket: net.Socket): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** host:port of the client, for the log (the relayed client's own port when a proxy named it). */
export function socketRemote(socket: net.Socket): string {
  const relayed = relayedFrom(socket);
  return relayed ? `${relayed.address}:${relayed.port}` : `${peerAddress(socket)}:${socket.remotePort}`;
}
