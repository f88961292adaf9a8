/**
 * Per-sender send windows shared by the workloads: each sender has at most `window` of its `messages`
 * in flight; a freed slot is refilled once per event-loop turn, just before output is written, so each
 * sender makes one write per turn and its batch shares one send time.
 */
import { performance } from 'node:perf_hooks';
import { scheduleFlush } from './client.js';

export class SendWindows {
  readonly sent: Int32Array;
  readonly completed: Int32Array;
  /** performance.now() of the first send, 0 before it. */
  firstSendAt = 0;
  private readonly flags: Uint8Array;
  private readonly list: number[] = [];

  constructor(
    senders: number,
    private readonly messages: number,
    private readonly window: number,
    /** The request line for message `seq` of `sender`, stamped with its send time. */
    private readonly request: (sender: number, seq: number, sentUs: number) => string,
    private readonly write: (sender: number, batch: string) => void,
  ) {
    this.sent = new Int32Array(senders);
    this.completed = new Int32Array(senders);
    this.flags = new Uint8Array(senders);
  }

  /** Marks `sender` for a refill before the next write (at the start, or when a slot freed). */
  want(sender: number): void {
    if (this.flags[sender] === 0) {
      this.flags[sender] = 1;
      this.list.push(sender);
      scheduleFlush();
    }
  }

  /** One of `sender`'s messages has done its round: its slot is free. */
  complete(sender: number): void {
    this.completed[sender]!++;
    this.want(sender);
  }

  /** Fills every marked sender's window; install with setBeforeFlush. */
  readonly refill = (): void => {
    if (this.list.length === 0) return;
    const now = performance.now();
    if (this.firstSendAt === 0) this.firstSendAt = now;
    const sentUs = Math.round(now * 1000);
    for (const sender of this.list) {
      this.flags[sender] = 0;
      let batch = '';
      let n = this.sent[sender]!;
      const limit = Math.min(this.messages, this.completed[sender]! + this.window);
      while (n < limit) batch += this.request(sender, n++, sentUs);
      this.sent[sender] = n;
      if (batch.length > 0) this.write(sender, batch);
    }
    this.list.length = 0;
  };
}
