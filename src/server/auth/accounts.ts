/**
 * Accounts (issue #4): a password owns a name; `login` proves it with the password or a session
 * token. How a name without a password is used depends on the mode (issue #11.1): in `claim` mode (the
 * default) its first `register` claims it and gets a token, which is then its credential; in `open`
 * mode anyone may use a name no account owns (the seeds); in `accounts` mode every user has a
 * password. A failed login never says whether the name or the password was wrong, and takes as long
 * either way.
 */
import { ChatError } from '../../protocol/errors.js';
import { isValidName, nameKey, reservedNameText } from '../../protocol/names.js';
import type { Chat } from '../chat/chat.js';
import { assertCanClaim, assertNotRegistered, createUser, nameClaimed, passwordRequired } from '../chat/login.js';
import type { Session } from '../chat/session.js';
import type { AuthMode, SignupMode } from '../config.js';
import type { AddressKey } from '../guards/address-group.js';
import type { Limits } from '../limits.js';
import type { UserRecord } from '../store/store.js';
import { ConnectionLoginGuard, LoginGuard, type LoginGuardLimits } from './login-guard.js';
import { assertPasswordRules, PasswordHasher } from './passwords.js';
import { SignupPolicy } from './signup.js';
import { newToken, tokenHash } from './tokens.js';

/** A connection as accounts see it. */
export interface Claimant {
  session: Session | null;
  readonly closed: boolean;
  /** Created on the first failed login only: most connections never fail one. */
  loginGuard: ConnectionLoginGuard | null;
  /** The peer's IP address: failures and password hashes are counted per address group (issue #11.5, #11.9). */
  readonly address: string;
  /** The connection's number: an exempt address's connections are counted one by one. */
  readonly id: number;
}

export interface Authenticated {
  user: UserRecord;
  /** A new token for the client to keep (absent when it logged in with one). */
  token?: string;
  /**
   * The token's row id, which the session keeps to revoke it at exit; null for the token of a name
   * without a password (issue #11.1): it is the name's only credential, so a goodbye must not end it.
   */
  tokenId: number | null;
}

/** What `login` carries: exactly one of the two (checked by logIn). */
export interface Credentials {
  password?: string | undefined;
  token?: string | undefined;
}

export class Accounts {
  readonly hasher: PasswordHasher;
  /** Failed logins per address, per name and per (address, name); `guard.bytes` is its memory. */
  readonly guard: LoginGuard;

  private readonly signup: SignupPolicy;

  constructor(
    private readonly chat: Chat,
    readonly mode: AuthMode,
    signup: SignupMode,
    scryptCost: number,
    private readonly limits: Pick<Limits, 'maxConcurrentHashes' | 'hashesPerAddress' | 'loginFailuresPerMinute'> &
      LoginGuardLimits,
    /** What per-address limits count an address under; null when exempt (issue #11.17). */
    private readonly addressKey: AddressKey,
  ) {
    this.guard = new LoginGuard(limits);
    // Issue #11.9: a slot is kept for addresses whose logins have not been failing.
    this.hasher = new PasswordHasher(scryptCost, limits.maxConcurrentHashes, limits.hashesPerAddress, (address) =>
      this.guard.hasFailed(address, performance.now()),
    );
    this.signup = new SignupPolicy(signup, chat.store, () => chat.now());
  }

  /**
   * `register` with a password: creates the account that owns `name` (or gives a password to a known
   * name that no password or token holds). Throws password_required when an account owns it,
   * name_claimed when a token claims it (issue #11.1), and signup_closed, invite_required or bad_invite
   * for a new name the sign-up policy refuses (issue #11.4).
   */
  async signUp(conn: Claimant, name: string, password: string, invite?: string): Promise<Authenticated | null> {
    assertCanClaim(this.chat, conn, name);
    assertPasswordRules(password);
    const key = nameKey(name);
    // Issue #11.9: when an account owns the name the answer is known, so no hash is spent on it; and a
    // new name the sign-up policy refuses is refused before the costly hash too (issue #11.4).
    const owner = await this.chat.store.findUser(key);
    if (conn.closed) return null;
    if (owner?.passwordHash) throw passwordRequired(owner.name, true);
    if (owner && this.mode !== 'open' && (await this.chat.store.hasToken(owner.id))) throw nameClaimed(owner.name);
    if (conn.closed) return null;
    if (!owner) this.signup.precheck(invite);
    const hash = await this.hasher.hash(password, this.countedAs(conn));
    if (conn.closed) return null;
    // Looked up after hashing, so a name claimed meanwhile is seen.
    const existing = await this.chat.store.findUser(key);
    if (conn.closed) return null;
    assertCanClaim(this.chat, conn, name);
    if (existing?.passwordHash) throw passwordRequired(existing.name, true);
    // A name claimed with a token (issue #11.1) is not taken over by whoever sends a password first.
    if (existing && this.mode !== 'open' && (await this.chat.store.hasToken(existing.id)))
      throw nameClaimed(existing.name);
    if (conn.closed) return null;
    let user: UserRecord;
    if (existing) {
      this.chat.store.setPassword(existing.id, hash);
      this.chat.requestCommit();
      user = { ...existing, passwordHash: hash };
    } else {
      await this.signup.admit(invite);
      if (conn.closed) return null;
      assertCanClaim(this.chat, conn, name);
      user = await createUser(this.chat, { name, key, passwordHash: hash, role: 'user' });
    }
    this.chat.log.info({ user: user.name }, 'account created');
    return this.issueToken(user);
  }

  /**
   * `register` without a password in claim mode (issue #11.1): a free name, or one nobody holds a
   * token or password for, is claimed and the reply carries the new token; a claimed name is refused
   * with name_claimed, so nobody reads an absent user's messages by typing her name. In accounts mode
   * the answer is password_required, with `account` saying whether to log in or sign up (issue #11.4).
   */
  async claim(conn: Claimant, name: string, invite?: string): Promise<Authenticated | null> {
    assertCanClaim(this.chat, conn, name);
    const existing = await this.chat.store.findUser(nameKey(name));
    if (conn.closed) return null;
    if (this.mode === 'accounts') throw passwordRequired(existing?.name ?? name, existing?.passwordHash != null);
    if (existing?.passwordHash) throw passwordRequired(existing.name, true);
    const claimed = existing !== undefined && (await this.chat.store.hasToken(existing.id));
    if (conn.closed) return null;
    assertCanClaim(this.chat, conn, name); // another connection may have taken it while we looked
    if (claimed) throw nameClaimed(existing.name);
    if (!existing) {
      await this.signup.admit(invite);
      if (conn.closed) return null;
      assertCanClaim(this.chat, conn, name);
    }
    const user =
      existing ?? (await createUser(this.chat, { name, key: nameKey(name), passwordHash: null, role: 'user' }));
    this.chat.log.info({ user: user.name }, existing ? 'name claimed again' : 'name claimed');
    return this.issueToken(user);
  }

  /** `login`: checks the password or token. Throws already_registered, bad_request, invalid_name, rate_limited or auth_failed. */
  async logIn(conn: Claimant, name: string, credentials: Credentials): Promise<Authenticated | null> {
    assertNotRegistered(conn);
    if ((credentials.password === undefined) === (credentials.token === undefined)) {
      throw new ChatError('bad_request', 'login: send either "password" or "token"');
    }
    // Issue #11.5: an invalid name (60 KB of it, say) is refused before any lookup or guard entry.
    // invalid_name depends only on the name's shape, a public rule, so it tells nothing about accounts.
    if (!isValidName(name)) throw new ChatError('invalid_name', reservedNameText(name));
    const key = nameKey(name);
    const address = this.countedAs(conn);
    const now = performance.now();
    if (credentials.token !== undefined) {
      // Issue #11.10: a valid token logs in whatever locks others caused; only a wrong one is throttled.
      const found = await this.chat.store.findUserByToken(tokenHash(credentials.token));
      if (conn.closed) return null;
      if (found !== undefined && found.key === key) {
        this.guard.succeeded(address, key);
        // A claimed name's token is its credential: exit does not revoke it (issue #11.1).
        return { user: found, tokenId: found.passwordHash ? found.tokenId : null };
      }
      this.assertNotThrottled(conn, address, key, now);
      throw this.failed(conn, address, key, now, name);
    }
    this.assertNotThrottled(conn, address, key, now);
    const user = await this.chat.store.findUser(key);
    // An unknown name is checked against a decoy hash: the same work and the same reply.
    const ok = await this.hasher.verify(credentials.password!, user?.passwordHash ?? null, address);
    if (conn.closed) return null;
    if (!ok || !user) throw this.failed(conn, address, key, now, name);
    // Issue #11.3: the verify above took a while; a reset (`classchat admin`) may have committed
    // meanwhile. The token is issued only if the hash verified is still the account's.
    const issued = await this.issueToken(user, user.passwordHash!);
    if (!issued) {
      this.chat.log.warn({ user: user.name }, 'login refused: the password was reset while it was checked');
      throw new ChatError('auth_failed');
    }
    this.guard.succeeded(address, key);
    return issued;
  }

  /**
   * `password`: checks the old one, stores the new one, revokes every token and issues a new one. A
   * wrong current password counts as a failed login, with the same limits (issue #11.9).
   */
  async changePassword(conn: Claimant, session: Session, old: string, replacement: string): Promise<string> {
    assertPasswordRules(replacement);
    const address = this.countedAs(conn);
    const now = performance.now();
    this.assertNotThrottled(conn, address, session.key, now);
    const user = await this.chat.store.findUser(session.key);
    if (!user?.passwordHash)
      throw new ChatError('auth_failed', `${session.name} has no password yet: send new_password alone to set one`);
    if (!(await this.hasher.verify(old, user.passwordHash, address))) {
      throw this.failed(conn, address, session.key, now, user.name, 'the current password is wrong');
    }
    this.guard.succeeded(address, session.key);
    const hash = await this.hasher.hash(replacement, address);
    // Issue #11.3: an admin reset committed while we hashed wins; the session is being logged out.
    if (!(await this.chat.store.setPasswordIf(user.id, hash, user.passwordHash)))
      throw new ChatError('auth_failed', 'your password was reset meanwhile; log in again');
    this.chat.store.deleteTokens(user.id);
    const { token, tokenId } = await this.issueToken({ ...user, passwordHash: hash });
    session.tokenId = tokenId;
    this.chat.log.info({ user: user.name }, 'password changed; tokens revoked');
    return token!;
  }

  /**
   * `password` without the current one (issue #12.5): a name that has no password (claimed with a
   * token, or taken in open mode) gets its first, from the connection logged in as that name. Hashed
   * in the bounded hasher like a sign-up; it succeeds once per name (then the name has a password),
   * so it needs no failure count. Every token is revoked, as the claim token stops being the
   * credential, and this session gets a new one. Resolves null when the connection closed meanwhile
   * (the password is then not set: nobody would be told). Throws weak_password, password_required
   * when the name has a password, auth_failed when an admin released the name or revoked its tokens meanwhile.
   */
  async setFirstPassword(conn: Claimant, session: Session, replacement: string): Promise<string | null> {
    assertPasswordRules(replacement);
    const user = await this.chat.store.findUser(session.key);
    if (!user) throw new Error(`${session.name} is online but has no user row`); // a bug: logged, answered internal
    if (user.passwordHash)
      throw new ChatError(
        'password_required',
        `${user.name} already has a password: send it as "password" with new_password to change it`,
        { account: true },
      );
    const hash = await this.hasher.hash(replacement, this.countedAs(conn));
    if (conn.closed || conn.session !== session) return null;
    // Outside open mode a token holds the name; `classchat admin` revoking it meanwhile wins (issue #11.3).
    if (!(await this.chat.store.setFirstPassword(user.id, hash, this.mode !== 'open'))) {
      throw new ChatError(
        'auth_failed',
        `${user.name} was given a password, released or logged out meanwhile; log in again`,
      );
    }
    this.chat.store.deleteTokens(user.id);
    const { token, tokenId } = await this.issueToken({ ...user, passwordHash: hash });
    session.tokenId = tokenId;
    this.chat.log.info({ user: user.name }, 'first password set; tokens revoked');
    return token!;
  }

  /** Revokes the token a session logged in with or was given (exit). */
  revoke(session: Session): void {
    if (session.tokenId === null) return;
    this.chat.store.deleteToken(session.tokenId);
    this.chat.requestCommit();
    session.tokenId = null;
  }

  /**
   * What the per-address failure limit and hash share count this connection under: its address group,
   * or, for an exempt address (--exempt, a class behind one NAT), the connection itself, so a class
   * logging in at once is not one address's share; the per-connection limits still apply.
   */
  private countedAs(conn: Claimant): string {
    return this.addressKey(conn.address) ?? `exempt ${conn.address} #${conn.id}`;
  }

  prune(): void {
    this.guard.prune(performance.now());
  }

  /** Throws rate_limited while the connection, its address, or its address at this name is over its failures. */
  private assertNotThrottled(conn: Claimant, address: string, key: string, now: number): void {
    conn.loginGuard?.check(now);
    this.guard.check(address, key, now);
  }

  /** Counts a failure on the connection, its address and the name; returns the auth_failed to throw. */
  private failed(conn: Claimant, address: string, key: string, now: number, name: string, text?: string): ChatError {
    (conn.loginGuard ??= new ConnectionLoginGuard(this.limits.loginFailuresPerMinute)).failed(now);
    this.guard.failed(address, key, now);
    this.chat.log.warn({ name, address }, 'failed login');
    return new ChatError('auth_failed', text);
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
    return { user, token, tokenId: user.passwordHash ? tokenId : null };
  }
}
