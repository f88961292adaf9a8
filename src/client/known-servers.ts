/**
 * The fingerprints of the TLS servers this user has connected to, in a small text file (issue #4),
 * one `host:port FINGERPRINT` per line, like ssh's known_hosts. Read afresh at each lookup: several
 * clients of the same user may share it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const HEADER = [
  '# ClassChat: the SHA-256 fingerprint of each TLS server this account has connected to.',
  '# The client warns when a server shows another certificate. Delete a line to forget a server.',
];

/** The client's directory: $CLASSCHAT_CONFIG_DIR, else $XDG_CONFIG_HOME/classchat/, else ~/.config/classchat/. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CLASSCHAT_CONFIG_DIR || path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'classchat');
}

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
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    // Write a whole new file and rename it over the old one, so a reader never sees half of it.
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, [...HEADER, ...[...entries].map(([a, f]) => `${a} ${f}`), ''].join('\n'));
    fs.renameSync(temporary, this.file);
  }

  private read(): Map<string, string> {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw err;
    }
    const entries = new Map<string, string>();
    for (const line of text.split('\n')) {
      const [address, fingerprint] = line.trim().split(/\s+/);
      if (address && fingerprint && !address.startsWith('#')) entries.set(address, fingerprint);
    }
    return entries;
  }
}
