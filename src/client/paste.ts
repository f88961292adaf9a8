/**
 * Pastes in the interactive screen (issue #12.2). The screen asks the terminal for bracketed paste
 * (ESC[?2004h): the terminal wraps what is pasted in ESC[200~ … ESC[201~, which Node's keypress decoder
 * reports as the keys `paste-start` and `paste-end` (Node 20). The lines readline completes between them
 * are one paste, handed on as one entry joined with \n (the session sends it as one message); a line
 * typed is handed on alone. A paste is not echoed line by line: the message it becomes is what shows.
 * A terminal without bracketed paste sends a paste as typed lines: each is then its own message, paced
 * by the outbox, none lost.
 */
import type readline from 'node:readline';
import { Writable } from 'node:stream';

const ENABLE = '\x1b[?2004h';
const DISABLE = '\x1b[?2004l';
/**
 * A paste whose end mark never comes (a terminal that lost it) is handed on this long after its last
 * line, so its lines are never held back for good.
 */
const MISSING_END_MS = 2000;

interface Key {
  name?: string;
}

/** readline draws through its `output`: swapped for a sink while a paste comes in (see startPaste). */
type DrawingInterface = readline.Interface & { output: NodeJS.WritableStream | null };

/** What the screen does around a paste: readline draws nothing while one comes in, the screen redraws after. */
export interface PasteHooks {
  /** A paste starts: the screen notes what it has drawn (readline's idea of it changes unseen from now). */
  started(): void;
  /** The paste is over and readline draws again: the screen draws the prompt with the input line. */
  ended(): void;
  /** True while a question is asked (a password): a paste's lines then answer it, and are never chat. */
  asking(): boolean;
}

export class PasteJoiner {
  /** The lines of the paste under way; null outside a paste. */
  private pasting: string[] | null = null;
  /** The paste began while a question was asked: what it completes beyond the answer is dropped. */
  private answering = false;
  private missingEnd: NodeJS.Timeout | null = null;
  /** readline's output, kept while a paste comes in. */
  private drawTo: NodeJS.WritableStream | null = null;
  private readonly onKeypress = (_text: string | undefined, key: Key | undefined) => {
    if (key?.name === 'paste-start' && this.pasting === null) this.startPaste();
    else if (key?.name === 'paste-end') this.endPaste();
  };
  private readonly onLine = (line: string) => {
    if (this.pasting === null) return this.onEntry(line);
    this.pasting.push(line);
    if (this.missingEnd) clearTimeout(this.missingEnd);
    this.missingEnd = setTimeout(() => this.endPaste(), MISSING_END_MS);
  };

  /** Hands each typed line, and each paste, to `onEntry` from now on. */
  constructor(
    private readonly rl: readline.Interface,
    private readonly input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WriteStream,
    private readonly onEntry: (entry: string) => void,
    private readonly hooks: PasteHooks,
  ) {
    input.on('keypress', this.onKeypress);
    rl.on('line', this.onLine);
    output.write(ENABLE);
  }

  /** True while a paste comes in. */
  get active(): boolean {
    return this.pasting !== null;
  }

  /**
   * readline draws nothing of a paste: its output is a sink until the paste ends. Silencing only its
   * echo was not enough: as the pasted input wrapped, readline moved the cursor up and cleared the
   * screen below on its output directly, erasing chat lines above the prompt.
   */
  private startPaste(): void {
    this.pasting = [];
    this.answering = this.hooks.asking();
    this.hooks.started();
    const rl = this.rl as DrawingInterface;
    this.drawTo = rl.output;
    const output = this.output;
    // The sink keeps the terminal's width: readline counts the input's rows by it.
    rl.output = Object.assign(new Writable({ write: (_chunk, _encoding, done) => done() }), {
      get columns() {
        return output.columns;
      },
    });
  }

  /**
   * A paste that held a newline is handed on whole, with its last line even when that did not end in a
   * newline (it is taken out of the input line); the user does not press Enter after a paste of several
   * lines. A paste without a newline stays in the input line, to be edited and sent as typed. A paste
   * into a question (a password) answers it with its first line; the rest is dropped, never sent as chat.
   */
  private endPaste(): void {
    if (this.missingEnd) clearTimeout(this.missingEnd);
    this.missingEnd = null;
    const lines = this.pasting ?? [];
    this.pasting = null;
    const rest = this.rl.line;
    if (lines.length > 0 && rest !== '' && !this.answering) {
      lines.push(rest);
      // Ctrl-E, Ctrl-U: to the end of the input line, then clear it (drawn nowhere: the sink is still on).
      this.rl.write(null, { ctrl: true, name: 'e' });
      this.rl.write(null, { ctrl: true, name: 'u' });
    }
    (this.rl as DrawingInterface).output = this.drawTo;
    this.drawTo = null;
    this.hooks.ended();
    if (lines.length > 0 && !this.answering) this.onEntry(lines.join('\n'));
  }

  /** Turns bracketed paste off again (the shell after us does not expect it) and hands on a paste under way. */
  stop(): void {
    if (this.pasting !== null) this.endPaste();
    this.input.off('keypress', this.onKeypress);
    this.rl.off('line', this.onLine);
    this.output.write(DISABLE);
  }
}
