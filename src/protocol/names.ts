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

/** The reserved names, each with what it stands for: said to whoever tries to take one (issue #12.9). */
const RESERVED = new Map<string, string>([
  [EVERYONE, 'it addresses every user'],
  [SERVER_NAME, "it signs the server's own messages"],
]);

/** True when `name` has the allowed shape (1-32 of letters, digits, `.`, `_`, `-`) and is not reserved. */
export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name) && !RESERVED.has(nameKey(name));
}

/**
 * The refusal's text when `name` is a reserved one (`what`: "name", "room name"); undefined for any
 * other name. Issue #12.9: `everyone` has the allowed shape, so the shape rule alone did not say why.
 */
export function reservedNameText(name: string, what = 'name'): string | undefined {
  const reason = name.length <= NAME_MAX_LENGTH ? RESERVED.get(nameKey(name)) : undefined;
  return reason === undefined ? undefined : `"${name}" is reserved (${reason}); choose another ${what}`;
}

/** The comparison key of a name: names are unique case-insensitively, but shown as typed. */
export function nameKey(name: string): string {
  return name.toLowerCase();
}
