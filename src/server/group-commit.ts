/**
 * Group commit (issue #2): everything a tick produces, writes and output alike, is held until one
 * commit makes the writes durable; then each connection's output goes to its wire at once (one socket
 * write on the line wire). So a sender's `ok` is never sent before its message is stored, a whole tick
 * costs one transaction, and small writes to the same socket are coalesced (design §4.10).
 */
import type { Logger } from 'pino';
import type { Store } from './store/store.js';

/**
 * A connection as group commit sees it: output to take at the end of a tick, and to write after commit.
 * Output is the tick's messages, shared with other recipients; the connection's wire frames them.
 */
export interface OutputSink {
  takeOutput(): Buffer[] | null;
  writeOutput(messages: Buffer[]): void;
}

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
      this.fail(err, sinks);
      return;
    }
    if (result === undefined) release(sinks, outputs);
    else this.inFlight = this.chain(result, sinks, outputs);
  };

  private chain(commit: Promise<void>, sinks: OutputSink[], outputs: (Buffer[] | null)[]): Promise<void> {
    const tail: Promise<void> = commit
      .then(
        () => release(sinks, outputs),
        (err) => this.fail(err, sinks),
      )
      .then(() => {
        if (this.inFlight === tail) this.inFlight = null;
      });
    return tail;
  }

  private fail(err: unknown, sinks: OutputSink[]): void {
    // The tick's output was taken and is never written: no `ok` for what was not stored. The
    // connections stay open so the shutdown that follows can tell every client why (issue #11.12).
    this.log.fatal(
      { err, connections: sinks.length },
      'commit failed: the output of this tick is dropped and the server stops',
    );
    this.onFatal(err);
  }
}

function release(sinks: OutputSink[], outputs: (Buffer[] | null)[]): void {
  for (let i = 0; i < sinks.length; i++) {
    const messages = outputs[i];
    if (messages) sinks[i]!.writeOutput(messages);
  }
}
