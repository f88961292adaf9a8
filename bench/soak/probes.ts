/**
 * What the soak test measures while an attack runs, each in a window that the runner opens before an
 * attack and closes after its settle time:
 * - the server's RSS and open descriptors (/proc/<pid>/status and /proc/<pid>/fd), every 250 ms;
 * - a bystander's `ping` round trip: one logged-in user pinging every 100 ms from 127.0.0.8;
 * - a real user's password login: every 2 s a fresh connection from 127.0.0.9 logs in with the right
 *   password (connect to reply), as a student would while the attack goes on.
 * The bystander and the real user run on their own thread (probe-worker.ts), not beside the attacks.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { statusKiB } from '../proc.js';
import { Histogram } from '../stats.js';
import { Conn } from './conn.js';

const SAMPLE_MS = 250;
/** Samples (3 s) over which the RSS kept after an attack is read: longer than one real-user login period. */
const KEPT_SAMPLES = 12;
const PING_EVERY_MS = 100;
/** A ping or login unanswered this long counts with this time (the bounds are far below it). */
const PROBE_TIMEOUT_MS = 30_000;
const LOGIN_EVERY_MS = 2000;
/** Logins in flight at once; a slower server skips the next start rather than piling them up. */
const LOGINS_IN_FLIGHT = 3;
export const BYSTANDER_ADDRESS = '127.0.0.8';
export const REAL_USER_ADDRESS = '127.0.0.9';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const json = (value: unknown) => JSON.stringify(value);

/** Open descriptors of a process, or null when /proc cannot tell. */
export function openDescriptors(pid: number): number | null {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

export interface ResourceWindow {
  rssMiB: { before: number; peak: number; after: number };
  fds: { before: number; peak: number; after: number };
}

/** Samples RSS and descriptors; `latest` is what the attacks check against the abort ceilings. */
export class ResourceSampler {
  latest = { rssMiB: 0, fds: 0 };
  private peak = { rssMiB: 0, fds: 0 };
  private before = { rssMiB: 0, fds: 0 };
  /** RSS of the last KEPT_SAMPLES samples, newest last (see close). */
  private recentRss: number[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly pid: number) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Starts a window: reads the "before" figures now. */
  open(): void {
    this.sample();
    this.before = { ...this.latest };
    this.peak = { ...this.latest };
  }

  /**
   * Ends the window: reads the "after" figures now. The RSS kept is the lowest of the last few samples,
   * not the last one: the real user's probe logs in every 2 s, and each login holds a scrypt buffer
   * (128 MiB at cost 17) while it runs, which a single reading may catch. That is memory in use, not
   * memory the attack left behind (one run read exactly +128 MiB that way).
   */
  close(): ResourceWindow {
    this.sample();
    return {
      rssMiB: { before: this.before.rssMiB, peak: this.peak.rssMiB, after: Math.min(...this.recentRss) },
      fds: { before: this.before.fds, peak: this.peak.fds, after: this.latest.fds },
    };
  }

  private sample(): void {
    const kib = statusKiB(this.pid, 'VmRSS');
    const fds = openDescriptors(this.pid);
    if (kib !== null) {
      this.latest.rssMiB = Math.round(kib / 102.4) / 10;
      this.recentRss.push(this.latest.rssMiB);
      if (this.recentRss.length > KEPT_SAMPLES) this.recentRss.shift();
    }
    if (fds !== null) this.latest.fds = fds;
    this.peak.rssMiB = Math.max(this.peak.rssMiB, this.latest.rssMiB);
    this.peak.fds = Math.max(this.peak.fds, this.latest.fds);
  }
}

export interface PingWindow {
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Times the bystander lost its connection and logged in again. */
  reconnects: number;
}

/** A logged-in user pinging every 100 ms, one ping in flight. */
export class Bystander {
  private histogram = new Histogram();
  private reconnects = 0;
  private inFlightSince: number | null = null;
  /** Set when a window closed while a ping was in flight: that ping was counted there already. */
  private countedInFlight = false;
  private running = true;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly port: number,
    private readonly name: string,
    private readonly token: string,
  ) {}

  start(): void {
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  /** Figures since the last call; a ping still unanswered counts with its time so far. */
  takeWindow(): PingWindow {
    if (this.inFlightSince !== null && !this.countedInFlight) {
      this.histogram.add((performance.now() - this.inFlightSince) * 1000);
      this.countedInFlight = true;
    }
    const s = this.histogram.summary();
    const window = {
      n: s.n,
      p50Ms: s.p50 / 1000,
      p99Ms: s.p99 / 1000,
      maxMs: s.max / 1000,
      reconnects: this.reconnects,
    };
    this.histogram = new Histogram();
    this.reconnects = 0;
    return window;
  }

  private async loop(): Promise<void> {
    let conn: Conn | null = null;
    while (this.running) {
      try {
        if (!conn || conn.closed) {
          if (conn) this.reconnects++;
          conn = await Conn.open(this.port, BYSTANDER_ADDRESS, PROBE_TIMEOUT_MS);
          const login = await conn.request(
            `{"status":"login","sender":${json(this.name)},"token":${json(this.token)}}\n`,
            PROBE_TIMEOUT_MS,
          );
          if (login.status !== 'ok') throw new Error(`bystander login: ${login.status} ${login.code}`);
        }
        const t = performance.now();
        this.inFlightSince = t;
        this.countedInFlight = false;
        const reply = await conn.request('{"status":"ping"}\n', PROBE_TIMEOUT_MS);
        if (!this.countedInFlight) this.histogram.add((performance.now() - t) * 1000);
        this.inFlightSince = null;
        if (reply.status !== 'ok') conn.destroy();
      } catch {
        conn?.destroy();
        this.inFlightSince = null;
        await sleep(PING_EVERY_MS);
      }
      await sleep(PING_EVERY_MS);
    }
    conn?.destroy();
  }
}

export interface LoginWindow {
  /** Logins started. */
  n: number;
  ok: number;
  /** Failed logins by reply code (`rate_limited`, `timeout`, `closed`...). */
  failed: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Starts skipped because LOGINS_IN_FLIGHT were still waiting. */
  skipped: number;
}

/** Every 2 s, a fresh connection logs the real user in with the right password. */
export class RealUser {
  private times: number[] = [];
  private failed: Record<string, number> = {};
  private ok = 0;
  private skipped = 0;
  /** Login id -> when its current window began counting it (reset when a window closes). */
  private inFlight = new Map<number, number>();
  /** Login id -> when it really started. */
  private startedAt = new Map<number, number>();
  private nextId = 0;
  private timer: NodeJS.Timeout | null = null;
  private attempts = new Set<Promise<void>>();

  constructor(
    private readonly port: number,
    private readonly name: string,
    private readonly password: string,
    /** A login within this many ms counts as prompt (the bound). */
    private readonly promptMs: number,
    /** Told when a login succeeded promptly, with when it had started (performance.now()). */
    private readonly onPrompt: (startedAt: number) => void,
  ) {}

  start(): void {
    this.attempt();
    this.timer = setInterval(() => this.attempt(), LOGIN_EVERY_MS);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.attempts);
  }

  /** Figures since the last call; a login still waiting counts with its time so far. */
  takeWindow(): LoginWindow {
    const now = performance.now();
    const times = [...this.times, ...[...this.inFlight.values()].map((t) => now - t)].sort((a, b) => a - b);
    const at = (q: number) =>
      times.length ? times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]! : NaN;
    const window = {
      n: this.times.length + this.inFlight.size,
      ok: this.ok,
      failed: this.failed,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: times.length ? times[times.length - 1]! : NaN,
      skipped: this.skipped,
    };
    // A login still in flight was counted here; it starts afresh in the next window.
    for (const id of this.inFlight.keys()) this.inFlight.set(id, now);
    this.times = [];
    this.failed = {};
    this.ok = 0;
    this.skipped = 0;
    return window;
  }

  private attempt(): void {
    if (this.inFlight.size >= LOGINS_IN_FLIGHT) {
      this.skipped++;
      return;
    }
    const id = this.nextId++;
    this.inFlight.set(id, performance.now());
    this.startedAt.set(id, performance.now());
    const run = this.login(id).finally(() => this.attempts.delete(run));
    this.attempts.add(run);
  }

  private async login(id: number): Promise<void> {
    let conn: Conn | null = null;
    let outcome: string;
    try {
      conn = await Conn.open(this.port, REAL_USER_ADDRESS, PROBE_TIMEOUT_MS);
      const reply = await conn.request(
        `{"status":"login","sender":${json(this.name)},"password":${json(this.password)}}\n`,
        PROBE_TIMEOUT_MS,
      );
      outcome = reply.status === 'ok' ? 'ok' : reply.status === 'error' ? reply.code : reply.status;
    } catch (err) {
      outcome = `connect ${(err as NodeJS.ErrnoException).code ?? 'failed'}`;
    }
    conn?.destroy();
    const started = this.inFlight.get(id)!;
    const firstStarted = this.startedAt.get(id)!;
    this.inFlight.delete(id);
    this.startedAt.delete(id);
    const now = performance.now();
    this.times.push(now - started);
    if (outcome === 'ok' && now - firstStarted < this.promptMs) this.onPrompt(firstStarted);
    if (outcome === 'ok') this.ok++;
    else this.failed[outcome] = (this.failed[outcome] ?? 0) + 1;
  }
}
