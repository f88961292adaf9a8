/**
 * Naming rules shared by the server and the clients. Users and rooms share one namespace, so that
 * `Name: text` and `history <name>` are never ambiguous (docs/protocol.md, "Names").
 */

export const NAME_MAX_LENGTH = 32;
const NAME_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;

/** The receiver that addresses every online user (seed 003). */
export const EVERYONE = 'everyone';
/** The sender of system events, and a prefix in seed 002's `server:who`. */
export const SERVER_NAME = 'server';

const RESERVED = new Set([EVERYONE, SERVER_NAME]);

/** True when `name` has the allowed shape (1-32 of letters, digits, `.`, `_`, `-`) and is not reserved. */
export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name) && !RESERVED.has(nameKey(name));
}

/** The comparison key of a name: names are unique case-insensitively, but shown as typed. */
export function nameKey(name: string): string {
  return name.toLowerCase();
}
