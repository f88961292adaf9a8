/**
 * Runs one attack against the running server while the probes measure, and judges the figures
 * against the bounds. The attack stops at its time, at Ctrl-C, or early when the server passes an
 * abort ceiling (RSS or descriptors): then every attacking connection is closed at once, the server
 * is given `settleSeconds` to let go of what the attack made it hold, and the "after" figures are read.
 */
import { performance } from 'node:perf_hooks';
import { Outcomes, type Attack, type AttackContext } from './attack.js';
import { CpuMeter, type CpuFigures } from '../proc.js';
import { Conn } from './conn.js';
import type { ProbeThread } from './probe-thread.js';
import type { LoginWindow, PingWindow, ResourceSampler, ResourceWindow } from './probes.js';
import type { Seeded } from './seed.js';
import type { Bounds, SoakSettings } from './settings.js';

export interface AttackResult {
  name: string;
  point: string;
  summary: string;
  /** How long the attack ran, in seconds. */
  ranS: number;
  /** Why it stopped before its time, if it did. */
  aborted: string | null;
  /**
   * Seconds from the end of the settle time until the server is back to normal: a fresh connection's
   * ping comes back within the ping bound, and a real-user login started after the attack succeeded
   * within the login bound. Work an attack queued (reads, hashes) can outlive it, and the next attack
   * must start against a server that answers. Null when it was not back within RECOVERY_MAX_MS.
   */
  recoveryS: number | null;
  requests: number;
  outcomes: Record<string, number>;
  resources: ResourceWindow;
  /**
   * CPU over the window, % of one core: the server's, the soak's own, and the rest of the machine's.
   * A busy machine slows every hash and reply: read the ping and login figures with `otherPct`.
   */
  cpu: CpuFigures;
  ping: PingWindow;
  login: LoginWindow;
  /** The bounds this attack broke, each as one line. */
  broken: string[];
}

export interface Probes {
  sampler: ResourceSampler;
  /** The bystander and the real user, on their own thread so the attacks' load is not timed. */
  people: ProbeThread;
}

/** At most this many requests a second per attack: every loop is bounded in count as well as time. */
const MAX_REQUESTS_PER_SECOND = 10_000;
const CHECK_MS = 250;
/** How long the runner waits, after an attack, for the server to answer promptly again. */
export const RECOVERY_MAX_MS = 180_000;
const RECOVERY_ADDRESS = '127.0.0.7';
/** A real-user login starts every 2 s: a server back to normal may take that long to show it. */
const RECOVERY_SLACK_S = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runAttack(
  attack: Attack,
  pid: number,
  port: number,
  seeded: Seeded,
  settings: SoakSettings,
  probes: Probes,
  interrupted: () => boolean,
): Promise<AttackResult> {
  probes.sampler.open();
  const cpu = new CpuMeter(pid);
  await probes.people.takeWindows(); // drops what came before this attack
  const outcomes = new Outcomes();
  const conns = new Set<Conn>();
  const maxRequests = MAX_REQUESTS_PER_SECOND * settings.seconds;
  let stopped = false;
  let aborted: string | null = null;
  const t0 = performance.now();
  let ranS = 0;
  const stop = (why: string | null) => {
    if (stopped) return;
    stopped = true;
    aborted = why;
    ranS = (performance.now() - t0) / 1000;
    for (const conn of conns) conn.destroy();
  };
  const ctx: AttackContext = {
    port,
    seeded,
    seconds: settings.seconds,
    running: () => !stopped,
    record: (reply) => {
      if (stopped) return;
      outcomes.record(reply);
      if (outcomes.requests >= maxRequests) stop(`count cap of ${maxRequests} requests reached`);
    },
    connectFailed: (err: unknown) => {
      if (!stopped) outcomes.connectFailed(err);
    },
    track: (conn: Conn) => {
      if (stopped) conn.destroy();
      else conns.add(conn);
      return conn;
    },
  };
  const watch = setInterval(() => {
    const { rssMiB, fds } = probes.sampler.latest;
    if (interrupted()) stop('interrupted');
    else if (performance.now() - t0 >= settings.seconds * 1000) stop(null);
    else if (rssMiB > settings.rssAbortMiB)
      stop(`server RSS ${rssMiB} MiB passed the ${settings.rssAbortMiB} MiB ceiling`);
    else if (fds > settings.fdAbort) stop(`server descriptors ${fds} passed the ${settings.fdAbort} ceiling`);
    // Closed connections leave the set, so it holds only what the attack has open.
    for (const conn of conns) if (conn.closed) conns.delete(conn);
  }, CHECK_MS);
  try {
    await attack.run(ctx);
  } finally {
    stop(aborted);
    clearInterval(watch);
  }
  const endedAt = performance.now();
  let recoveryS: number | null = 0;
  if (!interrupted()) {
    await sleep(settings.settleSeconds * 1000);
    recoveryS = await waitUntilNormal(
      port,
      settings.bounds.pingP99Ms,
      () => probes.people.promptSince(endedAt),
      interrupted,
    );
  }
  const resources = probes.sampler.close();
  const cpuFigures = cpu.stop();
  const { ping, login } = await probes.people.takeWindows();
  const result: AttackResult = {
    name: attack.name,
    point: attack.point,
    summary: attack.summary,
    ranS: Math.round(ranS * 10) / 10,
    aborted,
    recoveryS,
    requests: outcomes.requests,
    outcomes: outcomes.toJSON(),
    resources,
    cpu: cpuFigures,
    ping,
    login,
    broken: [],
  };
  result.broken = judge(result, attack.connections, settings.bounds);
  return result;
}

/** The bounds `r` broke, one line each (empty when it kept them all). */
export function judge(r: AttackResult, connections: number, b: Bounds): string[] {
  const broken: string[] = [];
  const { rssMiB, fds } = r.resources;
  const growth = rssMiB.after - rssMiB.before;
  if (growth > b.rssGrowthMiB) broken.push(`RSS grew ${growth.toFixed(0)} MiB and kept it (bound ${b.rssGrowthMiB})`);
  if (rssMiB.peak - rssMiB.before > b.rssPeakMiB)
    broken.push(`RSS peaked ${(rssMiB.peak - rssMiB.before).toFixed(0)} MiB above its start (bound ${b.rssPeakMiB})`);
  if (fds.after - fds.before > b.fdGrowth)
    broken.push(`descriptors grew by ${fds.after - fds.before} and kept them (bound ${b.fdGrowth})`);
  const peakBound = connections + b.fdPeakSlack;
  if (fds.peak - fds.before > peakBound)
    broken.push(
      `descriptors peaked ${fds.peak - fds.before} above their start (bound ${peakBound}: one per attacking connection + ${b.fdPeakSlack})`,
    );
  if (!(r.ping.p99Ms < b.pingP99Ms))
    broken.push(`bystander ping p99 ${fmtMs(r.ping.p99Ms)} ms (bound < ${b.pingP99Ms})`);
  const failed = Object.entries(r.login.failed);
  if (r.login.n === 0) broken.push('no real-user login finished');
  else if (failed.length > 0)
    broken.push(`real-user logins refused or lost: ${failed.map(([k, v]) => `${v} ${k}`).join(', ')} of ${r.login.n}`);
  if (r.login.maxMs >= b.loginMaxMs)
    broken.push(`real-user login took up to ${fmtMs(r.login.maxMs)} ms (bound < ${b.loginMaxMs})`);
  if (r.recoveryS === null)
    broken.push(
      `the server was not back to normal (prompt ping and login) ${RECOVERY_MAX_MS / 1000} s after the attack`,
    );
  else if (r.recoveryS > RECOVERY_SLACK_S)
    broken.push(
      `the server was back to normal (prompt ping and login) only ${r.recoveryS} s after the attack's settle time: work it queued outlived it`,
    );
  if (r.aborted && r.aborted !== 'interrupted' && !r.aborted.startsWith('count cap'))
    broken.push(`stopped early: ${r.aborted}`);
  return broken;
}

/**
 * Pings from a fresh connection until one comes back within `promptMs` and `loggedIn()` holds;
 * resolves to the seconds that took (0 when at once), or null after RECOVERY_MAX_MS.
 */
async function waitUntilNormal(
  port: number,
  promptMs: number,
  loggedIn: () => boolean,
  interrupted: () => boolean,
): Promise<number | null> {
  const t0 = performance.now();
  let conn: Conn | null = null;
  try {
    while (performance.now() - t0 < RECOVERY_MAX_MS && !interrupted()) {
      if (!conn || conn.closed) {
        try {
          conn = await Conn.open(port, RECOVERY_ADDRESS, RECOVERY_MAX_MS);
        } catch {
          await sleep(CHECK_MS);
          continue;
        }
      }
      const t = performance.now();
      const reply = await conn.request('{"status":"ping"}\n', RECOVERY_MAX_MS);
      if (reply.status === 'ok' && performance.now() - t < promptMs && loggedIn()) {
        const waited = (t - t0) / 1000;
        return waited < CHECK_MS / 1000 ? 0 : Math.round(waited * 10) / 10;
      }
      await sleep(CHECK_MS);
    }
    return interrupted() ? 0 : null;
  } finally {
    conn?.destroy();
  }
}

/** Milliseconds to print: one decimal below 10, whole above. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  return ms < 10 ? ms.toFixed(1) : Math.round(ms).toLocaleString('en-US');
}
