/**
 * Group commit (issue #2): everything a tick produces, writes and output alike, is held until one
 * commit makes the writes durable; then each connection's output goes to its wire at once (one socket
 * write on the line wire). So a sender's `ok` is never sent before its message is stored, a whole tick
 * costs one transaction, and small writes to the same socket are coalesced (design §4.10).
 *
 * A commit that fails stops the server (issue #11.12: SQLite's disk), except one that could not reach a
 * database shared over the network (#15, StoreUnreachable): that tick's output is not written, its
 * replies are answered again without it (Connection.lostOutput: `unavailable` for each `ok`), and the
 * outage is reported (store-outage.ts) while the server goes on.
 */
import type { Logger } from 'pino';
import type { RequestId } from '../protocol/requests.js';
import type { Store } from './store/store.js';
import { StoreUnreachable } from './store/unreachable.js';

/** A request's reply in a tick's output, and whether it reports success. */
export interface TickReply {
  readonly ref: RequestId | undefined;
  readonly bytes: Buffer;
  readonly ok: boolean;
  /** Takes back what the request changed in memory, when an `ok` is not sent because its tick was lost. */
  readonly undo?: () => void;
}

/** What a sink had for one tick: its messages, and which of them are replies (null: none). */
export interface TickOutput {
  readonly messages: Buffer[];
  readonly replies: readonly TickReply[] | null;
}

/** What a reply whose tick was not stored says instead of `ok` (#15). */
export const LOST_TICK_TEXT =
  'the database could not be reached, so this may not have been stored: send it again (with the same id) once the server answers again';

/**
 * A connection as group commit sees it: output to take at the end of a tick, and to write after commit.
 * Output is the tick's messages, shared with other recipients; the connection's wire frames them.
 */
export interface OutputSink {
  takeOutput(): TickOutput | null;
  writeOutput(messages: Buffer[]): void;
  /** The tick's commit could not reach the database: answer its replies without it (#15). */
  lostOutput(output: TickOutput, text: string): void;
}

type Outputs = (TickOutput | null)[];

export class GroupCommit {
  private dirty: OutputSink[] = [];
  private scheduled = false;
  /** Set while an asynchronous commit is in flight; later ticks wait for it so output stays in order. */
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    /** Storage failed: the server cannot promise anything any more and must stop. */
    private readonly onFatal: (err: unknown) => void,
    /** A commit could not reach the database (#15): the server goes on, answering `unavailable`. */
    private readonly onUnreachable: (err: StoreUnreachable) => void = onFatal,
  ) {}

  /** Ensures the current tick ends with a commit (called after a write with no output). */
  readonly request = (): void => {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  };

  /** A sink has output for this tick. Call once per tick per sink. */
  enqueue(sink: OutputSink): void {
    this.dirty.push(sink);
    this.request();
  }

  /** Commits and releases everything pending now; resolves when it is written. */
  async drain(): Promise<void> {
    if (this.scheduled) this.flush();
    while (this.inFlight) await this.inFlight;
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const sinks = this.dirty;
    this.dirty = [];
    const outputs = sinks.map((sink) => sink.takeOutput());
    if (this.inFlight) {
      this.inFlight = this.chain(
        this.inFlight.then(() => this.store.commit()),
        sinks,
        outputs,
      );
      return;
    }
    let result: void | Promise<void>;
    try {
      result = this.store.commit();
    } catch (err) {
      this.fail(err, sinks, outputs);
      return;
    }
    if (result === undefined) release(sinks, outputs);
    else this.inFlight = this.chain(result, sinks, outputs);
  };

  private chain(commit: Promise<void>, sinks: OutputSink[], outputs: Outputs): Promise<void> {
    const tail: Promise<void> = commit
      .then(
        () => release(sinks, outputs),
        (err) => this.fail(err, sinks, outputs),
      )
      .then(() => {
        if (this.inFlight === tail) this.inFlight = null;
      });
    return tail;
  }

  private fail(err: unknown, sinks: OutputSink[], outputs: Outputs): void {
    if (err instanceof StoreUnreachable) {
      this.log.warn(
        { err: err.message, connections: sinks.length },
        'commit could not reach the database: the output of this tick is dropped and its replies answered "unavailable"',
      );
      for (let i = 0; i < sinks.length; i++) {
        const output = outputs[i];
        if (output) sinks[i]!.lostOutput(output, LOST_TICK_TEXT);
      }
      this.onUnreachable(err);
      return;
    }
    // The tick's output was taken and is never written: no `ok` for what was not stored. The
    // connections stay open so the shutdown that follows can tell every client why (issue #11.12).
    this.log.fatal(
      { err, connections: sinks.length },
      'commit failed: the output of this tick is dropped and the server stops',
    );
    this.onFatal(err);
  }
}

function release(sinks: OutputSink[], outputs: Outputs): void {
  for (let i = 0; i < sinks.length; i++) {
    const output = outputs[i];
    if (output) sinks[i]!.writeOutput(output.messages);
  }
}
