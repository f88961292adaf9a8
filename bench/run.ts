/**
 * `npm run bench`: for each workload, start a fresh server (child process, fresh data directory,
 * persistence on), run the workload against it from this process, stop the server with SIGTERM and
 * print the figures; at the end, markdown tables for the README. Exit code 1 if any workload lost,
 * reordered or failed; 2 for bad usage. Traffic goes to 127.0.0.1 only.
 *
 * `--nodes N` (#15) runs fanout and direct in three setups instead (bench/setups.ts) and prints the
 * CPU cost per message of each part (bench/scaling-report.ts), the figures of docs/scaling.md.
 *
 * `--compare REF` (#16) runs the workloads alternately on this checkout's server and REF's (bench/compare.ts).
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { readCommandLine } from '../src/cli-args.js';
import { parseBenchArgs, USAGE, type BenchArgs } from './args.js';
import type { LineClient } from './client.js';
import { COMPARE_DEFAULT, runComparison } from './compare.js';
import { reexecWithMoreFds, softFdLimit } from './fd-limit.js';
import { Guard } from './guard.js';
import { statusKiB, waitForQuietMachine } from './proc.js';
import { describe, machineText, markdown, paramText } from './report.js';
import { scalingMarkdown } from './scaling-report.js';
import { ServerProcess } from './server-process.js';
import { scalingSetups, SQLITE_ONE_NODE, type Deployment, type Setup } from './setups.js';
import type { Params, Result, Workload } from './workload.js';
import { direct, directLow } from './workloads/direct.js';
import { fanout, fanoutLow, fanoutWs } from './workloads/fanout.js';
import { file } from './workloads/file.js';
import { idle } from './workloads/idle.js';

const WORKLOADS: Workload[] = [fanout, fanoutWs, fanoutLow, direct, directLow, idle, file];
/** What --nodes runs in each setup: the two throughput workloads, whose clients spread over the nodes. */
const SCALING_WORKLOADS: Workload[] = [fanout, direct];
/**
 * Their full sizes for --nodes: the same clients, fewer messages each, so that the PostgreSQL setups
 * (a few thousand messages/s) end within the time limit; the cost per message needs no more.
 */
const SCALING_FULL: Record<string, Params> = {
  fanout: { ...fanout.full, messages: 300 },
  direct: { ...direct.full, messages: 200 },
};
/** Sockets and files the generator needs beside the workload's connections. */
const FD_HEADROOM = 256;
/** Before each workload, wait (up to QUIET_WAIT_MS) until the machine is at most this busy. */
const QUIET_PCT = 10;
const QUIET_WAIT_MS = 30_000;
/**
 * Shorter with --compare: its alternation already spreads a busy machine over both sides, and it runs
 * each workload 2 x rounds times, so the full wait could add many minutes.
 */
const COMPARE_QUIET_WAIT_MS = 5_000;
/** Note a run during which the rest of the machine used more than this (% of one core). */
const OTHER_NOTE_PCT = 25;

const started = performance.now();
/** The servers running now, killed on Ctrl-C. */
let current: ServerProcess[] = [];
/** The deployment in use now (its schema and Redis keys), cleaned up on Ctrl-C too. */
let currentDeployment: Deployment | null = null;

function note(text: string): void {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${text}\n`);
}

function failed(w: Workload, params: Params, why: string, setup?: Setup): Result {
  return { workload: w.name, ...(setup && { setup: setup.name }), params: { ...params }, ok: false, problems: [why] };
}

/** Starts the deployment's nodes one after the other (the first applies the schema); stops them all if one fails. */
async function startNodes(deployment: Deployment, args: BenchArgs, cli: string | undefined): Promise<ServerProcess[]> {
  const servers: ServerProcess[] = [];
  try {
    for (let i = 0; i < deployment.nodes; i++) {
      servers.push(
        await ServerProcess.start({
          profileDir: args.profileDir ?? undefined,
          extraArgs: [...deployment.serverArgs, ...args.serverArgs],
          cli,
        }),
      );
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    throw err;
  }
  return servers;
}

/** How runOne runs: another commit's server (cli.js) for --compare, and how long to wait for a quiet machine. */
interface RunChoice {
  cli?: string | undefined;
  quietWaitMs?: number;
}

async function runOne(
  w: Workload,
  params: Params,
  args: BenchArgs,
  setup: Setup | null,
  choice: RunChoice = {},
): Promise<Result> {
  note(`${w.name}${setup ? ` on ${setup.name}` : ''}: ${w.summary} (${paramText(params)})`);
  const need = w.connections(params) + FD_HEADROOM;
  const soft = softFdLimit();
  if (soft < need)
    return failed(
      w,
      params,
      `the open-file limit is ${soft}, below the ${need} this workload needs: raise it (ulimit -n)`,
      setup ?? undefined,
    );
  const quietWaitMs = choice.quietWaitMs ?? QUIET_WAIT_MS;
  const busy = await waitForQuietMachine(QUIET_PCT, 1000, quietWaitMs);
  let deployment: Deployment;
  try {
    deployment = await (setup ?? SQLITE_ONE_NODE).prepare();
    currentDeployment = deployment;
  } catch (err) {
    return failed(w, params, `could not prepare ${setup?.name}: ${(err as Error).message}`, setup ?? undefined);
  }
  let servers: ServerProcess[];
  try {
    servers = await startNodes(deployment, args, choice.cli);
  } catch (err) {
    await cleanUp(deployment);
    return failed(w, params, `server start failed: ${(err as Error).message}`, setup ?? undefined);
  }
  current = servers;
  for (const s of servers) note(`server pid ${s.pid} on 127.0.0.1:${s.port}, data ${s.dataDir}`);
  await sleep(500); // let start-up settle before the first RSS/CPU reading
  const guard = new Guard(w.name, { timeoutMs: args.timeoutS * 1000, stallMs: args.stallS * 1000 });
  const clients: LineClient[] = [];
  const ports = servers.map((s) => s.port);
  const serverPids = servers.map((s) => s.pid);
  let result: Result;
  try {
    result = await w.run(
      {
        ports,
        serverPids,
        ...(setup && { partMeter: () => deployment.partMeter(serverPids) }),
        guard,
        clients,
        note,
      },
      params,
    );
  } catch (err) {
    result = failed(w, params, (err as Error).message);
  } finally {
    guard.dispose();
  }
  if (setup) result.setup = setup.name;
  const hwms = serverPids.map((pid) => statusKiB(pid, 'VmHWM'));
  const vmHwmKiB = hwms.includes(null) ? null : Math.max(...(hwms as number[]));
  // SIGTERM first: the server then takes every session offline quietly; then our side closes.
  const stopping = Promise.all(servers.map((s) => s.stop()));
  for (const client of clients) client.destroy();
  const stops = await stopping;
  current = [];
  await cleanUp(deployment, result);
  const badStop = stops.find((s) => s.exit !== 'exit 0');
  const stopped = badStop ?? stops[0]!;
  const output = servers
    .map((s, i) => (servers.length > 1 && s.log.trim() ? `node ${i + 1}:\n${s.log}` : s.log))
    .join('');
  result.server = { exit: stopped.exit, stopMs: Math.max(...stops.map((s) => s.stopMs)), vmHwmKiB, output };
  result.machineBusyBeforePct = busy;
  const other = result.cpu?.otherPct ?? null;
  if (other !== null && other > OTHER_NOTE_PCT) {
    (result.notes ??= []).push(
      `the rest of the machine used ${other} % of a core during the measurement: a contended run, figures may be low`,
    );
  }
  if (busy !== null && busy > QUIET_PCT) {
    (result.notes ??= []).push(
      `the machine was ${busy} % busy with other work just before this workload (waited ${quietWaitMs / 1000} s for it to calm down); figures may be low`,
    );
  }
  if (badStop) {
    result.ok = false;
    result.problems.push(`the server ended with ${stopped.exit} after SIGTERM`);
  }
  return result;
}

/** Drops the deployment's schema and keys; a failure is a problem of the result, not of the run. */
async function cleanUp(deployment: Deployment, result?: Result): Promise<void> {
  currentDeployment = null;
  try {
    await deployment.cleanup();
  } catch (err) {
    const why = `clean-up failed (schema or Redis keys left behind): ${(err as Error).message}`;
    if (result) (result.notes ??= []).push(why);
    else note(why);
  }
}

/** The workloads and setups to run, in order: each workload on one SQLite node, or (--nodes) in every setup. */
function plan(selected: Workload[], args: BenchArgs): [Workload, Setup | null][] {
  if (!args.scaling) return selected.map((w) => [w, null]);
  const { nodes, storeUrl, busUrl } = args.scaling;
  const setups = scalingSetups(nodes, storeUrl, busUrl);
  return selected.flatMap((w) => setups.map((s): [Workload, Setup] => [w, s]));
}

async function main(): Promise<number> {
  const args = readCommandLine('bench', USAGE, () => parseBenchArgs(process.argv.slice(2)));
  if (typeof args === 'number') return args; // --help, or a bad flag or value
  const reexec = reexecWithMoreFds();
  if (reexec) return reexec;

  const known = args.scaling ? SCALING_WORKLOADS : WORKLOADS;
  let selected = args.compare ? known.filter((w) => COMPARE_DEFAULT.includes(w.name)) : known;
  if (args.only) {
    const unknown = args.only.filter((name) => !known.some((w) => w.name === name));
    if (unknown.length > 0) {
      process.stderr.write(
        `bench: unknown workload ${unknown.join(', ')}${args.scaling ? ' for --nodes' : ''}; known: ${known.map((w) => w.name).join(', ')}\n`,
      );
      return 2;
    }
    selected = known.filter((w) => args.only!.includes(w.name));
  }
  if (args.profileDir) fs.mkdirSync(args.profileDir, { recursive: true });
  process.on('SIGINT', () => void abandon(130));

  console.log(`ClassChat bench${args.quick ? ' (--quick: smaller counts, not for the README)' : ''}`);
  if (args.serverArgs.length > 0) console.log(`DIAGNOSTIC RUN: extra server arguments ${args.serverArgs.join(' ')}`);
  console.log(
    `${machineText()}; open-file limit ${softFdLimit()}; per-workload limit ${args.timeoutS} s, stall ${args.stallS} s`,
  );
  if (args.compare)
    return runComparison(
      selected,
      args,
      (w, params, cli) => runOne(w, params, args, null, { cli, quietWaitMs: COMPARE_QUIET_WAIT_MS }),
      note,
    );
  const results: Result[] = [];
  if (args.scaling)
    console.log(
      `Scaling run (#15): ${SCALING_WORKLOADS.map((w) => w.name).join(' and ')} on 1 node (SQLite), 1 node (PostgreSQL), ${args.scaling.nodes} nodes (PostgreSQL + Redis)`,
    );
  for (const [w, setup] of plan(selected, args)) {
    const full = (setup && SCALING_FULL[w.name]) ?? w.full;
    const result = await runOne(w, args.quick ? w.quick : full, args, setup);
    console.log(describe(result));
    results.push(result);
    await sleep(1000); // let sockets in TIME_WAIT and the previous server's exit settle
  }
  const diagnostic =
    args.serverArgs.length > 0
      ? `DIAGNOSTIC RUN (server arguments ${args.serverArgs.join(' ')}): not for the README\n`
      : '';
  console.log('\n' + diagnostic + (args.scaling ? scalingMarkdown(results, args.scaling.nodes) : markdown(results)));
  if (args.json)
    fs.writeFileSync(args.json, JSON.stringify({ machine: machineText(), quick: args.quick, results }, null, 2) + '\n');
  const bad = results.filter((r) => !r.ok);
  if (bad.length > 0)
    console.log(`\nFAILED: ${bad.map((r) => r.workload + (r.setup ? ` (${r.setup})` : '')).join(', ')}`);
  return bad.length > 0 ? 1 : 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stops at once: kills the servers, drops the schema and Redis keys in use (waiting at most a few seconds), exits. */
async function abandon(code: number): Promise<never> {
  for (const s of current) s.child.kill('SIGKILL');
  const deployment = currentDeployment;
  if (deployment) await Promise.race([cleanUp(deployment), sleep(5000)]);
  process.exit(code);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    void abandon(1);
  },
);
