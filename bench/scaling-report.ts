/**
 * The table of `npm run bench -- --nodes N` (#15): for each workload and setup, the throughput and the
 * CPU each part spent per message (the nodes, PostgreSQL, Redis), the inputs of docs/scaling.md's
 * capacity model.
 */
import os from 'node:os';
import { machineText, paramText, sourceText } from './report.js';
import type { Result } from './workload.js';

const rate = (x: number) => (x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : `${Math.round(x)}`);
const pct = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(0));

/** CPU seconds as µs per unit; "-" for a part the setup does not use. */
function perUnit(seconds: number | null | undefined, units: number): string {
  if (seconds === null || seconds === undefined) return '-';
  if (units <= 0) return 'n/a';
  const us = (seconds * 1e6) / units;
  return us >= 100 ? us.toFixed(0) : us.toFixed(1);
}

/** "per message" for direct; "per message / per delivery" for fan-out, where a message makes C-1 deliveries. */
function cost(r: Result, seconds: number | null | undefined): string {
  const messages = r.messages ?? 0;
  const deliveries = r.received ?? 0;
  if (r.rate?.unit === 'deliveries/s') {
    if (seconds === null || seconds === undefined) return '-';
    return `${perUnit(seconds, messages)} / ${perUnit(seconds, deliveries)}`;
  }
  return perUnit(seconds, messages);
}

/** Messages/s: for fan-out, deliveries/s divided by the deliveries each message makes. */
function messageRate(r: Result): number {
  if (!r.rate) return 0;
  if (r.rate.unit !== 'deliveries/s') return r.rate.value;
  const perMessage = r.messages && r.received ? r.received / r.messages : 1;
  return r.rate.value / perMessage;
}

export function scalingMarkdown(results: Result[], nodes: number): string {
  const cores = os.cpus().length;
  const out: string[] = [];
  out.push(`Machine: ${machineText()}; ${sourceText()}.`);
  out.push(
    `Scaling run (#15): every node, PostgreSQL, Redis and the load generator share the ${cores} cores, so ${nodes} nodes here cannot be faster than one;`,
  );
  out.push(
    "the figures to read are the CPU each part spends per message (docs/scaling.md's capacity model). Clients go round-robin over the nodes' ports,",
  );
  out.push(
    'so a direct pair and most of a room sit on different nodes. CPU is utime+stime from /proc over the measured phase: nodes summed;',
  );
  out.push(
    "PostgreSQL = this run's backends (by application_name) + its background processes; Redis = the whole redis-server (others' use included).",
  );
  out.push(
    'Fan-out costs are "per message / per delivery". Node CPU % is the sum over the nodes, % of one core; rest of machine = other processes.',
  );
  out.push('');
  out.push(
    '| workload | setup | parameters | throughput | messages/s | node µs/msg | PostgreSQL µs/msg | Redis µs/msg | node CPU % | rest of machine CPU % | ok |',
  );
  out.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const throughput = r.rate ? `${rate(r.rate.value)} ${r.rate.unit}` : 'n/a';
    out.push(
      `| ${r.workload} | ${r.setup ?? '1 node, SQLite'} | ${paramText(r.params)} | ${throughput} | ${rate(messageRate(r))} | ` +
        `${cost(r, r.parts?.nodes)} | ${cost(r, r.parts?.postgres)} | ${cost(r, r.parts?.redis)} | ` +
        `${pct(r.cpu?.serverPct)} | ${pct(r.cpu?.otherPct)} | ${r.ok ? 'yes' : '**no**'} |`,
    );
  }
  out.push('');
  for (const r of results) {
    const where = `${r.workload} (${r.setup ?? '1 node, SQLite'})`;
    if (!r.ok) out.push(`- ${where}: FAILED: ${r.problems.join('; ')}`);
    for (const n of r.notes ?? []) out.push(`- ${where}: ${n}`);
  }
  return out.join('\n');
}
