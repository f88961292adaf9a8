/**
 * A few slots shared fairly between owners (issue #11.9: password hashes, owned by the requesting
 * address). An owner holds at most `perOwner` slots running or waiting, and when a slot frees the
 * owners take turns (round-robin), so a flood from some addresses delays another address by at most
 * one turn per busy address, however many connections they open.
 *
 * One slot is kept for owners in good standing (issue #11.9: "reserve capacity so real logins finish
 * within 2 s under this attack"): an owner `isSuspect` calls suspect (its address failed logins lately)
 * may hold at most maxConcurrent - 1 of the running slots, and a freed slot goes to an owner in good
 * standing before any suspect. So a flood of wrong passwords, from however many addresses, leaves a
 * real user waiting for at most the hash that holds the kept slot, not behind every attacker's turn.
 */
import { ChatError } from '../../protocol/errors.js';

export class FairSlots {
  private running = 0;
  private queued = 0;
  /** Slots running or waiting, per owner. */
  private readonly held = new Map<string, number>();
  /** Waiters per owner; the Map's order is the turn order (an owner served goes to the back). */
  private readonly waiting = new Map<string, (() => void)[]>();
  /** Running slots granted to suspect owners, per owner, and in all. */
  private readonly suspectHeld = new Map<string, number>();
  private suspectRunning = 0;

  constructor(
    private readonly maxConcurrent: number,
    private readonly perOwner: number,
    /** Waiters in all beyond which an owner that already waits is refused (one that does not may always join). */
    private readonly maxQueued: number,
    /** True for an owner that may not take the kept slot (its address failed logins lately). */
    private readonly isSuspect: (owner: string) => boolean = () => false,
  ) {}

  /** Running slots suspects may hold: all but one, when there is more than one. */
  private get suspectCap(): number {
    return this.maxConcurrent > 1 ? this.maxConcurrent - 1 : this.maxConcurrent;
  }

  /** Whether `owner` may start now, given the running slots and the kept one. */
  private mayRun(owner: string): boolean {
    if (this.running >= this.maxConcurrent) return false;
    return !this.isSuspect(owner) || this.suspectRunning < this.suspectCap;
  }

  /** Counts a running slot for `owner`. */
  private start(owner: string): void {
    this.running++;
    if (this.isSuspect(owner)) {
      this.suspectRunning++;
      this.suspectHeld.set(owner, (this.suspectHeld.get(owner) ?? 0) + 1);
    }
  }

  /** Waiters now, over all owners. */
  get waiters(): number {
    return this.queued;
  }

  /** Resolves once `owner` holds a slot; rejects with rate_limited when it holds its share or the queue is full. Pair with release(owner). */
  acquire(owner: string): Promise<void> {
    const mine = this.held.get(owner) ?? 0;
    if (mine >= this.perOwner) return Promise.reject(busy('too many passwords from your address are being checked'));
    if (this.mayRun(owner)) {
      this.start(owner);
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
    const suspect = this.suspectHeld.get(owner) ?? 0;
    if (suspect > 0) {
      this.suspectRunning--;
      if (suspect > 1) this.suspectHeld.set(owner, suspect - 1);
      else this.suspectHeld.delete(owner);
    }
    // Owners in good standing first, in turn order; then suspects, if the kept slot allows.
    let chosen: string | undefined;
    for (const candidate of this.waiting.keys()) {
      if (!this.isSuspect(candidate)) {
        chosen = candidate;
        break;
      }
      chosen ??= candidate;
    }
    if (chosen === undefined || !this.mayRun(chosen)) return;
    const list = this.waiting.get(chosen)!;
    const wake = list.shift()!;
    this.waiting.delete(chosen);
    if (list.length > 0) this.waiting.set(chosen, list); // to the back of the turn order
    this.queued--;
    this.start(chosen);
    wake();
  }
}

function busy(what: string): ChatError {
  return new ChatError('rate_limited', `${what}; try again in a second`, { retry_after_ms: 1000 });
}
