/**
 * A list of addresses and CIDR ranges ("10.0.0.5", "::1", "10.0.0.0/8") as flags give them: --exempt,
 * and --proxy-from (#15). One parser, so both accept and refuse the same entries.
 */
import net from 'node:net';

/** The entries as a BlockList. Throws on a malformed one, naming it. */
export function addressList(entries: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = net.isIPv6(address) ? 'ipv6' : 'ipv4';
    if (net.isIP(address) === 0) throw new Error(`not an IP address: ${entry}`);
    if (prefix === undefined) list.addAddress(address, family);
    else {
      const bits = Number(prefix);
      if (!/^\d+$/.test(prefix) || bits > (family === 'ipv4' ? 32 : 128)) throw new Error(`bad CIDR prefix: ${entry}`);
      list.addSubnet(address, bits, family);
    }
  }
  return list;
}

/** Whether `address` (as socketAddress() writes it) is on `list`. */
export function onList(list: net.BlockList, address: string): boolean {
  return list.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
}
