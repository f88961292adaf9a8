/**
 * `npm run bench -- --compare REF` (#16), the regression guard: builds REF's server (bench/ref-build.ts),
 * then runs each workload for R rounds against this checkout's server and REF's alternately, the side
 * that goes first swapped every round (current-ref, ref-current, ...: ABBA), so that a machine getting
 * busier or quieter during the run weighs on both sides alike. Only the server differs: both sides are
 * driven by this checkout's load generator with the same parameters. Prints the medians and ratios
 * (bench/compare-report.ts). Exit code 1 if a run failed, 2 if REF is unknown or does not build; a
 * slowdown is reported, never an error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchArgs } from './args.js';
import { comparisonMarkdown, type ComparisonRun, type Side } from './compare-report.js';
import { buildRef, RefError } from './ref-build.js';
import { describe, machineText, sourceText } from './report.js';
import { ServerProcess } from './server-process.js';
import type { Params, Result, Workload } from './workload.js';

/** The checkout this bench was built from: dist/bench/compare.js is two levels below it. */
const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The workloads of --compare without --only: the throughput and latency ones, a few minutes in all at --quick. */
export const COMPARE_DEFAULT = ['fanout', 'direct', 'fanout-low', 'direct-low'];

/** Round 1 (and every odd round) starts with the current side, every even round with the ref. */
export function sidesOfRound(round: number): [Side, Side] {
  return round % 2 === 1 ? ['current', 'ref'] : ['ref', 'current'];
}

/** Runs every workload `rounds` times on each side, ABBA; `runOnce` runs one and never throws. */
export async function runAlternately(
  workloads: Workload[],
  rounds: number,
  runOnce: (w: Workload, side: Side, round: number) => Promise<Result>,
): Promise<ComparisonRun[]> {
  const runs: ComparisonRun[] = [];
  // Each workload's rounds back to back: a pair compared ran minutes apart at most, not the whole run.
  for (const w of workloads)
    for (let round = 1; round <= rounds; round++)
      for (const side of sidesOfRound(round))
        runs.push({ workload: w.name, round, side, result: await runOnce(w, side, round) });
  return runs;
}

/** Runs one workload on one server (a cli.js), as the usual bench does; never throws. */
export type RunOnServer = (w: Workload, params: Params, cli: string | undefined) => Promise<Result>;

/** The whole --compare run; returns the exit code. */
export async function runComparison(
  selected: Workload[],
  args: BenchArgs,
  runOne: RunOnServer,
  note: (text: string) => void,
): Promise<number> {
  const { ref, rounds } = args.compare!;
  let build;
  try {
    build = await buildRef(ref, REPO_DIR, note);
  } catch (err) {
    if (!(err instanceof RefError)) throw err;
    process.stderr.write(`bench: ${err.message}\n`);
    return 2;
  }
  const short = build.sha.slice(0, 12);
  note(`--compare ${ref}: ${build.built ? 'built' : 'reusing the build of'} ${short}: ${build.cli}`);
  const refusal = await startsWithBenchArguments(build.cli, args);
  if (refusal) {
    process.stderr.write(
      `bench: --compare ${ref}: the server of ${short} does not start as the bench runs it: ${refusal}\n`,
    );
    return 2;
  }
  const current = sourceText();
  console.log(`Comparing this checkout (${current}) with ${ref} = ${short}, ${rounds} round(s), alternately`);

  const runs = await runAlternately(selected, rounds, async (w, side, round) => {
    console.log(`-- ${w.name}, round ${round}/${rounds}: ${side === 'current' ? 'current' : `ref ${short}`}`);
    const result = await runOne(w, args.quick ? w.quick : w.full, side === 'ref' ? build.cli : undefined);
    console.log(describe(result));
    return result;
  });

  const header = { machine: machineText(), current, ref, sha: build.sha, rounds, quick: args.quick };
  const diagnostic =
    args.serverArgs.length > 0 ? `DIAGNOSTIC RUN (server arguments ${args.serverArgs.join(' ')} on both sides)\n` : '';
  console.log(
    '\n' +
      diagnostic +
      comparisonMarkdown(
        runs,
        selected.map((w) => w.name),
        header,
      ),
  );
  if (args.json) fs.writeFileSync(args.json, JSON.stringify({ compare: header, runs }, null, 2) + '\n');
  const bad = runs.filter((r) => !r.result.ok);
  if (bad.length > 0)
    console.log(`\nFAILED: ${bad.map((r) => `${r.workload} (${r.side}, round ${r.round})`).join(', ')}`);
  return bad.length > 0 ? 1 : 0;
}

/**
 * Starts and stops REF's server once, with the bench's serve arguments: an older commit may not know
 * a flag the bench now passes, and every one of its runs would fail the same way. Null when it starts.
 */
async function startsWithBenchArguments(cli: string, args: BenchArgs): Promise<string | null> {
  let server: ServerProcess;
  try {
    server = await ServerProcess.start({ cli, extraArgs: args.serverArgs });
  } catch (err) {
    return (err as Error).message;
  }
  await server.stop();
  return null;
}
