/**
 * Password hashing with node:crypto scrypt (issue #4). OWASP's parameters (N=2^17, r=8, p=1) take
 * 128 MiB and ~100 ms a hash, so hashes run a few at a time: a reconnect storm queues instead of
 * exhausting memory, and past a bounded queue it is refused. Every hash is charged to an owner (the
 * requesting address) that gets a bounded, fair share of the slots (issue #11.9, FairSlots). Hashes
 * record their parameters, so a cost change applies to new hashes and old ones still verify.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ChatError } from '../../protocol/errors.js';
import { FairSlots } from './fair-slots.js';

const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Longest password accepted, in UTF-8 bytes: hashing cost should not depend on what a client sends. */
export const MAX_PASSWORD_BYTES = 1024;
export const MIN_PASSWORD_LENGTH = 8;
/** Hashes allowed to wait for a slot, per running slot; beyond it a login is told to retry. */
const QUEUE_PER_SLOT = 64;
/** The owner of hashes not made for a connection (the admin CLI). */
export const LOCAL_OWNER = 'local';

/** Throws weak_password unless the password is 8 characters to 1 KiB. */
export function assertPasswordRules(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new ChatError('weak_password', `a password has at least ${MIN_PASSWORD_LENGTH} characters`);
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES)
    throw new ChatError('weak_password', `a password has at most ${MAX_PASSWORD_BYTES} bytes`);
}

export class PasswordHasher {
  private readonly slots: FairSlots;
  /** A hash of nothing, verified against when a name has no account, so both take the same time. */
  private decoy: Promise<string> | null = null;

  constructor(
    /** log2 of scrypt's N for new hashes. */
    private readonly cost: number,
    maxConcurrent: number,
    /** Hashes one owner may have running or waiting (the `hashesPerAddress` limit). */
    perOwner = Infinity,
    /** Owners that may not take the slot kept for those in good standing (see FairSlots). */
    isSuspect?: (owner: string) => boolean,
  ) {
    this.slots = new FairSlots(maxConcurrent, perOwner, maxConcurrent * QUEUE_PER_SLOT, isSuspect);
  }

  /** Hashes waiting for a slot now. */
  get waiting(): number {
    return this.slots.waiters;
  }

  /** A self-describing hash: `scrypt$<log2 N>$<r>$<p>$<salt>$<key>`, base64. Throws rate_limited when `owner` has used its share. */
  async hash(password: string, owner = LOCAL_OWNER): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await this.derive(owner, password, salt, this.cost, R, P);
    return ['scrypt', this.cost, R, P, salt.toString('base64'), key.toString('base64')].join('$');
  }

  /**
   * True when `password` matches `stored`; compared in constant time. A null `stored` is checked
   * against a decoy and is false. Throws rate_limited when `owner` has used its share.
   */
  async verify(password: string, stored: string | null, owner = LOCAL_OWNER): Promise<boolean> {
    const target = stored ?? (await (this.decoy ??= this.decoyHash()));
    const [scheme, cost, r, p, salt, expected] = target.split('$');
    if (scheme !== 'scrypt' || salt === undefined || expected === undefined) return false;
    const want = Buffer.from(expected, 'base64');
    const got = await this.derive(
      owner,
      password,
      Buffer.from(salt, 'base64'),
      Number(cost),
      Number(r),
      Number(p),
      want.length,
    );
    return timingSafeEqual(got, want) && stored !== null;
  }

  /** The decoy, made once; a refused attempt (a busy hasher) is not kept, or it would refuse every later login. */
  private decoyHash(): Promise<string> {
    return this.hash('decoy password').catch((err: unknown) => {
      this.decoy = null;
      throw err;
    });
  }

  private async derive(
    owner: string,
    password: string,
    salt: Buffer,
    cost: number,
    r: number,
    p: number,
    length = KEY_BYTES,
  ): Promise<Buffer> {
    await this.slots.acquire(owner);
    try {
      const N = 2 ** cost;
      // scrypt needs 128·N·r bytes; its default cap (32 MiB) is below OWASP's cost.
      const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
      return await new Promise<Buffer>((resolve, reject) =>
        scrypt(password.normalize('NFC'), salt, length, options, (err, key) => (err ? reject(err) : resolve(key))),
      );
    } finally {
      this.slots.release(owner);
    }
  }
}
