/**
 * The screen for scripts (stdin or stdout not a terminal): one line per event, or with --json one
 * JSON object per line (issue #12.4); a transfer's progress every 10%; questions answered by the next
 * line of input.
 */
import readline from 'node:readline';
import type { Output } from './output.js';
import type { Renderer } from './render.js';
import type { Screen } from './screen.js';

const FROM_REPLIES = new Set(['own', 'missed', 'history']);

/** A progress line is printed in plain mode each time a transfer passes another tenth. */
const PLAIN_PROGRESS_STEP = 10;

/** Prints each output as a line (text or JSON) and reads input line by line. */
export class PlainScreen implements Screen {
  private readonly lines: AsyncIterator<string>;
  private readonly rl: readline.Interface;
  /** The last tenth printed of each running transfer. */
  private readonly progressStep = new Map<string, number>();

  constructor(
    private readonly renderer: Renderer,
    private readonly json: boolean,
  ) {
    this.rl = readline.createInterface({ input: process.stdin, terminal: false });
    this.lines = this.rl[Symbol.asyncIterator]();
  }

  show(output: Output): void {
    if (output.type === 'progress') return this.showProgress(output);
    if (this.json) {
      // Server events come as they arrived (raw); messages that came inside a reply (your own sent
      // messages, catch-up after a reconnect) are printed from the session's output, and a reply that
      // carries data (a listing, a history page) as one client-data object.
      if (output.type === 'raw') process.stdout.write(JSON.stringify(output.message) + '\n');
      else if (output.type === 'message' && FROM_REPLIES.has(output.phase))
        process.stdout.write(JSON.stringify(output.message) + '\n');
      else if (output.type === 'data')
        process.stdout.write(JSON.stringify(dataObject(output.command, output.reply)) + '\n');
      else if (
        output.type === 'info' ||
        output.type === 'error' ||
        output.type === 'status' ||
        output.type === 'header'
      ) {
        process.stdout.write(JSON.stringify({ status: `client-${output.type}`, text: output.text }) + '\n');
      }
      return;
    }
    const text = this.renderer.render(output);
    if (text !== null) process.stdout.write(text + '\n');
  }

  /** A line for each tenth of a transfer passed (a log, not a redrawn bar), and one at the end. */
  private showProgress(output: Extract<Output, { type: 'progress' }>): void {
    if (output.text === null) {
      this.progressStep.delete(output.key);
      return;
    }
    const step = output.done ? Infinity : Math.floor(output.percent / PLAIN_PROGRESS_STEP);
    const last = this.progressStep.get(output.key);
    if (last !== undefined && step <= last) return;
    this.progressStep.set(output.key, step);
    if (this.json)
      process.stdout.write(
        JSON.stringify({ status: 'client-progress', text: output.text, percent: output.percent, done: output.done }) +
          '\n',
      );
    else process.stdout.write(output.text + '\n');
  }

  setTarget(): void {}

  async askName(reason: string | null): Promise<string | null> {
    if (reason) process.stdout.write(`${reason}\n`);
    const next = await this.lines.next();
    return next.done ? null : next.value.trim();
  }

  async askLine(prompt: string): Promise<string | null> {
    if (!this.json) process.stdout.write(prompt.trimEnd() + '\n');
    const next = await this.lines.next();
    return next.done ? null : next.value.trim();
  }

  /** From a pipe the password is the next line (or CLASSCHAT_PASSWORD, which main.ts passes first). */
  async askPassword(prompt: string): Promise<string | null> {
    if (!this.json) process.stdout.write(prompt.trimEnd() + '\n');
    const next = await this.lines.next();
    return next.done ? null : next.value;
  }

  run(onLine: (line: string) => Promise<void>, onEnd: () => void): void {
    void (async () => {
      for (;;) {
        const next = await this.lines.next();
        if (next.done) break;
        await onLine(next.value);
      }
      onEnd();
    })();
  }

  close(): void {
    this.rl.close();
  }
}

/**
 * What --json prints for a reply that carries data (issue #12.4): the reply's fields as the server sent
 * them, under `client-data` and the command's name (`ref` was the client's own request id).
 */
function dataObject(command: string, reply: Record<string, unknown>): Record<string, unknown> {
  const { status: _status, ref: _ref, ...fields } = reply;
  return { status: 'client-data', command, ...fields };
}
