/**
 * Who may bring a new name (issue #11.4): `--signup open` lets anyone, `closed` only the users the
 * instructor made (`classchat admin add-user`), `invite` whoever has a code from `classchat admin
 * invite`. "New" means a name the server has no user row for; a name it knows (an account, a claimed
 * or released name) is governed by --auth alone. Codes are stored hashed, like tokens, and each
 * sign-up takes one use in a single UPDATE, so a code's last use goes to one sign-up only.
 */
import { randomBytes } from 'node:crypto';
import { ChatError } from '../../protocol/errors.js';
import type { SignupMode } from '../config.js';
import type { Store } from '../store/store.js';
import { tokenHash } from './tokens.js';

export class SignupPolicy {
  constructor(
    readonly mode: SignupMode,
    private readonly store: Pick<Store, 'useInvite'>,
    private readonly now: () => string,
  ) {}

  /**
   * Checks what can be checked for free, before any password is hashed (issue #11.9): throws
   * signup_closed, or invite_required when no code came with the request. Call for a new name only.
   */
  precheck(invite: string | undefined): void {
    if (this.mode === 'closed') throw new ChatError('signup_closed');
    if (this.mode === 'invite' && (invite === undefined || invite === '')) throw new ChatError('invite_required');
  }

  /** Admits a new name: the precheck, then (invite mode) takes one use of the code. Throws bad_invite. */
  async admit(invite: string | undefined): Promise<void> {
    this.precheck(invite);
    if (this.mode !== 'invite') return;
    if (!(await this.store.useInvite(tokenHash(invite!), this.now()))) throw new ChatError('bad_invite');
  }
}

/** Makes an invite code good for `uses` sign-ups during `days` days, stores its hash, and returns it. */
export function createInvite(
  store: Pick<Store, 'insertInvite'>,
  uses: number,
  days: number,
  now = new Date(),
): { code: string; expiresAt: string } {
  // 80 random bits, far too many to guess, in hex: easy to read out to a class, and never starting with
  // "-" (base64url did, 1 in 64, and `classchat chat --invite -x…` then read the code as an option).
  const code = randomBytes(10).toString('hex');
  const expiresAt = new Date(now.getTime() + days * 86_400_000).toISOString();
  store.insertInvite(tokenHash(code), uses, expiresAt, now.toISOString());
  return { code, expiresAt };
}
