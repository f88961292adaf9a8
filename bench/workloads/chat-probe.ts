/**
 * The file workload's chat probe: two clients exchange small private messages at a steady rate (taking
 * turns), and each message's latency (send to the other client's receipt) goes into the histogram of
 * the phase it was sent in. It shows whether a file moving through the same server holds chat up.
 * Checks that every message arrives, in order per sender, at the other client.
 */
import { performance } from 'node:perf_hooks';
import type { LineClient, LineHandler } from '../client.js';
import type { Histogram } from '../stats.js';
import { CHAT, Kind, kindOf, parsePayload, payload, payloadText, req, textStart } from '../wire.js';
import type { Problems } from './problems.js';

/** How often the sender timer runs; each run sends what the rate says is due (a steady rate, not bursts). */
const TICK_MS = 2;

export class ChatProbe {
  /** Where messages sent from now on are recorded; null: not recorded (still checked). */
  phase: Histogram | null = null;
  sent = 0;
  received = 0;
  outOfOrder = 0;
  misrouted = 0;
  private readonly phaseOf: (Histogram | null)[] = [];
  private readonly lastSeq = [-1, -1];
  private timer: NodeJS.Timeout | null = null;
  private t0 = 0;
  private readonly pad: string;
  private onDrained: (() => void) | null = null;

  constructor(
    private readonly pair: [LineClient, LineClient],
    private readonly ratePerS: number,
    pad: number,
    problems: Problems,
  ) {
    this.pad = 'x'.repeat(pad);
    const onLine: LineHandler = (client, data, start, end, at) => {
      const kind = kindOf(data, start);
      if (kind === Kind.Private) {
        const i = textStart(data, start, end);
        if (i < 0 || !parsePayload(data, i, CHAT) || payload.from > 1 || payload.seq >= this.sent) {
          problems.unexpected(client.name, data.slice(start, end));
          return;
        }
        const { from, seq } = payload;
        if (client !== this.pair[from ^ 1]) this.misrouted++;
        if (seq <= this.lastSeq[from]!) this.outOfOrder++;
        this.lastSeq[from] = seq;
        this.phaseOf[seq]?.add(at * 1000 - payload.sentUs);
        this.received++;
        if (this.timer === null && this.received >= this.sent) this.onDrained?.();
        return;
      }
      if (kind === Kind.Ok || kind === Kind.System) return;
      if (kind === Kind.Error) problems.serverError(client.name, data.slice(start, end));
      else problems.unexpected(client.name, data.slice(start, end));
    };
    for (const client of pair) client.handler = onLine;
  }

  start(): void {
    this.t0 = performance.now();
    this.timer = setInterval(this.tick, TICK_MS);
  }

  /** Stops sending; resolves once every sent message has arrived (bound it with the guard). */
  stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return new Promise((resolve) => {
      if (this.received >= this.sent) resolve();
      else this.onDrained = resolve;
    });
  }

  private readonly tick = (): void => {
    const now = performance.now();
    const due = Math.floor(((now - this.t0) * this.ratePerS) / 1000) + 1;
    const sentUs = Math.round(now * 1000);
    // Written at once, not queued: the send time is now.
    while (this.sent < due) {
      const seq = this.sent++;
      const from = seq & 1;
      this.phaseOf[seq] = this.phase;
      this.pair[from]!.write(req.private(this.pair[from ^ 1]!.name, payloadText('C', from, seq, sentUs, this.pad)));
    }
  };
}
