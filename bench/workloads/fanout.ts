/**
 * Fan-out: C clients in one room; the first S each send M room messages, with at most W of their
 * messages in flight. A message leaves its sender's window once every other member (all C-1) has
 * received it. Reports deliveries/s (every message received by every member, over last receive -
 * first send) and one-way latency (receive time per socket read - the send time in the payload).
 * Checks: every expected delivery arrived, per (receiver, sender) in order, to the right clients.
 */
import { performance } from 'node:perf_hooks';
import type { LineHandler, Transport } from '../client.js';
import { connectAndRegister, joinRoom } from '../setup.js';
import { Histogram, sum } from '../stats.js';
import { FANOUT, Kind, kindOf, parsePayload, payload, payloadText, req, textStart } from '../wire.js';
import type { Result, Workload, WorkloadContext } from '../workload.js';
import { SendWindows } from '../send-windows.js';
import { measureWindows } from './measure.js';
import { Problems } from './problems.js';

export interface FanoutParams extends Record<string, number> {
  clients: number;
  senders: number;
  messages: number;
  window: number;
  /** Padding characters in each payload. */
  pad: number;
  /** Registrations and joins in flight during setup. */
  concurrency: number;
  /** Messages per sender sent first and left out of the latency figures (JIT warm-up); still counted for loss. */
  warmup: number;
}

const ROOM = 'bench';

export function fanoutWorkload(
  name: string,
  summary: string,
  full: FanoutParams,
  quick: FanoutParams,
  transport: Transport = 'tcp',
): Workload<FanoutParams> {
  return {
    name,
    summary,
    full,
    quick,
    connections: (p) => p.clients,
    run: (ctx, p) => runFanout(name, ctx, p, transport),
  };
}

export const fanout = fanoutWorkload(
  'fanout',
  'room fan-out under load',
  { clients: 500, senders: 10, messages: 2000, window: 50, pad: 32, concurrency: 200, warmup: 0 },
  { clients: 100, senders: 10, messages: 200, window: 50, pad: 32, concurrency: 200, warmup: 0 },
);

/** The same room fan-out with every client on the WebSocket endpoint (#14: a browser class), to compare with TCP's. */
export const fanoutWs = fanoutWorkload('fanout-ws', 'room fan-out over WebSocket', fanout.full, fanout.quick, 'ws');

export const fanoutLow = fanoutWorkload(
  'fanout-low',
  'room fan-out latency probe (window 1)',
  { clients: 100, senders: 1, messages: 3000, window: 1, pad: 32, concurrency: 200, warmup: 1000 },
  { clients: 20, senders: 1, messages: 300, window: 1, pad: 32, concurrency: 200, warmup: 100 },
);

async function runFanout(name: string, ctx: WorkloadContext, p: FanoutParams, transport: Transport): Promise<Result> {
  const { clients: C, senders: S, messages: M, window: W } = p;
  if (C < 2 || S < 1 || S > C) throw new Error(`${name}: need 1 <= senders <= clients and clients >= 2`);
  const { guard } = ctx;
  let t = performance.now();
  const clients = await connectAndRegister(ctx.ports, C, p.concurrency, guard, ctx.clients, transport);
  const registerMs = performance.now() - t;
  t = performance.now();
  const joinsRetried = await joinRoom(clients, ROOM, p.concurrency, guard);
  const joinMs = performance.now() - t;
  ctx.note(
    `${C} registered in ${(registerMs / 1000).toFixed(1)} s, joined in ${(joinMs / 1000).toFixed(1)} s; sending`,
  );
  const problems = new Problems();
  const notes: string[] = [];
  if (joinsRetried > 0)
    notes.push(
      `${joinsRetried} joins were answered no_such_room at first (the room was made on another node a moment before) and sent again`,
    );
  for (const client of clients) {
    client.handler = () => {}; // the join events still arriving
    client.onUnexpectedClose = (c) => guard.abort(`${c.name}: ${c.closeReason}`);
  }
  await guard.sleep(500);

  const ackN = C - 1;
  const expected = S * M * (C - 1);
  const ring = new Int32Array(S * W); // receipts per in-flight message, by sender and seq % W
  const lastSeq = new Int32Array(C * S).fill(-1);
  const receivedBy = new Int32Array(C);
  const hist = new Histogram();
  const pad = 'x'.repeat(p.pad);
  let received = 0;
  let outOfOrder = 0;
  let tLast = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));

  const windows = new SendWindows(
    S,
    M,
    W,
    (s, n, sentUs) => req.group(ROOM, payloadText('F', s, n, sentUs, pad)),
    (s, batch) => clients[s]!.queue(batch),
  );
  const { sent, completed } = windows;

  const onLine: LineHandler = (client, data, start, end, at) => {
    const kind = kindOf(data, start);
    if (kind === Kind.Group) {
      const i = textStart(data, start, end);
      if (i < 0 || !parsePayload(data, i, FANOUT) || payload.from >= S) {
        problems.unexpected(client.name, data.slice(start, end));
        return;
      }
      const from = payload.from;
      const seq = payload.seq;
      if (from === client.id) problems.add(`${client.name} received its own message ${seq}`);
      if (seq >= p.warmup) hist.add(at * 1000 - payload.sentUs);
      received++;
      receivedBy[client.id]!++;
      const key = client.id * S + from;
      if (seq !== lastSeq[key]! + 1) outOfOrder++;
      lastSeq[key] = seq;
      const slot = from * W + (seq % W);
      const got = ring[slot]! + 1;
      if (got === ackN) {
        ring[slot] = 0;
        windows.complete(from);
      } else {
        ring[slot] = got;
      }
      tLast = at;
      if (received === expected) finish();
      return;
    }
    if (kind === Kind.Ok || kind === Kind.System) return;
    if (kind === Kind.Error) problems.serverError(client.name, data.slice(start, end));
    else problems.unexpected(client.name, data.slice(start, end));
  };

  for (const client of clients) client.handler = onLine;
  guard.status = () => `${received}/${expected} deliveries, sent ${sum(sent)}/${S * M}, completed ${sum(completed)}`;
  const { cpu, parts } = await measureWindows(ctx, windows, problems, {
    senders: S,
    done,
    received: () => received,
    expected,
    lastReceipt: () => tLast,
    unit: 'deliveries',
  });

  let short = 0;
  let worst = 0;
  for (let c = 0; c < C; c++) {
    const want = c < S ? (S - 1) * M : S * M;
    const missing = want - receivedBy[c]!;
    if (missing > 0) {
      short++;
      worst = Math.max(worst, missing);
    }
  }
  const lost = Math.max(0, expected - received);
  if (lost > 0) {
    const ofSent = sum(sent) * (C - 1) - received;
    problems.add(
      `${lost} of ${expected} deliveries missing (${short} clients short, worst by ${worst}): ${ofSent} of messages sent, the rest of ${S * M - sum(sent)} never sent`,
    );
  }
  if (outOfOrder > 0) problems.add(`${outOfOrder} deliveries out of order per (receiver, sender)`);
  const t0 = windows.firstSendAt;
  const durationMs = t0 > 0 && tLast > t0 ? tLast - t0 : 0;
  return {
    workload: name,
    params: { ...p },
    ok: problems.none(),
    problems: problems.list(),
    ...(notes.length > 0 && { notes }),
    rate: { value: durationMs > 0 ? received / (durationMs / 1000) : 0, unit: 'deliveries/s' },
    latencyUs: hist.summary(),
    expected,
    received,
    lost,
    outOfOrder,
    durationMs,
    messages: sum(sent),
    setupMs: { register: Math.round(registerMs), join: Math.round(joinMs) },
    cpu,
    ...(parts && { parts }),
  };
}
