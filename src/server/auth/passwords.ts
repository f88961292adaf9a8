/**
 * Password hashing with node:crypto scrypt (issue #4). OWASP's parameters (N=2^17, r=8, p=1) take
 * 128 MiB and ~100 ms a hash, so hashes run a few at a time: a reconnect storm queues instead of
 * exhausting memory, and past a bounded queue it is refused. Hashes record their parameters, so a
 * cost change applies to new hashes and old ones still verify.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ChatError } from '../../protocol/errors.js';

const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Longest password accepted, in UTF-8 bytes: hashing cost should not depend on what a client sends. */
export const MAX_PASSWORD_BYTES = 1024;
export const MIN_PASSWORD_LENGTH = 8;
/** Hashes allowed to wait for a slot, per running slot; beyond it a login is told to retry. */
const QUEUE_PER_SLOT = 64;

/** Throws weak_password unless the password is 8 characters to 1 KiB. */
export function assertPasswordRules(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new ChatError('weak_password', `a password has at least ${MIN_PASSWORD_LENGTH} characters`);
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw new ChatError('weak_password', `a password has at most ${MAX_PASSWORD_BYTES} bytes`);
}

export class PasswordHasher {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** A hash of nothing, verified against when a name has no account, so both take the same time. */
  private decoy: Promise<string> | null = null;

  constructor(
    /** log2 of scrypt's N for new hashes. */
    private readonly cost: number,
    private readonly maxConcurrent: number,
  ) {}

  /** A self-describing hash: `scrypt$<log2 N>$<r>$<p>$<salt>$<key>`, base64. */
  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await this.derive(password, salt, this.cost, R, P);
    return ['scrypt', this.cost, R, P, salt.toString('base64'), key.toString('base64')].join('$');
  }

  /** True when `password` matches `stored`; compared in constant time. A null `stored` is checked against a decoy and is false. */
  async verify(password: string, stored: string | null): Promise<boolean> {
    const target = stored ?? (await (this.decoy ??= this.hash('decoy password')));
    const [scheme, cost, r, p, salt, expected] = target.split('$');
    if (scheme !== 'scrypt' || salt === undefined || expected === undefined) return false;
    const want = Buffer.from(expected, 'base64');
    const got = await this.derive(password, Buffer.from(salt, 'base64'), Number(cost), Number(r), Number(p), want.length);
    return timingSafeEqual(got, want) && stored !== null;
  }

  private async derive(password: string, salt: Buffer, cost: number, r: number, p: number, length = KEY_BYTES): Promise<Buffer> {
    await this.slot();
    try {
      const N = 2 ** cost;
      // scrypt needs 128·N·r bytes; its default cap (32 MiB) is below OWASP's cost.
      const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
      return await new Promise<Buffer>((resolve, reject) =>
        scrypt(password.normalize('NFC'), salt, length, options, (err, key) => (err ? reject(err) : resolve(key))),
      );
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  /** Waits for one of the `maxConcurrent` slots (taken when this resolves). */
  private slot(): Promise<void> {
    if (this.running < this.maxConcurrent) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxConcurrent * QUEUE_PER_SLOT) {
      return Promise.reject(new ChatError('rate_limited', 'the server is busy checking passwords; try again in a second', { retry_after_ms: 1000 }));
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.running++;
        resolve();
      }),
    );
  }
}
