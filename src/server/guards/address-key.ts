/**
 * The one place that turns a peer address into the key per-address limits count by (issue #11.5,
 * #11.9): failed logins, the password hasher's share. Today the exact address; issue #11.17 groups
 * IPv6 by /64 for the connection cap, and should change this function so every per-address limit
 * groups the same way.
 */

/** The key per-address limits count `address` under. */
export function addressKey(address: string): string {
  return address;
}
