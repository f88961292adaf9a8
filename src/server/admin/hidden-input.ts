/** Asks a question on the terminal and reads the answer without echoing it (passwords). */
import readline from 'node:readline';
import { Writable } from 'node:stream';

/** Resolves with the line typed, or null on Ctrl-C / Ctrl-D. Nothing typed is shown. */
export function askHidden(question: string): Promise<string | null> {
  process.stdout.write(question);
  // readline echoes what it reads to `output`; a sink that drops it keeps the password off the screen.
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = readline.createInterface({ input: process.stdin, output: silent, terminal: true });
  return new Promise((resolve) => {
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      process.stdout.write('\n');
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) {
        process.stdout.write('\n');
        resolve(null);
      }
    });
    rl.once('SIGINT', () => rl.close());
  });
}
