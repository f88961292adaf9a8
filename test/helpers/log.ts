/** A server log a test can read and wait on: a pino logger at debug level that keeps its entries. */
import { pino, type Logger } from 'pino';

/** One pino entry as logged: its level and message, and whatever fields the line carried. */
export interface LogEntry {
  level: number;
  msg?: string;
  [field: string]: unknown;
}

const DEFAULT_TIMEOUT_MS = 3000;

export class LogCapture {
  readonly entries: LogEntry[] = [];
  private waiters: { match: (e: LogEntry) => boolean; resolve: (e: LogEntry) => void }[] = [];
  readonly logger: Logger = pino(
    { level: 'debug' },
    { write: (line: string) => this.push(JSON.parse(line) as LogEntry) },
  );

  private push(entry: LogEntry): void {
    this.entries.push(entry);
    for (const waiter of this.waiters.filter((w) => w.match(entry))) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(entry);
    }
  }

  /** Resolves with the first entry, logged already or later, matching `match`; rejects after the timeout. */
  waitFor(match: (e: LogEntry) => boolean, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<LogEntry> {
    const found = this.entries.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (entry: LogEntry) => {
          clearTimeout(timer);
          resolve(entry);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for a log entry: ${what}; last: ${JSON.stringify(this.entries.slice(-5))}`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}
