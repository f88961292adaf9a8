/**
 * The screen when stdin and stdout are terminals: a readline prompt naming the current conversation;
 * an incoming line is printed above it and the status line and prompt with the half-typed input are
 * redrawn (bottom-rows.ts), so typing is never broken; Tab completes commands, users and rooms
 * (completion.ts); up/down walk the input history; a paste is one entry (paste.ts). A mention of you
 * rings the bell, and Alt-a runs /next.
 */
import readline from 'node:readline';
import { ringsBell } from './activity.js';
import { BottomRows, type ReadlineRows } from './bottom-rows.js';
import { complete } from './completion.js';
import { PasteJoiner } from './paste.js';
import { targetLabel, type Target } from './parse.js';
import { PromptQuestions } from './prompt-questions.js';
import type { Renderer } from './render.js';
import type { Screen } from './screen.js';
import { statusLine } from './status-line.js';
import type { Output } from './output.js';
import type { Session } from './session.js';

/** Mentions among waiting or caught-up messages within this long of each other ring the bell once. */
const BATCH_BELL_MS = 1000;

/** The terminal screen: output above a prompt kept whole, keys, pastes and sign-in questions. */
export class InteractiveScreen implements Screen {
  private readonly rl: ReadlineRows;
  private prompting = false;
  /** Progress of each running transfer, shown together on the status line. */
  private readonly progress = new Map<string, string>();
  /** The status line and the prompt under the output. */
  private readonly bottom: BottomRows;
  /** Sign-in questions asked at the prompt. */
  private readonly questions: PromptQuestions;
  /** Runs /next as if typed, in turn with the lines typed (set once lines are read). */
  private nextKey: (() => void) | null = null;
  /** Joins the lines of a paste into one entry (issue #12.2); set while lines are read. */
  private paste: PasteJoiner | null = null;
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
    this.bottom = new BottomRows(this.rl, (width) =>
      statusLine(this.session.activity.list(), [...this.progress.values()], width, (text) =>
        this.renderer.highlight(text),
      ),
    );
    this.questions = new PromptQuestions(this.rl);
    // A resized terminal rewraps what it shows (issue #12.1): the prompt and the input now take the rows
    // of the new width. readline's own redraw would move up by the rows of the old width, over the lines
    // above (or leave copies of the input behind); clear and redraw by the new width first.
    process.stdout.prependListener('resize', () => {
      if (this.prompting) this.bottom.redraw();
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
        this.bottom.hasStatus &&
        (key?.name === 'return' || key?.name === 'enter') &&
        !key.ctrl &&
        !key.meta
      ) {
        this.bottom.clear();
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
    this.bottom.clear();
    process.stdout.write(text + '\n');
    this.bottom.draw();
  }

  private showProgress(key: string, text: string | null): void {
    if (text === null) this.progress.delete(key);
    else this.progress.set(key, text);
    if (this.prompting) this.bottom.redraw();
  }

  setTarget(target: Target): void {
    this.rl.setPrompt(`[${targetLabel(target)}]> `);
    if (this.prompting) this.bottom.redraw();
  }

  askName(reason: string | null): Promise<string | null> {
    return this.questions.askName(reason);
  }

  askLine(prompt: string): Promise<string | null> {
    return this.questions.askLine(prompt);
  }

  askPassword(prompt: string): Promise<string | null> {
    return this.questions.askPassword(prompt);
  }

  run(onLine: (line: string) => Promise<void>, onEnd: () => void, onInterrupt: () => void): void {
    this.prompting = true;
    this.rl.prompt();
    const queue = lineQueue(onLine, () => this.bottom.redraw());
    this.nextKey = () => queue('/next');
    this.paste = new PasteJoiner(this.rl, process.stdin, process.stdout, queue, {
      started: () => this.bottom.pasteStarted(),
      ended: () => this.bottom.pasteEnded(),
      asking: () => this.questions.asking,
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

/** Runs lines one after another, in the order typed, even when the next arrives while one is running. */
function lineQueue(onLine: (line: string) => Promise<void>, after: () => void): (line: string) => void {
  let chain = Promise.resolve();
  return (line) => {
    chain = chain.then(() => onLine(line)).then(after, after);
  };
}
