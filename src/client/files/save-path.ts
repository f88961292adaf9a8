/**
 * Where a downloaded file is saved (issue #5). The name comes from another user through the server, so
 * it is cleaned again here (safeFileName: no path parts, control characters or device names), and an
 * existing file is never overwritten: "notes.pdf" is taken, so "notes (1).pdf", "notes (2).pdf", each
 * claimed with an exclusive create so two downloads racing for a name cannot both get it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { safeFileName } from '../../protocol/file-names.js';

/** Gives up after this many numbered names exist (a directory that full is a mistake, not a plan). */
const MAX_NUMBER = 9999;
/** Extensions kept whole when a number is added: "backup (1).tar.gz", not "backup.tar (1).gz". */
const DOUBLE_EXTENSION = /(\.tar\.[a-z0-9]{1,4})$/i;

/** `name` with " (n)" before its extension; n = 0 is the name itself. */
export function numberedName(name: string, n: number): string {
  if (n === 0) return name;
  const double = DOUBLE_EXTENSION.exec(name);
  const dot = name.lastIndexOf('.');
  // A leading dot is part of the stem (".bashrc" has no extension); safeFileName removes those anyway.
  const extStart = double && double.index > 0 ? double.index : dot > 0 ? dot : name.length;
  return `${name.slice(0, extStart)} (${n})${name.slice(extStart)}`;
}

/** The temporary file a download is written to before it is verified; the file id keeps two downloads of like-named files apart. */
export function partPath(dir: string, serverName: string, fileId: number): string {
  return insideDir(dir, `${safeFileName(serverName)}.${fileId}.part`);
}

/**
 * Creates an empty file in `dir` under the cleaned `serverName`, or the first free numbered variant,
 * and returns its path. The exclusive flag ('wx') makes the check and the creation one step, so a file
 * that appears meanwhile is skipped, never overwritten; the caller then renames its data over the
 * empty file it owns.
 */
export async function claimSavePath(dir: string, serverName: string): Promise<string> {
  const name = safeFileName(serverName);
  for (let n = 0; n <= MAX_NUMBER; n++) {
    const candidate = insideDir(dir, numberedName(name, n));
    try {
      const handle = await fs.open(candidate, 'wx');
      await handle.close();
      return candidate;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`${dir} already has ${name} and ${MAX_NUMBER} numbered copies of it`);
}

/**
 * `dir`/`name`, checked to be directly inside `dir`. safeFileName already guarantees it; this is the
 * second lock, so a future change to the cleaning can never write outside the downloads directory.
 */
function insideDir(dir: string, name: string): string {
  const base = path.resolve(dir);
  const full = path.resolve(base, name);
  if (path.dirname(full) !== base || name === '.' || name === '..')
    throw new Error(`refusing to save ${JSON.stringify(name)} outside ${dir}`);
  return full;
}
