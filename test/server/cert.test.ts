// `classchat cert` (issue #4): a self-signed EC P-256 certificate for the given hosts plus localhost and
// 127.0.0.1, made by the system's openssl, with a private key only its owner can read; the fingerprint
// and the exact commands printed; existing files never replaced; a clear error without openssl.
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { runCli } from '../helpers/cli.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-cert-test-'));
  dirs.push(dir);
  return dir;
}

test('writes cert.pem and a 0600 key.pem for the hosts, and prints the fingerprint and the commands', async () => {
  const out = path.join(tempDir(), 'tls');
  const result = await runCli([
    'cert',
    '--host',
    '10.0.0.5',
    '--host',
    'chat.example.edu',
    '--days',
    '30',
    '--out',
    out,
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  assert.deepEqual(fs.readdirSync(out).sort(), ['cert.pem', 'key.pem'], 'no temporary files left behind');
  assert.equal(fs.statSync(path.join(out, 'key.pem')).mode & 0o777, 0o600);

  const cert = new X509Certificate(fs.readFileSync(path.join(out, 'cert.pem')));
  assert.equal(cert.subjectAltName, 'IP Address:10.0.0.5, DNS:chat.example.edu, DNS:localhost, IP Address:127.0.0.1');
  assert.equal(cert.ca, false, 'a server certificate, not a CA');
  assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1', 'EC P-256');
  assert.ok(
    cert.checkPrivateKey(createPrivateKey(fs.readFileSync(path.join(out, 'key.pem')))),
    'the key is the certificate’s',
  );
  const days = (Date.parse(cert.validTo) - Date.now()) / DAY_MS;
  assert.ok(days > 29 && days <= 30, `valid for 30 days, not ${days}`);

  const lines = result.stdout.split('\n').map((l) => l.trim());
  assert.ok(lines.includes(`SHA-256 fingerprint: ${cert.fingerprint256}`), result.stdout);
  assert.match(cert.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.ok(
    lines.includes(`npx classchat serve --host 0.0.0.0 --tls-cert ${out}/cert.pem --tls-key ${out}/key.pem`),
    result.stdout,
  );
  assert.ok(lines.includes('npx classchat chat --host 10.0.0.5 --tls --ca cert.pem'), result.stdout);
});

test('without --host the certificate is for localhost and 127.0.0.1, and the commands stay on this machine', async () => {
  const out = tempDir();
  const result = await runCli(['cert', '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  const cert = new X509Certificate(fs.readFileSync(path.join(out, 'cert.pem')));
  assert.equal(cert.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1');
  const days = (Date.parse(cert.validTo) - Date.now()) / DAY_MS;
  assert.ok(days > 364 && days <= 365, `valid for a year by default, not ${days} days`);
  const lines = result.stdout.split('\n').map((l) => l.trim());
  assert.ok(lines.includes(`npx classchat serve --tls-cert ${out}/cert.pem --tls-key ${out}/key.pem`), result.stdout);
  assert.ok(lines.includes('npx classchat chat --tls --ca cert.pem'), result.stdout);
});

test('existing files are never replaced', async () => {
  const out = tempDir();
  assert.equal((await runCli(['cert', '--out', out])).code, 0);
  const before = fs.readFileSync(path.join(out, 'key.pem'));
  const again = await runCli(['cert', '--out', out]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^classchat cert: \S+cert\.pem already exists; move it away or choose another --out\n$/);
  assert.deepEqual(fs.readFileSync(path.join(out, 'key.pem')), before);
});

test('without openssl: one clear line, exit code 1, nothing written', async () => {
  const out = tempDir();
  const emptyPath = tempDir(); // a PATH where no openssl can be found
  const result = await runCli(['cert', '--out', out], { PATH: emptyPath });
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    'classchat cert: openssl was not found; install it (Debian/Ubuntu: apt install openssl) and run this again\n',
  );
  assert.deepEqual(fs.readdirSync(out), []);
});

test('bad arguments: exit code 2 with the reason and the usage', async () => {
  for (const [args, reason] of [
    [['--host', 'a,DNS:evil.example'], /--host a,DNS:evil\.example is neither an IP address nor a host name/],
    [['--days', '0'], /--days must be a whole number of days from 1 to 36500, not 0/],
    [['--nope'], /Unknown option '--nope'/],
  ] as const) {
    const result = await runCli(['cert', '--out', tempDir(), ...args]);
    assert.equal(result.code, 2, args.join(' '));
    assert.match(result.stderr, reason);
    assert.match(result.stderr, /usage: classchat cert/);
  }
});
