/**
 * Reads a password: from the first line of standard input (scripts), or typed at the terminal
 * without echo, twice to catch a typo.
 */
import readline from 'node:readline';
import { askHidden } from './hidden-input.js';

export async function readPassword(prompt: string, fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    const rl = readline.createInterface({ input: process.stdin, terminal: false });
    for await (const line of rl) {
      rl.close();
      return line;
    }
    throw new Error('no password on standard input');
  }
  const first = await askHidden(prompt);
  if (first === null) throw new Error('no password given');
  const second = await askHidden('again: ');
  if (first !== second) throw new Error('the two passwords differ');
  return first;
}
