/**
 * Where the client's output goes. Interactive (stdin and stdout are terminals): a readline prompt
 * naming the current conversation; an incoming line is printed above it and the prompt with the
 * half-typed input is redrawn, so typing is never broken; Tab completes commands, users and rooms;
 * up/down walk the input history. One status line just above the prompt, redrawn in place, shows the
 * conversations with unread messages and the progress of file transfers; a mention of you rings the
 * bell, and Alt-a runs /next. Plain (scripts): one line per event, or one JSON object per line, and a
 * transfer's progress every 10%.
 */
import readline from 'node:readline';
import { ringsBell } from './activity.js';
import { PasteJoiner } from './paste.js';
import { SLASH_COMMANDS, targetLabel, type Target } from './parse.js';
import type { Renderer } from './render.js';
import { statusLine } from './status-line.js';
import type { Output } from './output.js';
import type { Session } from './session.js';

export interface Screen {
  show(output: Output): void;
  setTarget(target: Target): void;
  /** Asks for a name; null when input has ended. */
  askName(reason: string | null): Promise<string | null>;
  /** Asks for a password without showing what is typed; null when input has ended. */
  askPassword(prompt: string): Promise<string | null>;
  /** Asks one question whose answer is shown as typed (an invite code); null when input has ended. */
  askLine(prompt: string): Promise<string | null>;
  /** Calls `onLine` for each line typed, one at a time; `onEnd` when input ends (Ctrl-D, end of a pipe). */
  run(onLine: (line: string) => Promise<void>, onEnd: () => void, onInterrupt: () => void): void;
  close(): void;
}

const FROM_REPLIES = new Set(['own', 'missed', 'history']);
const COMMAND_WORDS = SLASH_COMMANDS.flatMap((c) => [c.name, ...c.aliases]).map((w) => `/${w}`);

/** Mentions among waiting or caught-up messages within this long of each other ring the bell once. */
const BATCH_BELL_MS = 1000;

/** A progress line is printed in plain mode each time a transfer passes another tenth. */
const PLAIN_PROGRESS_STEP = 10;

/**
 * readline's internals the redraw keeps right: `prevRows`, its count of the rows between the prompt's
 * first row and the cursor as it last drew them; `isCompletionEnabled`, false while it takes in all but
 * the last character of a chunk (a paste), which it then appends without that count.
 */
type ReadlineRows = readline.Interface & { prevRows?: number; isCompletionEnabled: boolean };

export class InteractiveScreen implements Screen {
  private readonly rl: ReadlineRows;
  private prompting = false;
  /** Progress of each running transfer, shown together on the status line. */
  private readonly progress = new Map<string, string>();
  /** Columns taken by the status line drawn above the prompt now; 0 when there is none. */
  private statusWidth = 0;
  /** Runs /next as if typed, in turn with the lines typed (set once lines are read). */
  private nextKey: (() => void) | null = null;
  /** Joins the lines of a paste into one entry (issue #12.2); set while lines are read. */
  private paste: PasteJoiner | null = null;
  /**
   * While a paste comes in readline draws nothing but still counts the input's rows: the rows from the
   * prompt's first row to the cursor as last drawn on the terminal are kept here; null outside a paste.
   */
  private drawnRows: number | null = null;
  /** Questions being asked now (a name, a password): a paste into one is never chat. */
  private asking = 0;
  /** When the last mention of a batch (waiting, caught up) rang the bell. */
  private lastBatchBell = 0;

  constructor(
    private readonly renderer: Renderer,
    private readonly session: Session,
  ) {
    this.rl = readline.createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: true,
      historySize: 500,
      completer: (line: string) => complete(line, session),
    }) as ReadlineRows;
    // A resized terminal rewraps what it shows (issue #12.1): the prompt and the input now take the rows
    // of the new width. readline's own redraw would move up by the rows of the old width, over the lines
    // above (or leave copies of the input behind); clear and redraw by the new width first.
    process.stdout.prependListener('resize', () => {
      if (this.prompting) this.redraw();
    });
    process.stdin.prependListener('keypress', (_text: string | undefined, key: readline.Key | undefined) => {
      // A pasted run of characters is inserted one by one like typed ones: readline's shortcut for it
      // appends at the end even with the cursor mid-line and leaves its count of rows stale, so that
      // its next redraw (a cursor move to another row) left a copy of the prompt behind (issue #12.1).
      // A pasted tab still does not complete.
      // Inside a paste nothing is drawn (paste.ts) and a tab is text: completion stays off, even for a
      // character that ends one chunk of a long paste.
      if (this.paste?.active) {
        this.rl.isCompletionEnabled = false;
        return;
      }
      if (key?.name !== 'tab') this.rl.isCompletionEnabled = true;
      // Enter leaves the typed line in the scrollback; without this, the status line above it would stay
      // there too, and the next redraw would take the submitted line for the status line and erase it.
      if (
        this.prompting &&
        this.statusWidth > 0 &&
        (key?.name === 'return' || key?.name === 'enter') &&
        !key.ctrl &&
        !key.meta
      ) {
        this.clearBottom();
        this.rl.prompt(true);
      }
    });
    // Alt-a goes to the next conversation with unread messages, as in irssi and weechat (issue #12.6).
    process.stdin.on('keypress', (_text: string | undefined, key: readline.Key | undefined) => {
      if (key?.meta && key.name === 'a' && !key.ctrl) this.nextKey?.();
    });
  }

  show(output: Output): void {
    if (output.type === 'progress') return this.showProgress(output.key, output.text);
    const text = this.renderer.render(output);
    if (text === null) return;
    // A mention of you rings the terminal's bell (issue #12.6): the terminal shows it as it is set up to.
    // Mentions that waited for you, or came in a catch-up, arrive as a batch: one bell for the batch.
    if (ringsBell(output, this.session.name)) {
      const batch = output.type === 'message' && output.phase !== 'live';
      if (!batch || Date.now() - this.lastBatchBell > BATCH_BELL_MS) process.stdout.write('\x07');
      if (batch) this.lastBatchBell = Date.now();
    }
    if (!this.prompting) {
      process.stdout.write(text + '\n');
      return;
    }
    // Clear the prompt (and status) lines, print above them, then redraw them with what was typed so far.
    this.clearBottom();
    process.stdout.write(text + '\n');
    this.drawBottom();
  }

  private showProgress(key: string, text: string | null): void {
    if (text === null) this.progress.delete(key);
    else this.progress.set(key, text);
    if (this.prompting) this.redraw();
  }

  /** Draws the status line and the prompt again, in place. */
  private redraw(): void {
    this.clearBottom();
    this.drawBottom();
  }

  /**
   * Clears from the status line (or the prompt's first row) to the end of the screen; the cursor ends
   * where that first row was. The input may wrap over several rows with the cursor on any of them
   * (issue #12.1): readline's cursor position says how many rows up the prompt starts, at the width
   * the terminal has now (a terminal that was resized has rewrapped them to it).
   */
  private clearBottom(): void {
    const columns = this.columns();
    const inputRows = this.drawnRows ?? this.rl.getCursorPos().rows;
    const up = inputRows + (this.statusWidth > 0 ? Math.max(1, Math.ceil(this.statusWidth / columns)) : 0);
    readline.cursorTo(process.stdout, 0);
    if (up > 0) readline.moveCursor(process.stdout, 0, -up);
    readline.clearScreenDown(process.stdout);
    this.statusWidth = 0;
    // readline moves up by the rows it drew last before it draws the prompt again: none now.
    this.rl.prevRows = 0;
    // During a paste the prompt drawn next goes nowhere: nothing of the input is on the terminal.
    if (this.drawnRows !== null) this.drawnRows = 0;
  }

  /**
   * The terminal's width now. A terminal rewraps its rows as soon as it is resized, but the SIGWINCH
   * that tells Node may come after a message to print: asked directly, the width is never stale, and
   * a change is handled (readline's and this screen's redraw) before anything is drawn by the old one.
   */
  private columns(): number {
    const [columns, rows] = process.stdout.getWindowSize();
    if (columns > 0 && (columns !== process.stdout.columns || rows !== process.stdout.rows)) {
      process.stdout.columns = columns;
      process.stdout.rows = rows;
      process.stdout.emit('resize');
    }
    return process.stdout.columns || 80;
  }

  /**
   * Draws the status line (unread conversations, running transfers; none when there are neither) and
   * the prompt with the half-typed input, from the cursor's row down.
   */
  private drawBottom(): void {
    // The width clearBottom, always called just before, has brought up to date.
    const width = Math.max(20, (process.stdout.columns || 80) - 1);
    const status = statusLine(this.session.activity.list(), [...this.progress.values()], width, (text) =>
      this.renderer.highlight(text),
    );
    if (status.width > 0) {
      process.stdout.write(status.text + '\n');
      this.statusWidth = status.width;
    }
    this.rl.prompt(true);
  }

  setTarget(target: Target): void {
    this.rl.setPrompt(`[${targetLabel(target)}]> `);
    if (this.prompting) this.redraw();
  }

  askName(reason: string | null): Promise<string | null> {
    if (reason) process.stdout.write(`${reason}\n`);
    return new Promise((resolve) => {
      const onClose = () => resolve(null);
      this.rl.once('close', onClose);
      this.asking++;
      this.rl.question('Your name: ', (answer) => {
        this.asking--;
        this.rl.off('close', onClose);
        resolve(answer.trim());
      });
    });
  }

  askLine(prompt: string): Promise<string | null> {
    return new Promise((resolve) => {
      const onClose = () => resolve(null);
      this.rl.once('close', onClose);
      this.asking++;
      this.rl.question(prompt, (answer) => {
        this.asking--;
        this.rl.off('close', onClose);
        resolve(answer.trim());
      });
    });
  }

  askPassword(prompt: string): Promise<string | null> {
    // readline echoes keystrokes through _writeToOutput; silencing it for one question hides the
    // password while the same interface (and its history, which must not keep it) stays in use.
    // A property, not a method: it is taken off the interface and called with `rl` as `this` again.
    const rl = this.rl as ReadlineRows & { _writeToOutput: (text: string) => void; history: string[] };
    const echo = rl._writeToOutput;
    // Redraws write the prompt followed by the input: only the prompt gets through.
    rl._writeToOutput = (text: string) => {
      if (text.startsWith(prompt)) echo.call(rl, prompt);
    };
    return new Promise((resolve) => {
      const done = (answer: string | null) => {
        this.asking--;
        rl._writeToOutput = echo;
        rl.off('close', onClose);
        if (answer !== null && rl.history[0] === answer) rl.history.shift();
        process.stdout.write('\n');
        resolve(answer);
      };
      const onClose = () => done(null);
      rl.once('close', onClose);
      this.asking++;
      rl.question(prompt, (answer) => done(answer));
    });
  }

  run(onLine: (line: string) => Promise<void>, onEnd: () => void, onInterrupt: () => void): void {
    this.prompting = true;
    this.rl.prompt();
    const queue = lineQueue(onLine, () => this.redraw());
    this.nextKey = () => queue('/next');
    this.paste = new PasteJoiner(this.rl, process.stdin, process.stdout, queue, {
      started: () => {
        this.drawnRows = this.rl.getCursorPos().rows;
      },
      ended: () => {
        this.clearBottom();
        this.drawnRows = null;
        this.drawBottom();
      },
      asking: () => this.asking > 0,
    });
    this.rl.on('close', () => {
      // Input is over (Ctrl-D) but the session may wait for messages or transfers to go: bracketed
      // paste goes off now (the shell after us must not get it, however the process ends), and Ctrl-C,
      // no longer readline's, still ends the session cleanly once (a second one kills the process).
      this.paste?.stop();
      this.paste = null;
      if (this.prompting) process.once('SIGINT', onInterrupt);
      onEnd();
    });
    this.rl.on('SIGINT', onInterrupt);
  }

  close(): void {
    this.prompting = false;
    this.paste?.stop();
    this.paste = null;
    this.rl.close();
  }
}

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

/** Runs lines one after another, in the order typed, even when the next arrives while one is running. */
function lineQueue(onLine: (line: string) => Promise<void>, after: () => void): (line: string) => void {
  let chain = Promise.resolve();
  return (line) => {
    chain = chain.then(() => onLine(line)).then(after, after);
  };
}

function complete(line: string, session: Session): [string[], string] {
  const words = line.split(/\s+/);
  const word = words.at(-1) ?? '';
  if (words.length === 1 && word.startsWith('/')) {
    const hits = COMMAND_WORDS.filter((c) => c.startsWith(word.toLowerCase()));
    return [hits, word];
  }
  const { users, rooms } = session.completions();
  const bare = word.replace(/^[@#]/, '');
  const hits = [...new Set([...users, ...rooms, 'everyone'])]
    .filter((n) => n.toLowerCase().startsWith(bare.toLowerCase()))
    .sort();
  return [hits.map((h) => word.slice(0, word.length - bare.length) + h), word];
}
