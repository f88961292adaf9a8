/**
 * The tokens this user's names hold on each server (issue #11.1), in a small text file beside
 * known_servers, one `host:port name token` per line. In claim mode the token is the only thing that
 * lets a name back in, so the file is private to the user (mode 0600) and replaced whole, never
 * rewritten in place: a crash mid-write must not lose every saved name. Read afresh at each lookup:
 * several clients of the same user may share it.
 */
import path from 'node:path';
import { nameKey } from '../protocol/names.js';
import { configDir, readEntries, writeEntries } from './config-files.js';

const HEADER = [
  '# ClassChat: the token each of your names holds on a server; it logs the name back in without a password.',
  '# Keep this file private. Delete a line to forget a name (you then need the instructor to get it back).',
];

/** The file: tokens in the same directory as known_servers. */
export function savedTokensPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(configDir(env), 'tokens');
}

export class SavedTokens {
  constructor(readonly file: string) {}

  /** The token saved for `name` (any case) on `address` (host:port), if any; throws if the file cannot be read. */
  get(address: string, name: string): string | undefined {
    return this.read().get(entryKey(address, name))?.token;
  }

  /** Saves `token` for `name` on `address`, replacing any other; throws if the file cannot be written. */
  set(address: string, name: string, token: string): void {
    const entries = this.read();
    entries.set(entryKey(address, name), { address, name, token });
    this.write(entries);
  }

  /** Forgets the token of `name` on `address` (the server no longer takes it). */
  forget(address: string, name: string): void {
    const entries = this.read();
    if (entries.delete(entryKey(address, name))) this.write(entries);
  }

  private write(entries: Map<string, Entry>): void {
    // Created 0600 (its directory 0700), so the tokens are never readable by others.
    writeEntries(
      this.file,
      HEADER,
      [...entries.values()].map((e) => [e.address, e.name, e.token]),
      0o600,
      0o700,
    );
  }

  private read(): Map<string, Entry> {
    const entries = new Map<string, Entry>();
    for (const [address, name, token] of readEntries(this.file)) {
      if (address && name && token) entries.set(entryKey(address, name), { address, name, token });
    }
    return entries;
  }
}

interface Entry {
  address: string;
  name: string;
  token: string;
}

/** Names are case-insensitive on the server, so the saved token is found whatever case is typed. */
function entryKey(address: string, name: string): string {
  return `${address} ${nameKey(name)}`;
}
