/**
 * Pastes in the interactive screen (issue #12.2). The screen asks the terminal for bracketed paste
 * (ESC[?2004h): the terminal wraps what is pasted in ESC[200~ … ESC[201~, which Node's keypress decoder
 * reports as the keys `paste-start` and `paste-end` (Node 20). The lines readline completes between them
 * are one paste, handed on as one entry joined with \n (the session sends it as one message); a line
 * typed is handed on alone. A paste is not echoed line by line: the message it becomes is what shows. A terminal without bracketed paste sends a paste as typed lines: each is then
 * its own message, paced by the outbox, none lost.
 */
import type readline from 'node:readline';

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

/** readline writes everything it echoes through this method (screen.ts askPassword silences it too). */
type EchoingInterface = readline.Interface & { _writeToOutput(text: string): void };

export class PasteJoiner {
  /** The lines of the paste under way; null outside a paste. */
  private pasting: string[] | null = null;
  private missingEnd: NodeJS.Timeout | null = null;
  /** readline's echo, kept while a paste is not echoed. */
  private echo: ((text: string) => void) | null = null;
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
    private readonly output: NodeJS.WritableStream,
    private readonly onEntry: (entry: string) => void,
  ) {
    input.on('keypress', this.onKeypress);
    rl.on('line', this.onLine);
    output.write(ENABLE);
  }

  private startPaste(): void {
    this.pasting = [];
    const rl = this.rl as EchoingInterface;
    this.echo = rl._writeToOutput;
    rl._writeToOutput = () => {};
  }

  /**
   * A paste that held a newline is handed on whole, with its last line even when that did not end in a
   * newline (it is taken out of the input line); the user does not press Enter after a paste of several
   * lines. A paste without a newline stays in the input line, to be edited and sent as typed.
   */
  private endPaste(): void {
    if (this.missingEnd) clearTimeout(this.missingEnd);
    this.missingEnd = null;
    const lines = this.pasting ?? [];
    this.pasting = null;
    if (this.echo) (this.rl as EchoingInterface)._writeToOutput = this.echo;
    this.echo = null;
    const rest = this.rl.line;
    if (lines.length > 0 && rest !== '') {
      lines.push(rest);
      // Ctrl-E, Ctrl-U: to the end of the input line, then clear it.
      this.rl.write(null, { ctrl: true, name: 'e' });
      this.rl.write(null, { ctrl: true, name: 'u' });
    }
    // The prompt with what is in the input line now (all of a paste without a newline; else nothing).
    this.rl.prompt(true);
    if (lines.length > 0) this.onEntry(lines.join('\n'));
  }

  /** Turns bracketed paste off again (the shell after us does not expect it) and hands on a paste under way. */
  stop(): void {
    if (this.pasting !== null) this.endPaste();
    this.input.off('keypress', this.onKeypress);
    this.rl.off('line', this.onLine);
    this.output.write(DISABLE);
  }
}
