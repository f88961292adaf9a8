/**
 * The soak test's output: one table per attack as it finishes, then a verdict per attack and a
 * markdown table of every attack's figures for docs/security.md.
 */
import os from 'node:os';
import { fmtMs, type AttackResult } from './runner.js';
import type { Bounds } from './settings.js';

const pad = (s: string | number, n: number) => String(s).padStart(n);

/** The table printed after one attack. */
export function attackTable(r: AttackResult, b: Bounds): string {
  const { rssMiB, fds } = r.resources;
  const outcomes =
    Object.entries(r.outcomes)
      .map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`)
      .join(', ') || 'none';
  const login = r.login;
  const failed = Object.entries(login.failed)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  const lines = [
    `${r.name} (${r.point}): ${r.summary}`,
    `  ran ${r.ranS} s${r.aborted ? ` (stopped: ${r.aborted})` : ''}; ${r.requests.toLocaleString('en-US')} requests answered: ${outcomes}`,
    `  back to normal (prompt ping and login): ${r.recoveryS === null ? 'not within the wait' : r.recoveryS === 0 ? 'at once' : `${r.recoveryS} s after the settle time`}`,
    `                         before      peak     after   bound`,
    `  server RSS (MiB)   ${pad(rssMiB.before.toFixed(0), 9)} ${pad(rssMiB.peak.toFixed(0), 9)} ${pad(rssMiB.after.toFixed(0), 9)}   kept <= +${b.rssGrowthMiB}, peak <= +${b.rssPeakMiB}`,
    `  descriptors        ${pad(fds.before, 9)} ${pad(fds.peak, 9)} ${pad(fds.after, 9)}   kept <= +${b.fdGrowth}, peak <= +attackers+${b.fdPeakSlack}`,
    `  bystander ping     p50 ${fmtMs(r.ping.p50Ms)} ms, p99 ${fmtMs(r.ping.p99Ms)} ms, max ${fmtMs(r.ping.maxMs)} ms (${r.ping.n} pings${r.ping.reconnects ? `, ${r.ping.reconnects} reconnects` : ''})   p99 < ${b.pingP99Ms} ms`,
    `  real-user login    ${login.ok}/${login.n} ok${failed ? ` (${failed})` : ''}, p50 ${fmtMs(login.p50Ms)} ms, p99 ${fmtMs(login.p99Ms)} ms, max ${fmtMs(login.maxMs)} ms${login.skipped ? `, ${login.skipped} skipped (3 still waiting)` : ''}   every one < ${b.loginMaxMs} ms`,
    `  CPU (% of a core)  server ${r.cpu.serverPct ?? '-'}, soak ${r.cpu.genPct}, rest of the machine ${r.cpu.otherPct ?? '-'} (${os.cpus().length} cores; a busy machine slows every hash and reply)`,
    r.broken.length ? r.broken.map((line) => `  BROKEN: ${line}`).join('\n') : '  within every bound',
  ];
  return lines.join('\n');
}

/** The closing verdict: one line per attack. */
export function verdict(results: AttackResult[]): string {
  const lines = results.map(
    (r) =>
      `  ${r.broken.length ? 'FAIL' : 'ok  '} ${r.name.padEnd(22)} ${r.broken.length ? r.broken.join('; ') : 'within every bound'}`,
  );
  const failed = results.filter((r) => r.broken.length > 0).length;
  lines.unshift(
    `soak verdict: ${failed === 0 ? 'every attack within its bounds' : `${failed} of ${results.length} attacks broke a bound`}`,
  );
  return lines.join('\n');
}

/** The figures as the markdown table docs/security.md keeps. */
export function markdownTable(results: AttackResult[]): string {
  const rows = results.map((r) => {
    const { rssMiB, fds } = r.resources;
    return `| ${r.name} (${r.point}) | ${r.ranS} | ${rssMiB.before.toFixed(0)} / ${rssMiB.peak.toFixed(0)} / ${rssMiB.after.toFixed(0)} | ${fds.before} / ${fds.peak} / ${fds.after} | ${fmtMs(r.ping.p50Ms)} / ${fmtMs(r.ping.p99Ms)} / ${fmtMs(r.ping.maxMs)} | ${r.login.ok}/${r.login.n}, max ${fmtMs(r.login.maxMs)} | ${r.recoveryS ?? '-'} | ${r.cpu.serverPct ?? '-'} / ${r.cpu.otherPct ?? '-'} | ${r.broken.length ? 'FAIL' : 'ok'} |`;
  });
  return [
    '| attack | s | RSS MiB before / peak / after | descriptors before / peak / after | ping ms p50 / p99 / max | real logins ok, max ms | recovery s | CPU % server / rest of machine | verdict |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
