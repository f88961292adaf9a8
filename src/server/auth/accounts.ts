/**
 * Accounts (issue #4): a password owns a name; `login` proves it with the password or a session
 * token. In `open` mode a name no account owns may still be used without one (the seeds); in
 * `accounts` mode every user has an account. A failed login never says whether the name or the
 * password was wrong, and takes as long either way.
 */
import { ChatError } from '../../protocol/errors.js';
import { nameKey } from '../../protocol/names.js';
import type { Chat } from '../chat/chat.js';
import { assertCanClaim, assertNotRegistered, createUser, passwordRequired } from '../chat/login.js';
import type { Session } from '../chat/session.js';
import type { AuthMode } from '../config.js';
import type { Limits } from '../limits.js';
import type { UserRecord } from '../store/store.js';
import { AccountLoginGuard, ConnectionLoginGuard } from './login-guard.js';
import { assertPasswordRules, PasswordHasher } from './passwords.js';
import { newToken, tokenHash } from './tokens.js';

/** A connection as accounts see it. */
export interface Claimant {
  session: Session | null;
  readonly closed: boolean;
  /** Created on the first failed login only: most connections never fail one. */
  loginGuard: ConnectionLoginGuard | null;
}

export interface Authenticated {
  user: UserRecord;
  /** A new token for the client to keep (absent when it logged in with one). */
  token?: string;
  /** The token's row id, which the session keeps to revoke it at exit. */
  tokenId: number;
}

/** What `login` carries: exactly one of the two (checked by logIn). */
export interface Credentials {
  password?: string | undefined;
  token?: string | undefined;
}

export class Accounts {
  readonly hasher: PasswordHasher;
  private readonly guard: AccountLoginGuard;

  constructor(
    private readonly chat: Chat,
    readonly mode: AuthMode,
    scryptCost: number,
    private readonly limits: Pick<Limits, 'maxConcurrentHashes' | 'loginFailuresPerMinute' | 'accountFailuresBeforeLock'>,
  ) {
    this.hasher = new PasswordHasher(scryptCost, limits.maxConcurrentHashes);
    this.guard = new AccountLoginGuard(limits);
  }

  /**
   * `register` with a password: creates the account that owns `name` (or gives a password to a name
   * used in open mode that no account owns yet). Throws password_required when an account owns it.
   */
  async signUp(conn: Claimant, name: string, password: string): Promise<Authenticated | null> {
    assertCanClaim(this.chat, conn, name);
    assertPasswordRules(password);
    const key = nameKey(name);
    const hash = await this.hasher.hash(password);
    if (conn.closed) return null;
    // Looked up after hashing, so a name claimed meanwhile is seen.
    const existing = await this.chat.store.findUser(key);
    if (conn.closed) return null;
    assertCanClaim(this.chat, conn, name);
    if (existing?.passwordHash) throw passwordRequired(existing.name, true);
    let user: UserRecord;
    if (existing) {
      this.chat.store.setPassword(existing.id, hash);
      this.chat.requestCommit();
      user = { ...existing, passwordHash: hash };
    } else {
      user = await createUser(this.chat, { name, key, passwordHash: hash, role: 'user' });
    }
    this.chat.log.info({ user: user.name }, 'account created');
    return this.issueToken(user);
  }

  /** `register` without a password: allowed only in open mode. */
  assertOpen(name: string): void {
    if (this.mode === 'accounts') throw passwordRequired(name, false);
  }

  /** `login`: checks the password or token. Throws already_registered, bad_request, rate_limited or auth_failed. */
  async logIn(conn: Claimant, name: string, credentials: Credentials): Promise<Authenticated | null> {
    assertNotRegistered(conn);
    if ((credentials.password === undefined) === (credentials.token === undefined)) {
      throw new ChatError('bad_request', 'login: send either "password" or "token"');
    }
    const key = nameKey(name);
    const now = performance.now();
    conn.loginGuard?.check(now);
    this.guard.check(key, now);
    let user: UserRecord | undefined;
    let tokenId: number | undefined;
    let ok: boolean;
    if (credentials.token !== undefined) {
      const found = await this.chat.store.findUserByToken(tokenHash(credentials.token));
      user = found;
      tokenId = found?.tokenId;
      ok = found !== undefined && found.key === key;
    } else {
      user = await this.chat.store.findUser(key);
      // An unknown name is checked against a decoy hash: the same work and the same reply.
      ok = await this.hasher.verify(credentials.password!, user?.passwordHash ?? null);
    }
    if (conn.closed) return null;
    if (!ok || !user) {
      (conn.loginGuard ??= new ConnectionLoginGuard(this.limits.loginFailuresPerMinute)).failed(now);
      this.guard.failed(key, now);
      this.chat.log.warn({ name: name.slice(0, 40) }, 'failed login');
      throw new ChatError('auth_failed');
    }
    if (tokenId !== undefined) {
      this.guard.succeeded(key);
      return { user, tokenId };
    }
    // Issue #11.3: the verify above took a while; a reset (`classchat admin`) may have committed
    // meanwhile. The token is issued only if the hash verified is still the account's.
    const issued = await this.issueToken(user, user.passwordHash!);
    if (!issued) {
      this.chat.log.warn({ user: user.name }, 'login refused: the password was reset while it was checked');
      throw new ChatError('auth_failed');
    }
    this.guard.succeeded(key);
    return issued;
  }

  /** `password`: checks the old one, stores the new one, revokes every token and issues a new one. */
  async changePassword(session: Session, old: string, replacement: string): Promise<string> {
    assertPasswordRules(replacement);
    const user = await this.chat.store.findUser(session.key);
    if (!user?.passwordHash || !(await this.hasher.verify(old, user.passwordHash))) throw new ChatError('auth_failed', 'the current password is wrong');
    const hash = await this.hasher.hash(replacement);
    // Issue #11.3: an admin reset committed while we hashed wins; the session is being logged out.
    if (!this.chat.store.setPasswordIf(user.id, hash, user.passwordHash)) throw new ChatError('auth_failed', 'your password was reset meanwhile; log in again');
    this.chat.store.deleteTokens(user.id);
    const { token, tokenId } = await this.issueToken(user);
    session.tokenId = tokenId;
    this.chat.log.info({ user: user.name }, 'password changed; tokens revoked');
    return token!;
  }

  /** Revokes the token a session logged in with or was given (exit). */
  revoke(session: Session): void {
    if (session.tokenId === null) return;
    this.chat.store.deleteToken(session.tokenId);
    this.chat.requestCommit();
    session.tokenId = null;
  }

  prune(): void {
    this.guard.prune(performance.now());
  }

  /** A new token; with `verifiedHash`, only while that is still the account's hash (else null). */
  private async issueToken(user: UserRecord): Promise<Authenticated>;
  private async issueToken(user: UserRecord, verifiedHash: string): Promise<Authenticated | null>;
  private async issueToken(user: UserRecord, verifiedHash?: string): Promise<Authenticated | null> {
    const token = newToken();
    const tokenId =
      verifiedHash === undefined
        ? await this.chat.store.insertToken(tokenHash(token), user.id, this.chat.now())
        : await this.chat.store.insertTokenIfPassword(tokenHash(token), user.id, verifiedHash, this.chat.now());
    if (tokenId === null) return null;
    this.chat.requestCommit();
    return { user, token, tokenId };
  }
}
