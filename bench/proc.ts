/**
 * Reads process and machine figures from /proc (Linux): a process's CPU time and VmRSS, the whole
 * machine's CPU split, and this process's open-file limit. Every reader returns null when /proc is
 * not there, so the bench still runs (without those columns) elsewhere.
 */
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

/** Linux USER_HZ: the unit of the times in /proc/<pid>/stat and /proc/stat. */
const CLK_TCK = 100;

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after "(comm)": state is field 3, utime 14 and stime 15 (1-based).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** A `Key:   123 kB` field of /proc/<pid>/status, in KiB (VmRSS, VmHWM). */
export function statusKiB(pid: number, key: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

interface MachineTicks {
  idle: number;
  steal: number;
  total: number;
}

/** The aggregate "cpu" line of /proc/stat. */
function machineTicks(): MachineTicks | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!;
    const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return { idle: (f[3] ?? 0) + (f[4] ?? 0), steal: f[7] ?? 0, total };
  } catch {
    return null;
  }
}

/**
 * How busy the whole machine is (% of all cores, 0-100) over `sampleMs`. Waits, sampling again, while
 * it is above `quietPct` for up to `maxWaitMs` (other work on a shared machine skews every figure).
 */
export async function waitForQuietMachine(
  quietPct: number,
  sampleMs: number,
  maxWaitMs: number,
): Promise<number | null> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const a = machineTicks();
    await new Promise((resolve) => setTimeout(resolve, sampleMs));
    const b = machineTicks();
    if (!a || !b || b.total <= a.total) return null;
    const busy = Math.round((1 - (b.idle - a.idle) / (b.total - a.total)) * 1000) / 10;
    if (busy <= quietPct || Date.now() >= deadline) return busy;
  }
}

/** The soft and hard limits on open files of this process (Infinity for "unlimited"). */
export function openFileLimits(): { soft: number; hard: number } | null {
  try {
    const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(fs.readFileSync('/proc/self/limits', 'latin1'));
    if (!line) return null;
    const value = (s: string) => (s === 'unlimited' ? Infinity : Number(s));
    return { soft: value(line[1]!), hard: value(line[2]!) };
  } catch {
    return null;
  }
}

export interface CpuFigures {
  /** Wall time of the window, in seconds. */
  wallS: number;
  /** Server process CPU, % of one core (the machine has nproc x 100 %). */
  serverPct: number | null;
  /** This (generator) process's CPU, % of one core. */
  genPct: number;
  /** Whole machine idle and steal, % of all cores' time. */
  machineIdlePct: number | null;
  machineStealPct: number | null;
  /**
   * CPU the rest of the machine used meanwhile (other processes, and kernel work not charged to these
   * two), % of one core: busy x cores - server - generator. High values mean a contended run.
   */
  otherPct: number | null;
}

/** utime + stime summed over processes, in seconds; null if any cannot be read. */
function cpuSecondsOf(pids: readonly number[]): number | null {
  let total = 0;
  for (const pid of pids) {
    const s = cpuSeconds(pid);
    if (s === null) return null;
    total += s;
  }
  return total;
}

/** Measures CPU use of the server (the sum over several nodes), the generator and the machine over a window. */
export class CpuMeter {
  private readonly t0 = performance.now();
  private readonly server0: number | null;
  private readonly gen0 = process.cpuUsage();
  private readonly machine0 = machineTicks();
  private readonly serverPids: readonly number[];

  constructor(serverPid: number | readonly number[]) {
    this.serverPids = typeof serverPid === 'number' ? [serverPid] : serverPid;
    this.server0 = cpuSecondsOf(this.serverPids);
  }

  /** The figures from construction until `endMs` (a performance.now() time; default now). */
  stop(endMs = performance.now()): CpuFigures {
    const wallS = Math.max((endMs - this.t0) / 1000, 1e-6);
    const gen = process.cpuUsage(this.gen0);
    const server1 = cpuSecondsOf(this.serverPids);
    const machine1 = machineTicks();
    const pct = (x: number) => Math.round((x / wallS) * 1000) / 10;
    let machineIdlePct: number | null = null;
    let machineStealPct: number | null = null;
    if (this.machine0 && machine1 && machine1.total > this.machine0.total) {
      const total = machine1.total - this.machine0.total;
      machineIdlePct = Math.round(((machine1.idle - this.machine0.idle) / total) * 1000) / 10;
      machineStealPct = Math.round(((machine1.steal - this.machine0.steal) / total) * 1000) / 10;
    }
    const serverPct = this.server0 !== null && server1 !== null ? pct(server1 - this.server0) : null;
    const genPct = pct((gen.user + gen.system) / 1e6);
    const otherPct =
      machineIdlePct !== null && serverPct !== null
        ? Math.max(0, Math.round((100 - machineIdlePct) * os.cpus().length - serverPct - genPct))
        : null;
    return { wallS: Math.round(wallS * 1000) / 1000, serverPct, genPct, machineIdlePct, machineStealPct, otherPct };
  }
}
