/**
 * The main thread's handle on the probe thread (probe-worker.ts), where the bystander and the real
 * user run so that the attack generators' own load does not count in their figures.
 *
 * The thread never keeps the soak alive: it is unref'd, `stop` terminates it, and it dies with the
 * process on any exit (Ctrl-C's process.exit included). A reply it owes is waited for with a ref'd
 * timer, which keeps the soak alive only that long and fails the run if the thread hangs.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { FromProbes, ProbeSetup, ToProbes } from './probe-worker.js';
import type { LoginWindow, PingWindow } from './probes.js';

/** Taking a window is a few array sorts on an idle thread: this long means it is stuck. */
const REPLY_TIMEOUT_MS = 10_000;

interface Pending {
  resolve: (figures: { ping: PingWindow; login: LoginWindow }) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** The bystander and the real user, on their own thread; figures are taken per window. */
export class ProbeThread {
  private worker: Worker | null = null;
  private pending = new Map<number, Pending>();
  private nextId = 0;
  /** Why the thread is gone, once it is: every later ask fails with it. */
  private failed: Error | null = null;
  /** When the latest prompt real-user login had started, in this thread's performance.now(). */
  private lastPromptStart = -Infinity;

  constructor(private readonly setup: ProbeSetup) {}

  start(): void {
    const worker = new Worker(new URL('./probe-worker.js', import.meta.url), { workerData: this.setup });
    worker.unref();
    worker.on('message', (message: FromProbes) => this.onMessage(message));
    // A listener is needed anyway: an 'error' without one would throw in the main thread.
    worker.on('error', (err) => this.fail(new Error(`probe thread failed: ${err.stack ?? err.message}`)));
    worker.on('exit', (code) => this.fail(new Error(`probe thread exited (code ${code})`)));
    this.worker = worker;
  }

  /** Ends the thread; the bystander's and waiting logins' connections close with it. */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.fail(new Error('probe thread stopped'));
    if (worker) await worker.terminate();
  }

  /** The bystander's and the real user's figures since the last call. */
  takeWindows(): Promise<{ ping: PingWindow; login: LoginWindow }> {
    if (this.failed || !this.worker) return Promise.reject(this.failed ?? new Error('probe thread not started'));
    const worker = this.worker;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new Error(`probe thread did not answer within ${REPLY_TIMEOUT_MS} ms`)),
        REPLY_TIMEOUT_MS,
      );
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage({ type: 'window', id } satisfies ToProbes);
    });
  }

  /** True once a real-user login started at or after `t` (performance.now()) succeeded promptly. */
  promptSince(t: number): boolean {
    return this.lastPromptStart >= t;
  }

  private onMessage(message: FromProbes): void {
    if (message.type === 'prompt') {
      this.lastPromptStart = Math.max(this.lastPromptStart, message.startedAt - performance.timeOrigin);
      return;
    }
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    clearTimeout(waiting.timer);
    waiting.resolve({ ping: message.ping, login: message.login });
  }

  /** Marks the thread gone (the first reason stands) and fails every ask still waiting. */
  private fail(err: Error): void {
    this.failed ??= err;
    for (const waiting of this.pending.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(this.failed);
    }
    this.pending.clear();
  }
}
