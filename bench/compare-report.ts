/**
 * The table of `npm run bench -- --compare REF` (#16): per workload and measure, the median and
 * min-max of each side's runs, the ratio current/ref of the medians, and a flag where the current
 * side is worse than the ref by more than the measure's threshold. Pure: results in, markdown out.
 */
import type { Result } from './workload.js';

export type Side = 'current' | 'ref';

/** One run of one workload on one side, in the order it ran. */
export interface ComparisonRun {
  workload: string;
  /** 1-based. */
  round: number;
  side: Side;
  result: Result;
}

/** One thing compared, read off a result; null when the result has no such figure. */
export interface Measure {
  /** The row's label, which may depend on the workload ("messages/s" or "deliveries/s"). */
  label: (r: Result) => string;
  better: 'higher' | 'lower';
  /** Flag when the current median is worse than the ref's by more than this fraction. */
  threshold: number;
  value: (r: Result) => number | null;
  format: (x: number) => string;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export interface ComparisonRow {
  workload: string;
  label: string;
  current: Spread | null;
  ref: Spread | null;
  /** current median / ref median. */
  ratio: number | null;
  /** How much worse the current side is, as a fraction (0.07 = 7 % worse); negative when better. */
  worseBy: number | null;
  /** Worse by more than the measure's threshold. */
  flagged: boolean;
  /** The two sides' min-max ranges overlap: a difference of the medians may well be noise. */
  overlap: boolean;
  format: (x: number) => string;
}

/** Three significant digits, with k and M: 7.23k, 2.13M, 412. */
export function sig3(x: number): string {
  const abs = Math.abs(x);
  if (abs >= 1e6) return `${(x / 1e6).toPrecision(3)}M`;
  if (abs >= 1e3) return `${(x / 1e3).toPrecision(3)}k`;
  if (abs === 0) return '0';
  return abs >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

const ms = (us: number) => (us / 1000).toFixed(us < 10_000 ? 2 : 1);

/**
 * Server CPU seconds over the measured phase: the CPU % the meter reports times its wall time. /proc
 * counts CPU in clock ticks (10 ms), so a phase with little server CPU is measured coarsely.
 */
export function serverCpuSeconds(r: Result): number | null {
  if (!r.cpu || r.cpu.serverPct === null) return null;
  return (r.cpu.serverPct / 100) * r.cpu.wallS;
}

/** What the rate counts: a delivery for fan-out (C-1 per message), a message for direct. */
function rateItem(r: Result): string {
  return r.rate?.unit === 'deliveries/s' ? 'delivery' : 'message';
}

/**
 * Server CPU microseconds per item the rate counts (delivery or message): the cost of a message on
 * the server, which unlike the rate does not depend on how much CPU the generator left it.
 */
export function serverCpuPerItemUs(r: Result): number | null {
  const seconds = serverCpuSeconds(r);
  if (seconds === null || !r.rate) return null;
  const items = r.rate.unit === 'deliveries/s' ? r.received : r.messages;
  if (!items) return null;
  return (seconds * 1e6) / items;
}

const latency = (r: Result) => (r.latencyUs && r.latencyUs.n > 0 ? r.latencyUs : null);

/**
 * The measures, in table order. Throughput and CPU per message are flagged past 5 %, the regression
 * guard's aim; latency percentiles of a short run on a shared machine move more than that between
 * identical runs, so they are flagged only past 20 %.
 */
export const MEASURES: Measure[] = [
  {
    label: (r) => r.rate!.unit,
    better: 'higher',
    threshold: 0.05,
    value: (r) => r.rate?.value ?? null,
    format: sig3,
  },
  {
    label: () => 'p50 ms',
    better: 'lower',
    threshold: 0.2,
    value: (r) => latency(r)?.p50 ?? null,
    format: ms,
  },
  {
    label: () => 'p99 ms',
    better: 'lower',
    threshold: 0.2,
    value: (r) => latency(r)?.p99 ?? null,
    format: ms,
  },
  {
    label: (r) => `server CPU µs per ${rateItem(r)}`,
    better: 'lower',
    threshold: 0.05,
    value: serverCpuPerItemUs,
    format: sig3,
  },
  {
    label: () => 'VmRSS KiB per idle connection',
    better: 'lower',
    threshold: 0.05,
    value: (r) => r.idle?.perConnKiB ?? null,
    format: (x) => x.toFixed(2),
  },
  {
    label: () => 'file upload MB/s',
    better: 'higher',
    threshold: 0.05,
    value: (r) => r.file?.upload.mbPerS ?? null,
    format: (x) => x.toFixed(1),
  },
  {
    label: () => 'file download MB/s',
    better: 'higher',
    threshold: 0.05,
    value: (r) => r.file?.download.mbPerS ?? null,
    format: (x) => x.toFixed(1),
  },
];

/** Median (the mean of the middle two for an even count), min, max; null for no values. */
export function spread(values: number[]): Spread | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length };
}

/** The rows of one workload: every measure its results have, from its ok runs only. */
export function compareWorkload(workload: string, runs: ComparisonRun[]): ComparisonRow[] {
  const ok = (side: Side) => runs.filter((r) => r.workload === workload && r.side === side && r.result.ok);
  const current = ok('current').map((r) => r.result);
  const ref = ok('ref').map((r) => r.result);
  const rows: ComparisonRow[] = [];
  for (const m of MEASURES) {
    const values = (results: Result[]) =>
      results.map((r) => m.value(r)).filter((x): x is number => x !== null && Number.isFinite(x));
    const a = spread(values(current));
    const b = spread(values(ref));
    if (!a && !b) continue;
    const sample = [...current, ...ref].find((r) => m.value(r) !== null)!;
    const ratio = a && b && b.median !== 0 ? a.median / b.median : null;
    const worseBy = ratio === null ? null : m.better === 'higher' ? 1 - ratio : ratio - 1;
    rows.push({
      workload,
      label: m.label(sample),
      current: a,
      ref: b,
      ratio,
      worseBy,
      flagged: worseBy !== null && worseBy > m.threshold,
      overlap: a !== null && b !== null && a.min <= b.max && b.min <= a.max,
      format: m.format,
    });
  }
  return rows;
}

export interface ComparisonHeader {
  /** machineText() */
  machine: string;
  /** sourceText(): the current side's commit and uncommitted files. */
  current: string;
  ref: string;
  sha: string;
  rounds: number;
  quick: boolean;
}

const cell = (s: Spread | null, format: (x: number) => string) =>
  s === null ? 'n/a' : s.n === 1 ? format(s.median) : `${format(s.median)} (${format(s.min)}–${format(s.max)})`;

function verdict(row: ComparisonRow): string {
  if (row.worseBy === null) return '';
  const pct = Math.round(Math.abs(row.worseBy) * 100);
  if (row.flagged) return `**worse by ${pct}%**${row.overlap ? ' (ranges overlap)' : ''}`;
  return '';
}

/** Under this much server CPU (100 ticks of /proc) a CPU-per-message median is a coarse figure. */
const COARSE_CPU_S = 1;

/** The markdown printed at the end of a --compare run. */
export function comparisonMarkdown(runs: ComparisonRun[], workloads: string[], h: ComparisonHeader): string {
  const short = h.sha.slice(0, 12);
  const out: string[] = [];
  out.push(`Machine: ${h.machine}; current: ${h.current}; ref: ${h.ref} = ${short}.`);
  out.push(
    `Each workload ran ${h.rounds} round(s)${h.quick ? ' at --quick sizes' : ''}, current and ref alternately, the side going first swapped every round (ABBA);`,
  );
  out.push(
    'the load generator is this checkout\'s for both sides. Cells: median (min–max) of the ok runs. "current / ref" is the ratio of the medians;',
  );
  out.push(
    'a row is flagged when the current side is worse by more than 5% (throughput, server CPU per message) or 20% (latency); "ranges overlap" means',
  );
  out.push(
    "the two sides' runs overlap, so the difference may be noise: run more --rounds. A slowdown does not fail the bench.",
  );
  out.push('');
  out.push(`| workload | measure | current | ref ${short} | current / ref | |`);
  out.push('|---|---|---|---|---|---|');
  const notes: string[] = [];
  for (const w of workloads) {
    const rows = compareWorkload(w, runs);
    if (rows.length === 0) out.push(`| ${w} | no figures | | | | |`);
    for (const row of rows) {
      const ratio = row.ratio === null ? 'n/a' : row.ratio.toFixed(2);
      out.push(
        `| ${w} | ${row.label} | ${cell(row.current, row.format)} | ${cell(row.ref, row.format)} | ${ratio} | ${verdict(row)} |`,
      );
    }
    for (const side of ['current', 'ref'] as const) {
      const mine = runs.filter((r) => r.workload === w && r.side === side);
      const failed = mine.filter((r) => !r.result.ok);
      if (failed.length > 0)
        notes.push(
          `- ${w}, ${side}: ${failed.length} of ${mine.length} run(s) FAILED, left out of the medians: ${failed.map((r) => `round ${r.round}: ${r.result.problems.join('; ')}`).join(' | ')}`,
        );
      const cpu = spread(
        mine
          .filter((r) => r.result.ok && r.result.rate)
          .map((r) => serverCpuSeconds(r.result))
          .filter((x): x is number => x !== null),
      );
      if (cpu && cpu.median < COARSE_CPU_S)
        notes.push(
          `- ${w}, ${side}: the server used only ${cpu.median.toFixed(2)} s of CPU a run; /proc counts it in 10 ms ticks, so CPU per message is coarse (±${Math.ceil(1 / cpu.median)}%)`,
        );
    }
  }
  if (notes.length > 0) out.push('', ...notes);
  return out.join('\n');
}
