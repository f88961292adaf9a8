/** TLS certificates for tests, made by the real `classchat cert` in a fresh temporary directory. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './cli.js';

export interface TestCertificate {
  dir: string;
  certFile: string;
  keyFile: string;
  /** The certificate's PEM, for a test client's `ca`. */
  pem: Buffer;
  /** As `classchat cert` printed it. */
  fingerprint: string;
  /** The two files, as ServerConfig['tls'] takes them. */
  files: { certFile: string; keyFile: string };
  remove(): void;
}

/** Runs `classchat cert --out <temp dir> ...args` and fails the test unless it succeeds. */
export async function makeCertificate(args: string[] = []): Promise<TestCertificate> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-cert-'));
  const result = await runCli(['cert', '--out', dir, ...args]);
  assert.equal(result.code, 0, `classchat cert failed: ${result.stderr}`);
  const fingerprint = /SHA-256 fingerprint: (\S+)/.exec(result.stdout)?.[1];
  assert.ok(fingerprint, `classchat cert printed no fingerprint:\n${result.stdout}`);
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  return {
    dir,
    certFile,
    keyFile,
    pem: fs.readFileSync(certFile),
    fingerprint,
    files: { certFile, keyFile },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
