// `classchat chat --tls` (issue #4), the real client against a real TLS server with a certificate from
// the real `classchat cert`: --ca trusts it, without --ca an unverified certificate is refused in one
// line, --insecure connects with a warning; the fingerprint is printed on first use and remembered, a
// changed one is a loud warning; reconnecting works over TLS.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { makeCertificate, type TestCertificate } from '../helpers/certs.js';
import { ChatProcess } from '../helpers/chat-process.js';
import { TestClient } from '../helpers/client.js';
import {
  freePort,
  spawnServer,
  startServer,
  tempDataDir,
  type ChildServer,
  type TestServer,
} from '../helpers/server.js';

let cert: TestCertificate;
let server: TestServer;
/** CLASSCHAT_CONFIG_DIR of the current test: each starts with no known servers. */
let configDir: string;
const cleanup: (() => unknown)[] = [];

before(async () => {
  cert = await makeCertificate();
  server = await startServer({ tls: cert.files });
});
after(async () => {
  await server.stop();
  cert.remove();
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function newConfigDir(): string {
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-config-'));
  cleanup.push(() => fs.rmSync(configDir, { recursive: true, force: true }));
  return configDir;
}

function chat(args: string[], port = server.port): ChatProcess {
  const p = ChatProcess.start(port, args, { CLASSCHAT_CONFIG_DIR: configDir });
  cleanup.push(() => p.kill());
  return p;
}

async function peer(name: string, port = server.port, pem = cert.pem): Promise<TestClient> {
  const client = await TestClient.as(port, name, { ca: pem });
  cleanup.push(() => client.close());
  return client;
}

function knownServers(): string {
  return fs.readFileSync(path.join(configDir, 'known_servers'), 'utf8');
}

const firstUse = (port: number, fingerprint: string) =>
  `first connection to 127.0.0.1:${port}: its TLS certificate's SHA-256 fingerprint is ${fingerprint}\n`;

test('--tls --ca cert.pem chats, printing the fingerprint on first use and not on the second', async () => {
  newConfigDir();
  const bob = await peer('TBob');
  const p = chat(['--tls', '--ca', cert.certFile, '--user', 'TAnn']);
  await p.waitFor(/welcome, TAnn/);
  p.type('/private TBob hello over TLS');
  assert.equal((await bob.event('private', { sender: 'TAnn' })).text, 'hello over TLS');
  bob.send({ status: 'private', receiver: 'TAnn', text: 'and back' });
  await p.waitFor(/\[@TBob\] <TBob> and back/);
  p.type('/exit');
  assert.equal(await p.exit(), 0);
  assert.equal(p.stderr, firstUse(server.port, cert.fingerprint));
  assert.match(knownServers(), new RegExp(`^127\\.0\\.0\\.1:${server.port} ${cert.fingerprint}$`, 'm'));

  const again = chat(['--tls', '--ca', cert.certFile, '--user', 'TAnn']);
  await again.waitFor(/welcome, TAnn/);
  again.type('/exit');
  assert.equal(await again.exit(), 0);
  assert.equal(again.stderr, '', 'a known server with the same certificate is not announced again');
});

test('without --ca a self-signed certificate is refused in one line naming --ca and --insecure', async () => {
  newConfigDir();
  const p = chat(['--tls', '--user', 'TCarl']);
  assert.equal(await p.exit(), 1);
  assert.equal(
    p.stderr,
    `cannot verify the TLS certificate of 127.0.0.1:${server.port} (it is self-signed): pass --ca FILE with the server's certificate (cert.pem, from whoever runs the server) to trust it, or --insecure to connect without verifying\n`,
  );
  assert.deepEqual(p.lines, []);
  assert.equal(fs.existsSync(path.join(configDir, 'known_servers')), false, 'an unverified server is not remembered');
});

test('--ca with another certificate is refused too, saying so', async () => {
  newConfigDir();
  const stranger = await makeCertificate();
  cleanup.push(() => stranger.remove());
  const p = chat(['--ca', stranger.certFile, '--user', 'TCora']);
  assert.equal(await p.exit(), 1);
  assert.match(
    p.stderr,
    /^cannot verify the TLS certificate of 127\.0\.0\.1:\d+ \(it is self-signed\): it is not the certificate given with --ca \(nor signed by it\)[^\n]*\n$/,
  );
});

test('--insecure connects without verifying, with a warning, and shows the fingerprint to check', async () => {
  newConfigDir();
  const dora = await peer('TDora');
  const p = chat(['--insecure', '--user', 'TEd']);
  await p.waitFor(/welcome, TEd/);
  const [warning, fingerprint, ...rest] = p.stderr.split('\n');
  assert.match(
    warning!,
    new RegExp(
      `^warning: --insecure: the TLS certificate of 127\\.0\\.0\\.1:${server.port} is not verified \\(it is self-signed\\); anyone on the way could read or change what you send`,
    ),
  );
  assert.equal(`${fingerprint}\n`, firstUse(server.port, cert.fingerprint));
  assert.deepEqual(rest, ['']);
  p.type('/private TDora insecure but working');
  assert.equal((await dora.event('private', { sender: 'TEd' })).text, 'insecure but working');
  p.type('/exit');
  assert.equal(await p.exit(), 0);
});

test('a server whose fingerprint is not the remembered one gets a loud warning; the new one is remembered', async () => {
  newConfigDir();
  const old = 'AA:'.repeat(31) + 'AA';
  fs.writeFileSync(path.join(configDir, 'known_servers'), `127.0.0.1:${server.port} ${old}\n`);
  const p = chat(['--tls', '--ca', cert.certFile, '--user', 'TFay']);
  await p.waitFor(/welcome, TFay/);
  assert.match(
    p.stderr,
    new RegExp(`^@@@ WARNING: THE TLS CERTIFICATE OF 127\\.0\\.0\\.1:${server.port} HAS CHANGED @@@\n`),
  );
  assert.match(p.stderr, new RegExp(`remembered: ${old}\n  now:        ${cert.fingerprint}\n`));
  assert.match(p.stderr, /someone is intercepting this connection/);
  assert.match(knownServers(), new RegExp(`^127\\.0\\.0\\.1:${server.port} ${cert.fingerprint}$`, 'm'));
  p.type('/exit');
  assert.equal(await p.exit(), 0);
});

test('a plain client at a TLS port, and a TLS client at a plain one, are told what to change', async () => {
  newConfigDir();
  const plainToTls = chat(['--user', 'TGus']);
  assert.equal(await plainToTls.exit(), 1);
  assert.equal(
    plainToTls.stderr,
    `the server at 127.0.0.1:${server.port} closed the connection before answering; if it serves TLS, add --tls (with --ca FILE)\n`,
  );

  const plain = await startServer();
  cleanup.push(() => plain.stop());
  const tlsToPlain = chat(['--tls', '--ca', cert.certFile, '--user', 'THal'], plain.port);
  assert.equal(await tlsToPlain.exit(), 1);
  assert.match(
    tlsToPlain.stderr,
    /^cannot reach 127\.0\.0\.1:\d+ over TLS \([^)]+\): is the server started with --tls-cert\? Without TLS, leave out --tls\n$/,
  );
});

/** A TLS server as a child process on `port`, stopped (if still running) after the test. */
async function tlsServerOn(dataDir: string, port: number, certificate: TestCertificate): Promise<ChildServer> {
  const child = await spawnServer(dataDir, [
    '--port',
    String(port),
    '--tls-cert',
    certificate.certFile,
    '--tls-key',
    certificate.keyFile,
  ]);
  cleanup.push(() => child.child.exitCode === null && child.stop('SIGKILL'));
  return child;
}

test('the client reconnects over TLS after a restart; a certificate it cannot verify any more is reported while it retries', async () => {
  newConfigDir();
  const dataDir = tempDataDir();
  cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  let child = await tlsServerOn(dataDir, port, cert);
  const p = chat(['--ca', cert.certFile, '--user', 'TIvy'], port);
  await p.waitFor(/welcome, TIvy/);

  let mark = p.lines.length;
  assert.equal(await child.stop(), 0);
  await p.waitFor(/reconnecting/, mark);
  child = await tlsServerOn(dataDir, port, cert);
  const jo = await peer('TJo', port);
  await p.waitFor(/reconnected as TIvy/, mark, 20_000);
  await jo.ok({ status: 'private', receiver: 'TIvy', text: 'after the restart' });
  await p.waitFor(/\[@TJo\] <TJo> after the restart/, mark);
  assert.equal(p.stderr, firstUse(port, cert.fingerprint), 'the same certificate is not announced again');

  // The operator restarts with a new certificate: the client's --ca no longer vouches for the server.
  const renewed = await makeCertificate();
  cleanup.push(() => renewed.remove());
  mark = p.lines.length;
  await jo.close();
  assert.equal(await child.stop(), 0);
  child = await tlsServerOn(dataDir, port, renewed);
  await p.waitFor(
    /^\*\*\* cannot verify the TLS certificate of 127\.0\.0\.1:\d+ \(it is self-signed\): it is not the certificate given with --ca.*; retrying$/,
    mark,
    20_000,
  );
  p.type('/exit');
  assert.equal(await p.exit(), 0);
});

test('--insecure: after a restart with a new certificate the client warns loudly and goes on', async () => {
  newConfigDir();
  const dataDir = tempDataDir();
  cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const renewed = await makeCertificate();
  cleanup.push(() => renewed.remove());
  const port = await freePort();
  let child = await tlsServerOn(dataDir, port, cert);
  const p = chat(['--insecure', '--user', 'TKai', '--json'], port);
  await p.waitFor(/welcome, TKai/);

  const mark = p.lines.length;
  assert.equal(await child.stop(), 0);
  await p.waitFor(/reconnecting/, mark);
  child = await tlsServerOn(dataDir, port, renewed);
  const warning = JSON.parse(await p.waitFor(/HAS CHANGED/, mark, 20_000));
  assert.equal(warning.status, 'client-error');
  assert.match(warning.text, new RegExp(`remembered: ${cert.fingerprint}\n  now:        ${renewed.fingerprint}`));
  await p.waitFor(/reconnected as TKai/, mark, 20_000);
  const lee = await peer('TLee', port, renewed.pem);
  await lee.ok({ status: 'private', receiver: 'TKai', text: 'new certificate, same chat' });
  await p.waitFor(/new certificate, same chat/, mark);
  assert.equal(p.stderr.match(/not verified/g)?.length, 1, 'the --insecure warning is given once, at the start');
  assert.match(knownServers(), new RegExp(`^127\\.0\\.0\\.1:${port} ${renewed.fingerprint}$`, 'm'));
  p.type('/exit');
  assert.equal(await p.exit(), 0);
});
