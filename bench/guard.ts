/**
 * Bounds a workload: a hard time limit for the whole workload, and a stall detector that aborts when a
 * progress counter has not moved for `stallMs`. Progress is sampled (never reported per message), so
 * the hot path pays nothing. Waits raced with `guard.wait` reject with a BenchAbort that says why.
 */

export class BenchAbort extends Error {}

export interface GuardOptions {
  timeoutMs: number;
  stallMs: number;
}

export class Guard {
  /** The phase shown in abort messages (register, join, measure, ...). */
  phase = 'setup';
  /** Returns a number that grows while work gets done. */
  progress: () => number = () => 0;
  /** Extra state for abort messages (counts so far). */
  status: () => string = () => '';
  private readonly aborted: Promise<never>;
  private fail!: (err: BenchAbort) => void;
  private readonly hardTimer: NodeJS.Timeout;
  private readonly stallTimer: NodeJS.Timeout;
  private lastValue = NaN;
  private lastChange = Date.now();
  private reason: string | null = null;

  constructor(
    readonly workload: string,
    options: GuardOptions,
  ) {
    this.aborted = new Promise<never>((_, reject) => (this.fail = reject));
    this.aborted.catch(() => {}); // observed through wait()
    this.hardTimer = setTimeout(
      () => this.abort(`hard timeout: the workload ran past ${options.timeoutMs / 1000} s`),
      options.timeoutMs,
    );
    this.stallTimer = setInterval(() => {
      const value = this.progress();
      if (value !== this.lastValue) {
        this.lastValue = value;
        this.lastChange = Date.now();
      } else if (Date.now() - this.lastChange >= options.stallMs) {
        this.abort(`stalled: no progress for ${options.stallMs / 1000} s`);
      }
    }, 250);
  }

  /** Why the workload was aborted, or null. */
  get abortReason(): string | null {
    return this.reason;
  }

  /** Restarts the stall clock (at the start of a phase). */
  touch(): void {
    this.lastValue = NaN;
    this.lastChange = Date.now();
  }

  /** Resolves like `promise`, or rejects with a BenchAbort if the workload is aborted first. */
  wait<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.aborted]);
  }

  /** Sleeps `ms`, unless aborted first. */
  sleep(ms: number): Promise<void> {
    return this.wait(new Promise<void>((resolve) => setTimeout(resolve, ms)));
  }

  abort(why: string): void {
    if (this.reason !== null) return;
    const status = this.status();
    this.reason = `${this.workload}: ${why} (phase ${this.phase}${status ? `; ${status}` : ''})`;
    this.dispose();
    this.fail(new BenchAbort(this.reason));
  }

  dispose(): void {
    clearTimeout(this.hardTimer);
    clearInterval(this.stallTimer);
  }
}
