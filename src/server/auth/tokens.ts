/**
 * Session tokens (issue #4): a random secret a client keeps to reconnect without its password. Only
 * its SHA-256 is stored, so the database alone does not let anyone log in; `exit` revokes the
 * session's token and a password change revokes them all.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A new token: 32 random bytes, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the store keeps of a token. A fast hash is right here: the token has 256 bits of entropy. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
