/** What a workload is given and what it reports. */
import type { LineClient } from './client.js';
import type { Guard } from './guard.js';
import type { PartMeter, PartSeconds } from './part-cpu.js';
import type { CpuFigures } from './proc.js';
import type { LatencySummary } from './stats.js';

export interface WorkloadContext {
  /** The nodes' ports: one for a single server; with several (--nodes), clients go round-robin over them. */
  ports: number[];
  /** The node processes, same order as `ports`: their CPU is summed. */
  serverPids: number[];
  /** Starts measuring the CPU of each part (nodes, PostgreSQL, Redis) when the runner asks for it (--nodes). */
  partMeter?: () => PartMeter;
  guard: Guard;
  /** Every client the workload opens; the runner closes them all afterwards. */
  clients: LineClient[];
  /** Progress lines for the terminal (stderr). */
  note(text: string): void;
}

export type Params = Record<string, number | string>;

export interface Result {
  workload: string;
  /** Where it ran, for `--nodes` (e.g. "3 nodes, PostgreSQL + Redis"); absent for the usual one node on SQLite. */
  setup?: string;
  params: Params;
  /** Complete, lossless, in order, no errors. */
  ok: boolean;
  /** Why it is not ok. */
  problems: string[];
  /** Things worth a look that do not make it fail. */
  notes?: string[];
  /** Throughput: deliveries/s (fan-out) or messages/s (direct). */
  rate?: { value: number; unit: string };
  latencyUs?: LatencySummary;
  expected?: number;
  received?: number;
  lost?: number;
  outOfOrder?: number;
  durationMs?: number;
  idle?: IdleFigures;
  file?: FileFigures;
  setupMs?: Record<string, number>;
  cpu?: CpuFigures;
  /** CPU seconds of each part over the measured phase, when the runner asked for them. */
  parts?: PartSeconds;
  /** Messages sent in the measured phase (a fan-out message makes C-1 deliveries). */
  messages?: number;
  /** Filled by the runner: % of the machine busy with other work just before the workload. */
  machineBusyBeforePct?: number | null;
  /** Filled by the runner: the server's exit and its peak RSS. */
  server?: { exit: string; stopMs: number; vmHwmKiB: number | null; output: string };
}

export interface IdleFigures {
  conns: number;
  rssBeforeKiB: number;
  /** `hold` seconds after the last registration. */
  rssHeldKiB: number;
  perConnHeldKiB: number;
  /** Settled: after `settle` seconds more of idleness. The headline figure. */
  rssAfterKiB: number;
  perConnKiB: number;
  alive: number;
  answered: number;
  registerMs: number;
}

/** One direction of the file workload: bytes over time, and the chat probe's latency meanwhile. */
export interface TransferFigures {
  bytes: number;
  ms: number;
  /** 10^6 bytes per second. */
  mbPerS: number;
  /** Round trip of the chat probe (send to the other client's receipt) while this ran. */
  chatUs: LatencySummary;
  cpu: CpuFigures;
}

export interface FileFigures {
  upload: TransferFigures;
  download: TransferFigures;
  /** The chat probe alone, just before the upload: the baseline. */
  chatIdleUs: LatencySummary;
  chatSent: number;
  chatReceived: number;
  /** The downloaded bytes' SHA-256 equals the uploaded file's. */
  verified: boolean;
}

export interface Workload<P extends Params = Params> {
  name: string;
  summary: string;
  full: P;
  quick: P;
  /** Open files the generator (and the server) need beyond the usual few. */
  connections(params: P): number;
  run(ctx: WorkloadContext, params: P): Promise<Result>;
}
