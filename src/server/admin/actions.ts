/**
 * The account changes `classchat admin` makes (issue #11.3). Each records, in the same transaction,
 * an admin event that the running server applies within a poll interval (admin-events.ts): so a
 * change is never half-seen, and a server that was not running has nothing to apply (sessions do not
 * outlive it; tokens and roles are read from the database at each login). The caller commits.
 */
import type { Role, Store } from '../store/store.js';

const now = () => new Date().toISOString();

/** A new password; every token revoked; the user's live sessions closed. */
export function resetPassword(store: Store, userId: number, passwordHash: string): void {
  store.setPassword(userId, passwordHash);
  store.deleteTokens(userId);
  store.recordAdminEvent(userId, 'reset_password', now());
}

/** Every token revoked and the live sessions closed; the password stays ("log out everywhere"). */
export function revokeTokens(store: Store, userId: number): void {
  store.deleteTokens(userId);
  store.recordAdminEvent(userId, 'revoke_tokens', now());
}

/** A new role, applied to the live session as well. */
export function changeRole(store: Store, userId: number, role: Role): void {
  store.setRole(userId, role);
  store.recordAdminEvent(userId, 'role', now());
}

/**
 * Frees a name for its next claim: no password, no token, a plain role (a released admin name must
 * not make whoever claims it next an admin). Its rooms, mute and history stay with the name.
 */
export function releaseName(store: Store, userId: number): void {
  store.releaseName(userId);
  store.deleteTokens(userId);
  store.recordAdminEvent(userId, 'release_name', now());
}
