/**
 * The small text files the client keeps for its user (known_servers, tokens): one entry a line, fields
 * separated by spaces, `#` comments. Read afresh at each lookup, since several clients of the same user
 * may share them; written whole to a temporary file that is renamed over the old one, so a reader never
 * sees half of it and a crash mid-write loses nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The client's directory: $CLASSCHAT_CONFIG_DIR, else $XDG_CONFIG_HOME/classchat/, else ~/.config/classchat/. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CLASSCHAT_CONFIG_DIR || path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'classchat');
}

/** The fields of each entry line of `file` (none when it does not exist); throws if it cannot be read. */
export function readEntries(file: string): string[][] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(/\s+/));
}

/**
 * Replaces `file` with `header` and one line per entry. `mode` applies to a file created anew (0600 for
 * secrets), and so does `dirMode` to its directory.
 */
export function writeEntries(
  file: string,
  header: readonly string[],
  entries: readonly (readonly string[])[],
  mode?: number,
  dirMode?: number,
): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, ...(dirMode === undefined ? {} : { mode: dirMode }) });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(
    temporary,
    [...header, ...entries.map((fields) => fields.join(' ')), ''].join('\n'),
    mode === undefined ? {} : { mode },
  );
  fs.renameSync(temporary, file);
}
