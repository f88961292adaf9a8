/** Formats results: a few lines per workload while running, and markdown tables for the README. */
import { BENCH_SERVER_ARGS } from './server-process.js';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { serverCpuPerItemUs } from './compare-report.js';
import type { LatencySummary } from './stats.js';
import type { Params, Result, TransferFigures } from './workload.js';

const rate = (x: number) =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : `${Math.round(x)}`;
const ms = (us: number | undefined) =>
  us === undefined || !Number.isFinite(us) ? 'n/a' : (us / 1000).toFixed(us < 10_000 ? 2 : 1);
const pct = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(0));
const int = (x: number) => x.toLocaleString('en-US');
const cpuUs = (x: number | null) => (x === null ? 'n/a' : x.toFixed(x < 10 ? 2 : 1));
/** MB/s (10^6 bytes) and MiB/s of a transfer. */
const speed = (t: TransferFigures) => `${t.mbPerS.toFixed(1)} MB/s (${((t.mbPerS * 1e6) / 2 ** 20).toFixed(1)} MiB/s)`;
const p50p99 = (l: LatencySummary) => `${ms(l.p50)} / ${ms(l.p99)}`;

export function paramText(p: Params): string {
  const warm = p.warmup ? ` (latency after ${p.warmup} warm-up)` : '';
  if ('clients' in p) return `C=${p.clients} S=${p.senders} M=${p.messages} W=${p.window}${warm}`;
  if ('pairs' in p) return `P=${p.pairs} M=${p.messages} W=${p.window}${warm}`;
  if ('conns' in p) return `N=${p.conns} hold=${p.hold}s settle=${p.settle}s`;
  if ('mib' in p)
    return `${p.mib} MiB, ${p.chunkWindow} chunks in flight, ${p.fetchWindow} fetches x ${Number(p.fetchBytes) / 1024} KiB in flight, chat ${p.chatRate}/s`;
  return JSON.stringify(p);
}

export function machineText(): string {
  const cpus = os.cpus();
  return `${cpus.length} CPU (${cpus[0]?.model.trim() ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, Node ${process.version}`;
}

/** Which server code ran: the commit, and whether src/ had uncommitted changes (best effort). */
export function sourceText(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    const changed = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length;
    return `server built from ${head}${changed ? ` with ${changed} uncommitted file(s) in src/` : ''}`;
  } catch {
    return 'server source: unknown (no git)';
  }
}

/** The lines printed when a workload finishes. */
export function describe(r: Result): string {
  const where = r.setup ? ` on ${r.setup}` : '';
  const lines = [`== ${r.workload}${where} (${paramText(r.params)}): ${r.ok ? 'ok' : 'FAILED'}`];
  if (r.rate) lines.push(`   ${rate(r.rate.value)} ${r.rate.unit} over ${((r.durationMs ?? 0) / 1000).toFixed(2)} s`);
  if (r.latencyUs && r.latencyUs.n > 0) {
    const l = r.latencyUs;
    lines.push(
      `   latency one-way ms: p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  max ${ms(l.max)}  (n=${int(l.n)})`,
    );
  }
  if (r.expected !== undefined) {
    lines.push(
      `   received ${int(r.received ?? 0)} of ${int(r.expected)}: lost ${int(r.lost ?? 0)}, out of order ${int(r.outOfOrder ?? 0)}`,
    );
  }
  if (r.idle) {
    const i = r.idle;
    lines.push(
      `   VmRSS ${int(i.rssBeforeKiB)} -> ${int(i.rssHeldKiB)} KiB ${r.params['hold']} s after registration: ${i.perConnHeldKiB.toFixed(2)} KiB per connection`,
    );
    lines.push(
      `   VmRSS ${int(i.rssBeforeKiB)} -> ${int(i.rssAfterKiB)} KiB settled, ${r.params['settle']} s later: ${i.perConnKiB.toFixed(2)} KiB per connection`,
    );
    lines.push(
      `   alive ${int(i.alive)}/${int(i.conns)}, answered ${int(i.answered)}; registered in ${(i.registerMs / 1000).toFixed(1)} s`,
    );
  }
  if (r.file) {
    const f = r.file;
    for (const [what, t] of [
      ['upload', f.upload],
      ['download', f.download],
    ] as const) {
      lines.push(
        `   ${what}: ${speed(t)}, ${int(t.bytes)} bytes in ${(t.ms / 1000).toFixed(2)} s; server CPU ${pct(t.cpu.serverPct)} %, generator ${pct(t.cpu.genPct)} %`,
      );
      lines.push(
        `     chat meanwhile, ms: p50 ${ms(t.chatUs.p50)}  p99 ${ms(t.chatUs.p99)}  max ${ms(t.chatUs.max)}  (n=${int(t.chatUs.n)})`,
      );
    }
    const i = f.chatIdleUs;
    lines.push(
      `   chat alone before the upload, ms: p50 ${ms(i.p50)}  p99 ${ms(i.p99)}  max ${ms(i.max)}  (n=${int(i.n)})`,
    );
    lines.push(
      `   chat received ${int(f.chatReceived)} of ${int(f.chatSent)}; SHA-256 of the download ${f.verified ? 'matches' : 'DIFFERS'}`,
    );
  }
  if (r.cpu) {
    const c = r.cpu;
    lines.push(
      `   CPU % of one core: server ${pct(c.serverPct)}, generator ${pct(c.genPct)}, rest of machine ${pct(c.otherPct)}; machine idle ${pct(c.machineIdlePct)} %, steal ${pct(c.machineStealPct)} %`,
    );
    const perItem = serverCpuPerItemUs(r);
    if (perItem !== null)
      lines.push(`   server CPU per ${r.rate?.unit === 'deliveries/s' ? 'delivery' : 'message'}: ${cpuUs(perItem)} µs`);
  }
  if (r.parts) {
    const s = (x: number | null) => (x === null ? '-' : `${x.toFixed(2)} s`);
    lines.push(
      `   CPU time in the measured phase: nodes ${s(r.parts.nodes)}, PostgreSQL ${s(r.parts.postgres)}, Redis ${s(r.parts.redis)} (${int(r.messages ?? 0)} messages)`,
    );
  }
  if (r.server)
    lines.push(
      `   server: ${r.server.exit} ${r.server.stopMs} ms after SIGTERM, peak RSS ${r.server.vmHwmKiB === null ? 'n/a' : int(r.server.vmHwmKiB) + ' KiB'}`,
    );
  for (const p of r.problems) lines.push(`   PROBLEM: ${p}`);
  for (const n of r.notes ?? []) lines.push(`   note: ${n}`);
  if (r.server?.output.trim()) lines.push(`   server output:\n${indent(r.server.output.trim())}`);
  return lines.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `     | ${l}`)
    .join('\n');
}

/** The markdown for the README: throughput and latency, idle memory, and the targets of issue #2. */
export function markdown(results: Result[]): string {
  const out: string[] = [];
  const cores = os.cpus().length;
  out.push(
    `Machine: ${machineText()}; ${sourceText()}. Server and load generator share the ${cores} cores; CPU % is of one core (${cores * 100} % = all);`,
  );
  out.push(
    '"rest of machine" is what other processes (and uncharged kernel work) used meanwhile: a high value means a contended run.',
  );
  out.push(
    `Accounts and limits on (${BENCH_SERVER_ARGS.join(' ')}): every client signs up with a password; flood and connection limits set above the generator's load.`,
  );
  out.push(
    'Persistence on: SQLite (WAL, synchronous=NORMAL) in a fresh data directory per workload. C clients, S senders, M messages each, W in flight per sender;',
  );
  out.push(
    'a window slot frees once every other member (fan-out: all C-1) has the message. Latency is one-way, send to receipt, and includes the',
  );
  out.push("one-process generator's own queueing. Lost and out-of-order are checked per (receiver, sender).");
  out.push('');
  const flows = results.filter((r) => r.rate);
  if (flows.length > 0) {
    out.push(
      '| workload | parameters | rate | p50 ms | p99 ms | lost | out of order | server CPU % | server CPU µs per message (fan-out: per delivery) | generator CPU % | rest of machine CPU % | machine idle % | ok |',
    );
    out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of flows) {
      out.push(
        `| ${r.workload} | ${paramText(r.params)} | ${rate(r.rate!.value)} ${r.rate!.unit} | ${ms(r.latencyUs?.p50)} | ${ms(r.latencyUs?.p99)} | ` +
          `${int(r.lost ?? 0)} | ${int(r.outOfOrder ?? 0)} | ${pct(r.cpu?.serverPct)} | ${cpuUs(serverCpuPerItemUs(r))} | ${pct(r.cpu?.genPct)} | ${pct(r.cpu?.otherPct)} | ${pct(r.cpu?.machineIdlePct)} | ${r.ok ? 'yes' : '**no**'} |`,
      );
    }
    out.push('');
  }
  const idles = results.filter((r) => r.idle);
  if (idles.length > 0) {
    out.push(
      '| workload | connections | VmRSS per connection KiB, settled | VmRSS before -> settled KiB | per connection KiB, just after registration | alive / answered | registration s | server CPU % (registration) | generator CPU % (registration) | rest of machine CPU % | ok |',
    );
    out.push('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of idles) {
      const i = r.idle!;
      out.push(
        `| ${r.workload} | ${int(i.conns)} | ${i.perConnKiB.toFixed(2)} | ${int(i.rssBeforeKiB)} -> ${int(i.rssAfterKiB)} | ${i.perConnHeldKiB.toFixed(2)} | ${int(i.alive)} / ${int(i.answered)} | ` +
          `${(i.registerMs / 1000).toFixed(1)} | ${pct(r.cpu?.serverPct)} | ${pct(r.cpu?.genPct)} | ${pct(r.cpu?.otherPct)} | ${r.ok ? 'yes' : '**no**'} |`,
      );
    }
    out.push('');
  }
  const files = results.filter((r) => r.file);
  if (files.length > 0) {
    out.push(
      'File: A uploads to B (chunks pipelined), then B downloads (fetches pipelined) and checks the SHA-256; MB = 10^6 bytes. Meanwhile two other clients',
    );
    out.push(
      'exchange private messages at a steady rate; chat ms is send to receipt, by the phase the message was sent in ("alone": before the upload).',
    );
    out.push('');
    out.push(
      '| workload | parameters | upload | download | chat alone p50 / p99 ms | chat during upload p50 / p99 ms | chat during download p50 / p99 ms | server CPU % up / down | generator CPU % up / down | SHA-256 ok | ok |',
    );
    out.push('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of files) {
      const f = r.file!;
      out.push(
        `| ${r.workload} | ${paramText(r.params)} | ${speed(f.upload)} | ${speed(f.download)} | ${p50p99(f.chatIdleUs)} | ${p50p99(f.upload.chatUs)} | ${p50p99(f.download.chatUs)} | ` +
          `${pct(f.upload.cpu.serverPct)} / ${pct(f.download.cpu.serverPct)} | ${pct(f.upload.cpu.genPct)} / ${pct(f.download.cpu.genPct)} | ${f.verified ? 'yes' : '**no**'} | ${r.ok ? 'yes' : '**no**'} |`,
      );
    }
    out.push('');
  }
  const targets = targetRows(results);
  if (targets.length > 0) {
    out.push('| target (issue #2, file rows #5, WebSocket row #14) | measured | met |');
    out.push('|---|---|---|');
    out.push(...targets);
    out.push('');
  }
  for (const r of results) {
    if (!r.rate && !r.idle && !r.file) out.push(`- ${r.workload}: no figures: ${r.problems.join('; ')}`);
    else if (!r.ok) out.push(`- ${r.workload}: FAILED: ${r.problems.join('; ')}`);
    for (const n of r.notes ?? []) out.push(`- ${r.workload}: ${n}`);
  }
  return out.join('\n');
}

function targetRows(results: Result[]): string[] {
  const by = (name: string) => results.find((r) => r.workload === name);
  const rows: string[] = [];
  const row = (what: string, measured: string, met: boolean) =>
    rows.push(`| ${what} | ${measured} | ${met ? 'yes' : '**no**'} |`);
  const fan = by('fanout');
  if (fan?.rate) row('fan-out >= 400,000 deliveries/s', rate(fan.rate.value), fan.ok && fan.rate.value >= 400_000);
  const dir = by('direct');
  if (dir?.rate) row('direct >= 100,000 messages/s', rate(dir.rate.value), dir.ok && dir.rate.value >= 100_000);
  const dirLow = by('direct-low');
  if (dirLow?.latencyUs)
    row('low-load direct p99 <= 2 ms', `${ms(dirLow.latencyUs.p99)} ms`, dirLow.ok && dirLow.latencyUs.p99 <= 2000);
  const fanWs = by('fanout-ws');
  if (fanWs?.rate && fan?.rate)
    row(
      'WebSocket fan-out >= 70% of TCP fan-out (#14)',
      `${rate(fanWs.rate.value)} (${((100 * fanWs.rate.value) / fan.rate.value).toFixed(0)}% of TCP)`,
      fanWs.ok && fan.ok && fanWs.rate.value >= 0.7 * fan.rate.value,
    );
  const fanLow = by('fanout-low');
  if (fanLow?.latencyUs)
    row('low-load fan-out p99 <= 5 ms', `${ms(fanLow.latencyUs.p99)} ms`, fanLow.ok && fanLow.latencyUs.p99 <= 5000);
  const idle = by('idle');
  if (idle?.idle)
    row(
      '<= 4 KiB RSS per idle connection (settled)',
      `${idle.idle.perConnKiB.toFixed(2)} KiB`,
      idle.ok && idle.idle.perConnKiB <= 4,
    );
  const file = by('file')?.file;
  if (file) {
    const ok = by('file')!.ok;
    row('file upload >= 100 MB/s', `${file.upload.mbPerS.toFixed(1)} MB/s`, ok && file.upload.mbPerS >= 100);
    row('file download >= 100 MB/s', `${file.download.mbPerS.toFixed(1)} MB/s`, ok && file.download.mbPerS >= 100);
    row(
      'chat p99 <= 50 ms during the upload',
      `${ms(file.upload.chatUs.p99)} ms`,
      ok && file.upload.chatUs.p99 <= 50_000,
    );
    row(
      'chat p99 <= 50 ms during the download',
      `${ms(file.download.chatUs.p99)} ms`,
      ok && file.download.chatUs.p99 <= 50_000,
    );
  }
  return rows;
}
