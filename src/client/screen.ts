/**
 * Where the client's output goes, and where its input comes from: the Screen both kinds implement.
 * Interactive (stdin and stdout are terminals, interactive-screen.ts): a readline prompt naming the
 * current conversation; an incoming line is printed above it and the prompt with the half-typed input
 * is redrawn, so typing is never broken; Tab completes commands, users and rooms; up/down walk the
 * input history. One status line just above the prompt, redrawn in place (bottom-rows.ts), shows the
 * conversations with unread messages and the progress of file transfers; a mention of you rings the
 * bell, and Alt-a runs /next. Plain (scripts, plain-screen.ts): one line per event, or one JSON object
 * per line, and a transfer's progress every 10%.
 */
import type { Output } from './output.js';
import type { Target } from './parse.js';

/** What the session shows and asks through; InteractiveScreen and PlainScreen implement it. */
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
