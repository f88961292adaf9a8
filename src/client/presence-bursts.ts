/**
 * Presence events that come in a burst are shown as one line (issue #12.7): after a server restart every
 * contact comes back within a few seconds, and a line per contact ("Bob is online", "Carol is online", …)
 * pushed the conversation off the screen. The rule:
 * - a `connect` or `disconnect` event with no other one in the QUIET_MS before it is shown at once, as
 *   before: a lone "Bob is online" is never delayed;
 * - one that comes within QUIET_MS of the previous (a burst), or within SETTLE_MS after this client
 *   reconnected (its contacts are reconnecting too), is held, and the held ones are shown together,
 *   "online: Bob, Carol, Dave", once QUIET_MS pass without another, or at the latest MAX_HOLD_MS after
 *   the first was held (a steady trickle still shows).
 * So in a burst the first event may show alone and the rest in one line; after a reconnect the whole
 * burst is one line. Other events (muted, role, deleted, …) are shown at once. --json prints every
 * event as it came (from the raw output), so scripts see them all.
 */
/**
 * What a burst line reads of a presence event: a SystemEvent (src/protocol/messages.ts) is one. The
 * line made of a burst keeps the last event's fields with the names in its text.
 */
export type PresenceEvent = {
  status?: string;
  event: string;
  sender: string;
  receiver?: string;
  text: string;
  ts?: string;
};

export interface BurstTiming {
  quietMs: number;
  settleMs: number;
  maxHoldMs: number;
}

export const BURST_TIMING: BurstTiming = { quietMs: 1000, settleMs: 3000, maxHoldMs: 3000 };

const WORDS: Record<string, string> = { connect: 'online', disconnect: 'offline' };

export class PresenceBursts {
  private held: PresenceEvent[] = [];
  private lastAt = -Infinity;
  private settleUntil = -Infinity;
  private quietTimer: NodeJS.Timeout | null = null;
  private holdTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly show: (event: PresenceEvent) => void,
    private readonly timing: BurstTiming = BURST_TIMING,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** This client has just logged in again after a lost connection: its contacts are likely doing the same. */
  reconnected(): void {
    this.settleUntil = this.now() + this.timing.settleMs;
  }

  /** Shows an event now, or holds it for the burst's line. */
  push(event: PresenceEvent): void {
    if (WORDS[event.event] === undefined) return this.show(event);
    const at = this.now();
    const inBurst = at - this.lastAt < this.timing.quietMs || at < this.settleUntil;
    this.lastAt = at;
    if (!inBurst && this.held.length === 0) return this.show(event);
    this.held.push(event);
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.flush(), this.timing.quietMs).unref();
    this.holdTimer ??= setTimeout(() => this.flush(), this.timing.maxHoldMs).unref();
  }

  /** Shows what is held (also when the session ends, so nothing held is lost). */
  flush(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.quietTimer = this.holdTimer = null;
    const held = this.held.splice(0);
    // Runs of the same event in arrival order, so "offline: Bob" never shows before the "online" it followed.
    for (let start = 0; start < held.length;) {
      let end = start;
      while (end < held.length && held[end]!.event === held[start]!.event) end++;
      this.showRun(held.slice(start, end));
      start = end;
    }
  }

  private showRun(run: PresenceEvent[]): void {
    const last = run.at(-1)!;
    const names = [...new Set(run.map((e) => e.sender))];
    if (names.length === 1) return this.show(last);
    this.show({ ...last, sender: 'server', text: `${WORDS[last.event]}: ${names.join(', ')}` });
  }
}
