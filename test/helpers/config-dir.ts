/**
 * The client's config directory for the tests of one test file (CLASSCHAT_CONFIG_DIR): the client
 * keeps TLS fingerprints and name tokens there (issue #11.1), and a test must never touch the user's
 * ~/.config. One directory per test process, so a client started again later in the same test finds
 * the token it saved, as a student's client does; removed when the process exits.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let dir: string | null = null;

/** This test process's client config directory, created on first use. */
export function testConfigDir(): string {
  if (dir === null) {
    const created = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-client-'));
    dir = created;
    process.once('exit', () => fs.rmSync(created, { recursive: true, force: true }));
  }
  return dir;
}
