/**
 * Idle: N connections register and then stay idle. The server's VmRSS is read before the first
 * connect, `hold` seconds after the last registration, and again once the server has been idle for
 * `settle` seconds more; the result is the growth per connection at each reading. Then every
 * connection must still be open and answer one small request (`rooms`).
 *
 * Why two readings: the first still holds the garbage of N sign-ups (scrypt, SQLite, promises) that
 * V8 promoted while they waited. V8 collects it on its own once the process is idle (its memory
 * reducer, measured here 15 to 20 s after the last registration), without any GC forced by the
 * bench. The settled reading is what an idle class costs for as long as it stays idle; the first
 * is what registration leaves behind for a while.
 */
import { performance } from 'node:perf_hooks';
import type { LineHandler } from '../client.js';
import { BenchAbort } from '../guard.js';
import { CpuMeter, statusKiB } from '../proc.js';
import { connectAndRegister } from '../setup.js';
import { Kind, kindOf, req } from '../wire.js';
import type { Result, Workload, WorkloadContext } from '../workload.js';
import { Problems } from './problems.js';

export interface IdleParams extends Record<string, number> {
  conns: number;
  /** Seconds to hold after the last registration before the first RSS reading. */
  hold: number;
  /** Seconds more, with nothing sent, before the settled reading. */
  settle: number;
  concurrency: number;
}

export const idle: Workload<IdleParams> = {
  name: 'idle',
  summary: 'memory per idle registered connection',
  full: { conns: 10_000, hold: 3, settle: 30, concurrency: 200 },
  quick: { conns: 1000, hold: 1, settle: 5, concurrency: 200 },
  connections: (p) => p.conns,
  run: runIdle,
};

async function runIdle(ctx: WorkloadContext, p: IdleParams): Promise<Result> {
  const N = p.conns;
  const { guard } = ctx;
  const problems = new Problems();
  const pid = ctx.serverPids[0]!; // idle runs on one node: its RSS is the figure
  const rssBefore = statusKiB(pid, 'VmRSS');
  if (rssBefore === null) throw new Error(`cannot read VmRSS of the server (pid ${pid}) from /proc`);
  const cpuMeter = new CpuMeter(pid);
  const t = performance.now();
  const clients = await connectAndRegister(ctx.ports, N, p.concurrency, guard, ctx.clients);
  const registerMs = performance.now() - t;
  const cpu = cpuMeter.stop();
  ctx.note(`${N} registered in ${(registerMs / 1000).toFixed(1)} s; holding ${p.hold} s, then ${p.settle} s more`);

  let closed = 0;
  let answered = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const onLine: LineHandler = (client, data, start, end) => {
    const kind = kindOf(data, start);
    if (kind === Kind.Ok && data.startsWith('"ref":"a"', start + 15)) {
      if (++answered + closed === N) finish();
      return;
    }
    if (kind === Kind.System) return;
    if (kind === Kind.Error) problems.serverError(client.name, data.slice(start, end));
    else problems.unexpected(client.name, data.slice(start, end));
  };
  for (const client of clients) {
    client.handler = onLine;
    client.onUnexpectedClose = () => {
      if (++closed + answered === N) finish();
    };
  }
  guard.phase = 'hold';
  // Nothing happens during the hold by design: report time as progress so the stall detector waits.
  guard.progress = () => performance.now();
  await guard.sleep(p.hold * 1000);
  const rssHeld = statusKiB(pid, 'VmRSS') ?? NaN;
  guard.phase = 'settle';
  await guard.sleep(p.settle * 1000);
  const rssSettled = statusKiB(pid, 'VmRSS') ?? NaN;
  const alive = clients.filter((c) => !c.closed).length;

  guard.phase = 'liveness check';
  guard.progress = () => answered + closed;
  guard.status = () => `${answered}/${N} answered, ${closed} closed`;
  guard.touch();
  for (const client of clients) if (!client.closed) client.queue(req.rooms());
  try {
    await guard.wait(done);
  } catch (err) {
    if (!(err instanceof BenchAbort)) throw err;
    problems.add(err.message);
  }
  if (alive < N)
    problems.add(
      `${N - alive} of ${N} connections closed during the hold (e.g. ${clients.find((c) => c.closed)?.closeReason})`,
    );
  if (answered < alive) problems.add(`${alive - answered} open connections did not answer the liveness request`);
  return {
    workload: 'idle',
    params: { ...p },
    ok: problems.none(),
    problems: problems.list(),
    idle: {
      conns: N,
      rssBeforeKiB: rssBefore,
      rssHeldKiB: rssHeld,
      perConnHeldKiB: (rssHeld - rssBefore) / N,
      rssAfterKiB: rssSettled,
      perConnKiB: (rssSettled - rssBefore) / N,
      alive,
      answered,
      registerMs: Math.round(registerMs),
    },
    setupMs: { register: Math.round(registerMs) },
    cpu,
  };
}
