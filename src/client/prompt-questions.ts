/**
 * Questions asked at the interactive prompt during sign-in: a name, an invite code (shown as typed)
 * and a password (never shown, never kept in the input history). While one is asked a paste answers
 * it and is never chat (paste.ts asks `asking`).
 */
import type readline from 'node:readline';

/** Asks on the screen's readline interface; each answer is null when input has ended. */
export class PromptQuestions {
  /** Questions being asked now (a name, a password): a paste into one is never chat. */
  private count = 0;

  constructor(private readonly rl: readline.Interface) {}

  /** True while a question waits for its answer. */
  get asking(): boolean {
    return this.count > 0;
  }

  /** Prints `reason` (if any), then asks for a name; the answer trimmed. */
  askName(reason: string | null): Promise<string | null> {
    if (reason) process.stdout.write(`${reason}\n`);
    return new Promise((resolve) => {
      const onClose = () => resolve(null);
      this.rl.once('close', onClose);
      this.count++;
      this.rl.question('Your name: ', (answer) => {
        this.count--;
        this.rl.off('close', onClose);
        resolve(answer.trim());
      });
    });
  }

  /** Asks one question whose answer is shown as typed (an invite code); the answer trimmed. */
  askLine(prompt: string): Promise<string | null> {
    return new Promise((resolve) => {
      const onClose = () => resolve(null);
      this.rl.once('close', onClose);
      this.count++;
      this.rl.question(prompt, (answer) => {
        this.count--;
        this.rl.off('close', onClose);
        resolve(answer.trim());
      });
    });
  }

  /** Asks for a password without showing what is typed, and keeps it out of the history. */
  askPassword(prompt: string): Promise<string | null> {
    // readline echoes keystrokes through _writeToOutput; silencing it for one question hides the
    // password while the same interface (and its history, which must not keep it) stays in use.
    // A property, not a method: it is taken off the interface and called with `rl` as `this` again.
    const rl = this.rl as readline.Interface & { _writeToOutput: (text: string) => void; history: string[] };
    const echo = rl._writeToOutput;
    // Redraws write the prompt followed by the input: only the prompt gets through.
    rl._writeToOutput = (text: string) => {
      if (text.startsWith(prompt)) echo.call(rl, prompt);
    };
    return new Promise((resolve) => {
      const done = (answer: string | null) => {
        this.count--;
        rl._writeToOutput = echo;
        rl.off('close', onClose);
        if (answer !== null && rl.history[0] === answer) rl.history.shift();
        process.stdout.write('\n');
        resolve(answer);
      };
      const onClose = () => done(null);
      rl.once('close', onClose);
      this.count++;
      rl.question(prompt, (answer) => done(answer));
    });
  }
}
