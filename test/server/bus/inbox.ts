/** What a bus handler received, with a wait for "this much has arrived" (issue #15 bus tests). */
import type { BusGap, BusHandler } from '../../../src/server/bus/bus.js';

const DEFAULT_TIMEOUT_MS = 5000;

export interface Received {
  text: string;
  bytes: Buffer;
  fromNode: string;
}

export class Inbox {
  readonly received: Received[] = [];
  private waiters: { done: () => boolean; resolve: () => void }[] = [];

  readonly handler: BusHandler = (payload, fromNode) => {
    // A copy: the contract lets the bus hand out a view of a larger buffer.
    this.received.push({ text: payload.toString('latin1'), bytes: Buffer.from(payload), fromNode });
    this.wake();
  };

  /** The texts received from `node`, in arrival order. */
  from(node: string): string[] {
    return this.received.filter((r) => r.fromNode === node).map((r) => r.text);
  }

  texts(): string[] {
    return this.received.map((r) => r.text);
  }

  /** Resolves once `done()` holds (checked after each arrival); rejects after the timeout. */
  until(done: () => boolean, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        done,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.texts().slice(-20))}`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Resolves once `text` has arrived. */
  untilText(text: string, timeoutMs?: number): Promise<void> {
    return this.until(() => this.texts().includes(text), `"${text}"`, timeoutMs);
  }

  private wake(): void {
    for (const waiter of this.waiters.filter((w) => w.done())) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

/** The gaps a bus reported, with a wait for the next one. */
export class GapLog {
  readonly gaps: BusGap[] = [];
  private waiting: (() => void)[] = [];

  readonly listener = (gap: BusGap): void => {
    this.gaps.push(gap);
    for (const wake of this.waiting.splice(0)) wake();
  };

  /** Resolves once `count` gaps have been reported; rejects after the timeout. */
  async until(count: number, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.gaps.length < count) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }
}
