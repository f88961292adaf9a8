/**
 * The fingerprints of the TLS servers this user has connected to, in a small text file (issue #4),
 * one `host:port FINGERPRINT` per line, like ssh's known_hosts. Read afresh at each lookup: several
 * clients of the same user may share it.
 */
import path from 'node:path';
import { configDir, readEntries, writeEntries } from './config-files.js';

export { configDir };

const HEADER = [
  '# ClassChat: the SHA-256 fingerprint of each TLS server this account has connected to.',
  '# The client warns when a server shows another certificate. Delete a line to forget a server.',
];

/** The file: known_servers in configDir. */
export function knownServersPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(configDir(env), 'known_servers');
}

export class KnownServers {
  constructor(readonly file: string) {}

  /** The fingerprint remembered for `address` (host:port), if any; throws if the file cannot be read. */
  get(address: string): string | undefined {
    return this.read().get(address);
  }

  /** Remembers `fingerprint` for `address`, replacing any other; throws if the file cannot be written. */
  set(address: string, fingerprint: string): void {
    const entries = this.read();
    entries.set(address, fingerprint);
    writeEntries(this.file, HEADER, [...entries]);
  }

  private read(): Map<string, string> {
    const entries = new Map<string, string>();
    for (const [address, fingerprint] of readEntries(this.file))
      if (address && fingerprint) entries.set(address, fingerprint);
    return entries;
  }
}
