/**
 * `npm run bench`: for each workload, start a fresh server (child process, fresh data directory,
 * persistence on), run the workload against it from this process, stop the server with SIGTERM and
 * print the figures; at the end, markdown tables for the README. Exit code 1 if any workload lost,
 * reordered or failed; 2 for bad usage. Traffic goes to 127.0.0.1 only.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { readCommandLine } from '../src/cli-args.js';
import { parseBenchArgs, USAGE, type BenchArgs } from './args.js';
import type { LineClient } from './client.js';
import { reexecWithMoreFds, softFdLimit } from './fd-limit.js';
import { Guard } from './guard.js';
import { statusKiB, waitForQuietMachine } from './proc.js';
import { describe, machineText, markdown, paramText } from './report.js';
import { ServerProcess } from './server-process.js';
import type { Params, Result, Workload } from './workload.js';
import { direct, directLow } from './workloads/direct.js';
import { fanout, fanoutLow, fanoutWs } from './workloads/fanout.js';
import { file } from './workloads/file.js';
import { idle } from './workloads/idle.js';

const WORKLOADS: Workload[] = [fanout, fanoutWs, fanoutLow, direct, directLow, idle, file];
/** Sockets and files the generator needs beside the workload's connections. */
const FD_HEADROOM = 256;
/** Before each workload, wait (up to QUIET_WAIT_MS) until the machine is at most this busy. */
const QUIET_PCT = 10;
const QUIET_WAIT_MS = 30_000;
/** Note a run during which the rest of the machine used more than this (% of one core). */
const OTHER_NOTE_PCT = 25;

const started = performance.now();
let current: ServerProcess | null = null;

function note(text: string): void {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${text}\n`);
}

function failed(w: Workload, params: Params, why: string): Result {
  return { workload: w.name, params: { ...params }, ok: false, problems: [why] };
}

async function runOne(w: Workload, params: Params, args: BenchArgs): Promise<Result> {
  note(`${w.name}: ${w.summary} (${paramText(params)})`);
  const need = w.connections(params) + FD_HEADROOM;
  const soft = softFdLimit();
  if (soft < need)
    return failed(
      w,
      params,
      `the open-file limit is ${soft}, below the ${need} this workload needs: raise it (ulimit -n)`,
    );
  const busy = await waitForQuietMachine(QUIET_PCT, 1000, QUIET_WAIT_MS);
  let server: ServerProcess;
  try {
    server = await ServerProcess.start({ profileDir: args.profileDir ?? undefined, extraArgs: args.serverArgs });
  } catch (err) {
    return failed(w, params, `server start failed: ${(err as Error).message}`);
  }
  current = server;
  note(`server pid ${server.pid} on 127.0.0.1:${server.port}, data ${server.dataDir}`);
  await sleep(500); // let start-up settle before the first RSS/CPU reading
  const guard = new Guard(w.name, { timeoutMs: args.timeoutS * 1000, stallMs: args.stallS * 1000 });
  const clients: LineClient[] = [];
  let result: Result;
  try {
    result = await w.run({ port: server.port, serverPid: server.pid, guard, clients, note }, params);
  } catch (err) {
    result = failed(w, params, (err as Error).message);
  } finally {
    guard.dispose();
  }
  const vmHwmKiB = statusKiB(server.pid, 'VmHWM');
  // SIGTERM first: the server then takes every session offline quietly; then our side closes.
  const stopping = server.stop();
  for (const client of clients) client.destroy();
  const stopped = await stopping;
  current = null;
  result.server = { exit: stopped.exit, stopMs: stopped.stopMs, vmHwmKiB, output: server.log };
  result.machineBusyBeforePct = busy;
  const other = result.cpu?.otherPct ?? null;
  if (other !== null && other > OTHER_NOTE_PCT) {
    (result.notes ??= []).push(
      `the rest of the machine used ${other} % of a core during the measurement: a contended run, figures may be low`,
    );
  }
  if (busy !== null && busy > QUIET_PCT) {
    (result.notes ??= []).push(
      `the machine was ${busy} % busy with other work just before this workload (waited ${QUIET_WAIT_MS / 1000} s for it to calm down); figures may be low`,
    );
  }
  if (stopped.exit !== 'exit 0') {
    result.ok = false;
    result.problems.push(`the server ended with ${stopped.exit} after SIGTERM`);
  }
  return result;
}

async function main(): Promise<number> {
  const args = readCommandLine('bench', USAGE, () => parseBenchArgs(process.argv.slice(2)));
  if (typeof args === 'number') return args; // --help, or a bad flag or value
  const reexec = reexecWithMoreFds();
  if (reexec) return reexec;

  let selected = WORKLOADS;
  if (args.only) {
    const unknown = args.only.filter((name) => !WORKLOADS.some((w) => w.name === name));
    if (unknown.length > 0) {
      process.stderr.write(
        `bench: unknown workload ${unknown.join(', ')}; known: ${WORKLOADS.map((w) => w.name).join(', ')}\n`,
      );
      return 2;
    }
    selected = WORKLOADS.filter((w) => args.only!.includes(w.name));
  }
  if (args.profileDir) fs.mkdirSync(args.profileDir, { recursive: true });
  process.on('SIGINT', () => {
    current?.child.kill('SIGKILL');
    process.exit(130);
  });

  console.log(`ClassChat bench${args.quick ? ' (--quick: smaller counts, not for the README)' : ''}`);
  if (args.serverArgs.length > 0) console.log(`DIAGNOSTIC RUN: extra server arguments ${args.serverArgs.join(' ')}`);
  console.log(
    `${machineText()}; open-file limit ${softFdLimit()}; per-workload limit ${args.timeoutS} s, stall ${args.stallS} s`,
  );
  const results: Result[] = [];
  for (const w of selected) {
    const result = await runOne(w, args.quick ? w.quick : w.full, args);
    console.log(describe(result));
    results.push(result);
    await sleep(1000); // let sockets in TIME_WAIT and the previous server's exit settle
  }
  const diagnostic =
    args.serverArgs.length > 0
      ? `DIAGNOSTIC RUN (server arguments ${args.serverArgs.join(' ')}): not for the README\n`
      : '';
  console.log('\n' + diagnostic + markdown(results));
  if (args.json)
    fs.writeFileSync(args.json, JSON.stringify({ machine: machineText(), quick: args.quick, results }, null, 2) + '\n');
  const bad = results.filter((r) => !r.ok);
  if (bad.length > 0) console.log(`\nFAILED: ${bad.map((r) => r.workload).join(', ')}`);
  return bad.length > 0 ? 1 : 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    current?.child.kill('SIGKILL');
    process.exit(1);
  },
);
