/**
 * The rows at the bottom of the interactive screen: the status line (status-line.ts) and, under it, the
 * prompt with the half-typed input. They are cleared and drawn again in place whenever a line is
 * printed above them, the status changes or the terminal is resized, at the width the terminal has now
 * (issue #12.1), and kept right while a paste comes in and readline draws nothing (issue #12.2).
 */
import readline from 'node:readline';

/**
 * readline's internals the redraw keeps right: `prevRows`, its count of the rows between the prompt's
 * first row and the cursor as it last drew them; `isCompletionEnabled`, false while it takes in all but
 * the last character of a chunk (a paste), which it then appends without that count.
 */
export type ReadlineRows = readline.Interface & { prevRows?: number; isCompletionEnabled: boolean };

/** Clears and draws the status line and the prompt; knows how many rows they take. */
export class BottomRows {
  /** Columns taken by the status line drawn above the prompt now; 0 when there is none. */
  private statusWidth = 0;
  /**
   * While a paste comes in readline draws nothing but still counts the input's rows: the rows from the
   * prompt's first row to the cursor as last drawn on the terminal are kept here; null outside a paste.
   */
  private drawnRows: number | null = null;

  constructor(
    private readonly rl: ReadlineRows,
    /** The status line for `width` columns, and the columns it takes (0: none). */
    private readonly status: (width: number) => { text: string; width: number },
  ) {}

  /** True while a status line is drawn above the prompt. */
  get hasStatus(): boolean {
    return this.statusWidth > 0;
  }

  /** Draws the status line and the prompt again, in place. */
  redraw(): void {
    this.clear();
    this.draw();
  }

  /**
   * Clears from the status line (or the prompt's first row) to the end of the screen; the cursor ends
   * where that first row was. The input may wrap over several rows with the cursor on any of them
   * (issue #12.1): readline's cursor position says how many rows up the prompt starts, at the width
   * the terminal has now (a terminal that was resized has rewrapped them to it).
   */
  clear(): void {
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
   * Draws the status line (unread conversations, running transfers; none when there are neither) and
   * the prompt with the half-typed input, from the cursor's row down.
   */
  draw(): void {
    // The width clear, always called just before, has brought up to date.
    const width = Math.max(20, (process.stdout.columns || 80) - 1);
    const status = this.status(width);
    if (status.width > 0) {
      process.stdout.write(status.text + '\n');
      this.statusWidth = status.width;
    }
    this.rl.prompt(true);
  }

  /** A paste starts: readline's count of the input's rows changes unseen from now (paste.ts). */
  pasteStarted(): void {
    this.drawnRows = this.rl.getCursorPos().rows;
  }

  /** The paste is over: clears what was drawn before it and draws the rows with the input as it is now. */
  pasteEnded(): void {
    this.clear();
    this.drawnRows = null;
    this.draw();
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
}
