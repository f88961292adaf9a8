// The --compare table (#16): medians and spreads of each side's ok runs, current/ref ratios, and the
// flag when the current side is worse than the ref past a measure's threshold, on figures of real runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compareWorkload,
  comparisonMarkdown,
  serverCpuPerItemUs,
  sig3,
  spread,
  type ComparisonRun,
  type Side,
} from '../../bench/compare-report.js';
import type { Result } from '../../bench/workload.js';

/** A direct-low result as the bench makes one: messages/s, latency, and the server's CPU over wallS. */
function directLow(rate: number, p50: number, p99: number, serverPct: number, wallS: number, messages = 300): Result {
  return {
    workload: 'direct-low',
    params: { pairs: 1, messages: 150, window: 1 },
    ok: true,
    problems: [],
    rate: { value: rate, unit: 'messages/s' },
    latencyUs: { n: 200, p50, p90: p99 * 0.8, p99, max: p99 * 2, mean: p50 * 1.1 },
    expected: messages,
    received: messages,
    lost: 0,
    outOfOrder: 0,
    messages,
    cpu: { wallS, serverPct, genPct: 40, machineIdlePct: 30, machineStealPct: 0, otherPct: 5 },
  };
}

function run(side: Side, round: number, result: Result): ComparisonRun {
  return { workload: result.workload, round, side, result };
}

test('#16 spread is the median (mean of the middle two for an even count), min and max', () => {
  assert.deepEqual(spread([3, 1, 2]), { median: 2, min: 1, max: 3, n: 3 });
  assert.deepEqual(spread([74, 70, 72, 99]), { median: 73, min: 70, max: 99, n: 4 });
  assert.deepEqual(spread([5]), { median: 5, min: 5, max: 5, n: 1 });
  assert.equal(spread([]), null);
});

test('#16 server CPU per message is CPU % x wall time over the messages; per delivery for fan-out', () => {
  // 86 % of a core for 2.5 s over 20,000 messages: 2.15 s / 20,000 = 107.5 µs a message.
  assert.equal(serverCpuPerItemUs(directLow(8000, 210, 660, 86, 2.5, 20_000)), 107.5);
  const fanout: Result = {
    ...directLow(2.13e6, 82_000, 169_500, 55, 9.4, 20_000),
    workload: 'fanout',
    rate: { value: 2.13e6, unit: 'deliveries/s' },
    received: 20_000 * 499,
  };
  // 0.55 x 9.4 s = 5.17 s over 9,980,000 deliveries.
  assert.ok(Math.abs(serverCpuPerItemUs(fanout)! - 5.17e6 / 9_980_000) < 1e-9);
  assert.equal(serverCpuPerItemUs({ ...fanout, cpu: { ...fanout.cpu!, serverPct: null } }), null);
});

test('#16 a current side 10 % slower and 20 % costlier per message is flagged; latency within 20 % is not', () => {
  const runs = [
    // Round 1 current first, round 2 ref first, round 3 current first (ABBA).
    run('current', 1, directLow(6500, 230, 700, 90, 1.0)),
    run('ref', 1, directLow(7200, 210, 660, 75, 1.0)),
    run('ref', 2, directLow(7300, 200, 640, 74, 1.0)),
    run('current', 2, directLow(6600, 220, 690, 89, 1.0)),
    run('current', 3, directLow(6400, 240, 720, 91, 1.0)),
    run('ref', 3, directLow(7100, 215, 650, 76, 1.0)),
  ];
  const rows = compareWorkload('direct-low', runs);
  assert.deepEqual(
    rows.map((r) => r.label),
    ['messages/s', 'p50 ms', 'p99 ms', 'server CPU µs per message'],
  );
  const [rate, p50, p99, cpu] = rows;
  assert.deepEqual(rate!.current, { median: 6500, min: 6400, max: 6600, n: 3 });
  assert.deepEqual(rate!.ref, { median: 7200, min: 7100, max: 7300, n: 3 });
  assert.ok(Math.abs(rate!.ratio! - 6500 / 7200) < 1e-12);
  assert.ok(Math.abs(rate!.worseBy! - (1 - 6500 / 7200)) < 1e-12, 'higher is better: 9.7 % worse');
  assert.equal(rate!.flagged, true);
  assert.equal(rate!.overlap, false);
  assert.ok(Math.abs(p50!.ratio! - 230 / 210) < 1e-12);
  assert.equal(p50!.flagged, false, '9.5 % on latency is under its 20 % threshold');
  assert.equal(p99!.flagged, false);
  // 0.90 s / 300 = 3000 µs against 0.75 s / 300 = 2500 µs: 20 % worse.
  assert.ok(Math.abs(cpu!.current!.median - 3000) < 1e-9);
  assert.ok(Math.abs(cpu!.ref!.median - 2500) < 1e-9);
  assert.ok(Math.abs(cpu!.worseBy! - 0.2) < 1e-12);
  assert.equal(cpu!.flagged, true);
});

test('#16 a better or equal current side is not flagged, overlapping ranges are told, failed runs are left out', () => {
  const failed: Result = { ...directLow(1, 1, 1, 1, 1), ok: false, problems: ['3 of 300 messages missing'] };
  const runs = [
    run('current', 1, directLow(7300, 200, 640, 73, 1.0)),
    run('ref', 1, directLow(7200, 210, 660, 75, 1.0)),
    run('ref', 2, directLow(7000, 205, 650, 76, 1.0)),
    run('current', 2, failed),
  ];
  const [rate, , , cpu] = compareWorkload('direct-low', runs);
  assert.equal(rate!.current!.n, 1, 'the failed run is not in the median');
  assert.equal(rate!.current!.median, 7300);
  assert.equal(rate!.ref!.median, 7100);
  assert.ok(rate!.worseBy! < 0, 'faster is negative "worse"');
  assert.equal(rate!.flagged, false);
  assert.equal(rate!.overlap, false);
  assert.equal(cpu!.flagged, false);
  // 4 % worse per message: under the 5 % threshold, and the ranges overlap.
  const close = compareWorkload('direct-low', [
    run('current', 1, directLow(7000, 200, 640, 78, 1.0)),
    run('current', 2, directLow(7000, 200, 640, 77, 1.0)),
    run('ref', 1, directLow(7000, 200, 640, 74, 1.0)),
    run('ref', 2, directLow(7000, 200, 640, 78, 1.0)),
  ])[3]!;
  assert.ok(Math.abs(close.worseBy! - (77.5 / 76 - 1)) < 1e-12);
  assert.equal(close.flagged, false);
  assert.equal(close.overlap, true);
});

test('#16 the markdown table has a row per measure with median (min–max), the ratio and the flag, and notes failures', () => {
  const failed: Result = { ...directLow(1, 1, 1, 1, 1), ok: false, problems: ['2 messages out of order'] };
  const runs = [
    run('current', 1, directLow(6500, 230, 700, 90, 2.0)),
    run('ref', 1, directLow(7200, 210, 660, 75, 2.0)),
    run('ref', 2, directLow(7300, 200, 640, 74, 2.0)),
    run('current', 2, directLow(6600, 220, 690, 89, 2.0)),
    run('current', 3, failed),
    run('ref', 3, directLow(7100, 215, 650, 76, 2.0)),
  ];
  const md = comparisonMarkdown(runs, ['direct-low'], {
    machine: '2 CPU (test)',
    current: 'server built from 1234567',
    ref: 'HEAD~1',
    sha: 'ac5da7a540d03b578e2252c8f9c14f6882e8f6d8',
    rounds: 3,
    quick: true,
  });
  const lines = md.split('\n');
  assert.ok(lines.includes('| workload | measure | current | ref ac5da7a540d0 | current / ref | |'), md);
  assert.ok(
    lines.includes('| direct-low | messages/s | 6.55k (6.50k–6.60k) | 7.20k (7.10k–7.30k) | 0.91 | **worse by 9%** |'),
    md,
  );
  assert.ok(lines.includes('| direct-low | p50 ms | 0.23 (0.22–0.23) | 0.21 (0.20–0.21) | 1.07 |  |'), md);
  // (0.90 + 0.89) / 2 x 2 s / 300 = 5967 µs against 0.75 x 2 / 300 = 5000 µs.
  assert.ok(
    lines.includes(
      '| direct-low | server CPU µs per message | 5.97k (5.93k–6.00k) | 5.00k (4.93k–5.07k) | 1.19 | **worse by 19%** |',
    ),
    md,
  );
  assert.ok(
    md.includes(
      '- direct-low, current: 1 of 3 run(s) FAILED, left out of the medians: round 3: 2 messages out of order',
    ),
    md,
  );
});

test('#16 numbers keep three significant digits', () => {
  assert.equal(sig3(2_131_000), '2.13M');
  assert.equal(sig3(92_700), '92.7k');
  assert.equal(sig3(7234), '7.23k');
  assert.equal(sig3(412.4), '412');
  assert.equal(sig3(5.172), '5.17');
  assert.equal(sig3(0), '0');
});
