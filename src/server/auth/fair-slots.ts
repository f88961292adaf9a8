/**
 * A few slots shared fairly between owners (issue #11.9: password hashes, owned by the requesting
 * address). An owner holds at most `perOwner` slots running or waiting, and when a slot frees the
 * owners take turns (round-robin), so a flood from some addresses delays another address by at most
 * one turn per busy address, however many connections they open.
 */
import { ChatError } from '../../protocol/errors.js';

export class FairSlots {
  private running = 0;
  private queued = 0;
  /** Slots running or waiting, per owner. */
  private readonly held = new Map<string, number>();
  /** Waiters per owner; the Map's order is the turn order (an owner served goes to the back). */
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(
    private readonly maxConcurrent: number,
    private readonly perOwner: number,
    /** Waiters in all beyond which an owner that already waits is refused (one that does not may always join). */
    private readonly maxQueued: number,
  ) {}

  /** Waiters now, over all owners. */
  get waiters(): number {
    return this.queued;
  }

  /** Resolves once `owner` holds a slot; rejects with rate_limited when it holds its share or the queue is full. Pair with release(owner). */
  acquire(owner: string): Promise<void> {
    const mine = this.held.get(owner) ?? 0;
    if (mine >= this.perOwner) return Promise.reject(busy('too many passwords from your address are being checked'));
    if (this.running < this.maxConcurrent) {
      this.running++;
      this.held.set(owner, mine + 1);
      return Promise.resolve();
    }
    // An owner with nothing waiting may always join, so a full queue cannot shut out a new address.
    if (this.queued >= this.maxQueued && mine > 0) return Promise.reject(busy('the server is busy checking passwords'));
    this.held.set(owner, mine + 1);
    this.queued++;
    return new Promise((resolve) => {
      const list = this.waiting.get(owner);
      if (list) list.push(resolve);
      else this.waiting.set(owner, [resolve]);
    });
  }

  /** Gives back a slot `owner` held, and hands it to the next owner in turn. */
  release(owner: string): void {
    const mine = (this.held.get(owner) ?? 1) - 1;
    if (mine > 0) this.held.set(owner, mine);
    else this.held.delete(owner);
    this.running--;
    const next = this.waiting.entries().next();
    if (next.done) return;
    const [nextOwner, list] = next.value;
    const wake = list.shift()!;
    this.waiting.delete(nextOwner);
    if (list.length > 0) this.waiting.set(nextOwner, list); // to the back of the turn order
    this.queued--;
    this.running++;
    wake();
  }
}

function busy(what: string): ChatError {
  return new ChatError('rate_limited', `${what}; try again in a second`, { retry_after_ms: 1000 });
}
