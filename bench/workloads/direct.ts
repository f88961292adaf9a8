/**
 * Direct: P pairs; each of the 2P clients sends M private messages to its partner, with at most W in
 * flight (a slot frees when the partner has received the message). Reports messages/s (received, over
 * last receive - first send) and one-way latency. Checks count, order per sender, and routing.
 */
import { performance } from 'node:perf_hooks';
import type { LineHandler } from '../client.js';
import { connectAndRegister } from '../setup.js';
import { Histogram, sum } from '../stats.js';
import { DIRECT, Kind, kindOf, parsePayload, payload, payloadText, req, textStart } from '../wire.js';
import type { Result, Workload, WorkloadContext } from '../workload.js';
import { SendWindows } from '../send-windows.js';
import { measureWindows } from './measure.js';
import { Problems } from './problems.js';

export interface DirectParams extends Record<string, number> {
  pairs: number;
  messages: number;
  window: number;
  pad: number;
  concurrency: number;
  /** Messages per sender sent first and left out of the latency figures (JIT warm-up); still counted for loss. */
  warmup: number;
}

export function directWorkload(
  name: string,
  summary: string,
  full: DirectParams,
  quick: DirectParams,
): Workload<DirectParams> {
  return { name, summary, full, quick, connections: (p) => 2 * p.pairs, run: (ctx, p) => runDirect(name, ctx, p) };
}

export const direct = directWorkload(
  'direct',
  'private messages between pairs under load',
  { pairs: 50, messages: 2000, window: 50, pad: 32, concurrency: 200, warmup: 0 },
  { pairs: 10, messages: 200, window: 50, pad: 32, concurrency: 200, warmup: 0 },
);

export const directLow = directWorkload(
  'direct-low',
  'private message latency probe (one pair, window 1)',
  { pairs: 1, messages: 3000, window: 1, pad: 32, concurrency: 200, warmup: 1000 },
  { pairs: 1, messages: 300, window: 1, pad: 32, concurrency: 200, warmup: 100 },
);

async function runDirect(name: string, ctx: WorkloadContext, p: DirectParams): Promise<Result> {
  const { pairs: P, messages: M, window: W } = p;
  const N = 2 * P;
  const { guard } = ctx;
  const t = performance.now();
  const clients = await connectAndRegister(ctx.ports, N, p.concurrency, guard, ctx.clients);
  const registerMs = performance.now() - t;
  ctx.note(`${N} registered in ${(registerMs / 1000).toFixed(1)} s; sending`);
  const problems = new Problems();
  for (const client of clients) {
    client.handler = () => {};
    client.onUnexpectedClose = (c) => guard.abort(`${c.name}: ${c.closeReason}`);
  }
  await guard.sleep(300);

  const expected = N * M;
  const lastSeq = new Int32Array(N).fill(-1);
  const hist = new Histogram();
  const pad = 'x'.repeat(p.pad);
  let received = 0;
  let outOfOrder = 0;
  let misrouted = 0;
  let tLast = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));

  const windows = new SendWindows(
    N,
    M,
    W,
    (i, n, sentUs) => req.private(clients[i ^ 1]!.name, payloadText('D', i, n, sentUs, pad)),
    (i, batch) => clients[i]!.queue(batch),
  );
  const { sent } = windows;

  const onLine: LineHandler = (client, data, start, end, at) => {
    const kind = kindOf(data, start);
    if (kind === Kind.Private) {
      const i = textStart(data, start, end);
      if (i < 0 || !parsePayload(data, i, DIRECT) || payload.from >= N) {
        problems.unexpected(client.name, data.slice(start, end));
        return;
      }
      const from = payload.from;
      const seq = payload.seq;
      if ((from ^ 1) !== client.id) misrouted++;
      if (seq >= p.warmup) hist.add(at * 1000 - payload.sentUs);
      received++;
      if (seq !== lastSeq[from]! + 1) outOfOrder++;
      lastSeq[from] = seq;
      windows.complete(from);
      tLast = at;
      if (received === expected) finish();
      return;
    }
    if (kind === Kind.Ok || kind === Kind.System) return;
    if (kind === Kind.Error) problems.serverError(client.name, data.slice(start, end));
    else problems.unexpected(client.name, data.slice(start, end));
  };

  for (const client of clients) client.handler = onLine;
  guard.status = () => `${received}/${expected} received, sent ${sum(sent)}`;
  const { cpu, parts } = await measureWindows(ctx, windows, problems, {
    senders: N,
    done,
    received: () => received,
    expected,
    lastReceipt: () => tLast,
    unit: 'messages',
  });

  const lost = Math.max(0, expected - received);
  if (lost > 0)
    problems.add(
      `${lost} of ${expected} messages missing: ${sum(sent) - received} sent but not received, ${expected - sum(sent)} never sent`,
    );
  if (outOfOrder > 0) problems.add(`${outOfOrder} messages out of order per (receiver, sender)`);
  if (misrouted > 0) problems.add(`${misrouted} messages delivered to the wrong client`);
  const t0 = windows.firstSendAt;
  const durationMs = t0 > 0 && tLast > t0 ? tLast - t0 : 0;
  return {
    workload: name,
    params: { ...p },
    ok: problems.none(),
    problems: problems.list(),
    rate: { value: durationMs > 0 ? received / (durationMs / 1000) : 0, unit: 'messages/s' },
    latencyUs: hist.summary(),
    expected,
    received,
    lost,
    outOfOrder,
    durationMs,
    messages: sum(sent),
    setupMs: { register: Math.round(registerMs) },
    cpu,
    ...(parts && { parts }),
  };
}
