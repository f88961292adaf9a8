// `classchat serve --tls-cert FILE --tls-key FILE` (issue #4): the flags and CLASSCHAT_TLS_* variables,
// a real child server speaking TLS, and a missing or wrong file refused at start in one clear line.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseServeArgs } from '../../../src/server/config.js';
import { makeCertificate, type TestCertificate } from '../../helpers/certs.js';
import { runCli } from '../../helpers/cli.js';
import { TestClient } from '../../helpers/client.js';
import { spawnServer, tempDataDir } from '../../helpers/server.js';

let cert: TestCertificate;
let other: TestCertificate;
before(async () => {
  [cert, other] = await Promise.all([makeCertificate(), makeCertificate()]);
});
after(() => {
  cert.remove();
  other.remove();
});

test('the TLS files come from the flags or CLASSCHAT_TLS_CERT / CLASSCHAT_TLS_KEY, and only as a pair', () => {
  assert.equal(parseServeArgs([], {}).tls, undefined, 'plain TCP by default');
  assert.deepEqual(parseServeArgs(['--tls-cert', 'c.pem', '--tls-key', 'k.pem'], {}).tls, {
    certFile: 'c.pem',
    keyFile: 'k.pem',
  });
  assert.deepEqual(parseServeArgs([], { CLASSCHAT_TLS_CERT: 'c.pem', CLASSCHAT_TLS_KEY: 'k.pem' }).tls, {
    certFile: 'c.pem',
    keyFile: 'k.pem',
  });
  assert.deepEqual(
    parseServeArgs(['--tls-key', 'flag.pem'], { CLASSCHAT_TLS_CERT: 'c.pem', CLASSCHAT_TLS_KEY: 'k.pem' }).tls,
    { certFile: 'c.pem', keyFile: 'flag.pem' },
  );
  assert.throws(() => parseServeArgs(['--tls-cert', 'c.pem'], {}), /--tls-cert and --tls-key go together/);
});

test('classchat serve with --tls-cert and --tls-key serves TLS and logs the fingerprint', async () => {
  const dataDir = tempDataDir();
  const server = await spawnServer(dataDir, ['--tls-cert', cert.certFile, '--tls-key', cert.keyFile]);
  try {
    const listening = server
      .output()
      .split('\n')
      .find((l) => l.includes('"msg":"listening"'))!;
    assert.equal(JSON.parse(listening).tls, cert.fingerprint);
    const alice = await TestClient.as(server.port, 'Alice', { ca: cert.pem });
    await alice.ok({ status: 'who' });
    await alice.close();
    assert.equal(await server.stop(), 0);
  } finally {
    if (server.child.exitCode === null) await server.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a missing or wrong TLS file: one clear line, exit code 2, no stack trace, no database created', async () => {
  const missing = path.join(cert.dir, 'nope.pem');
  const cases: [string[], RegExp][] = [
    [
      ['--tls-cert', missing, '--tls-key', cert.keyFile],
      /^classchat serve: cannot read --tls-cert \S+nope\.pem: no such file$/,
    ],
    [
      ['--tls-cert', cert.certFile, '--tls-key', missing],
      /^classchat serve: cannot read --tls-key \S+nope\.pem: no such file$/,
    ],
    [
      ['--tls-cert', cert.dir, '--tls-key', cert.keyFile],
      /^classchat serve: cannot read --tls-cert \S+: it is a directory$/,
    ],
    [
      ['--tls-cert', cert.keyFile, '--tls-key', cert.keyFile],
      /^classchat serve: --tls-cert \S+key\.pem is not a PEM certificate$/,
    ],
    [
      ['--tls-cert', cert.certFile, '--tls-key', cert.certFile],
      /^classchat serve: --tls-key \S+cert\.pem is not an unencrypted PEM private key$/,
    ],
    [
      ['--tls-cert', cert.certFile, '--tls-key', other.keyFile],
      /^classchat serve: --tls-key \S+ is not the private key of --tls-cert \S+$/,
    ],
  ];
  for (const [args, message] of cases) {
    const dataDir = path.join(tempDataDir(), 'data');
    const result = await runCli(['serve', '--port', '0', '--data', dataDir, ...args]);
    assert.equal(result.code, 2, `exit code for ${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr.trim(), message);
    assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
    assert.equal(result.stdout, '');
    assert.equal(fs.existsSync(dataDir), false, 'refused before the store opens');
    fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  }
});
