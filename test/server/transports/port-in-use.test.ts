// Issue #12.9: `classchat serve` on a port something else listens on says so in one line, exits 1, and
// leaves nothing behind: no data directory, no database, no lock file. The port is bound before the
// data directory is touched; the data-directory lock (test/server/store/data-dir-lock.test.ts) still
// refuses a second server on the same directory.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { makeCertificate } from '../../helpers/certs.js';
import { runCli } from '../../helpers/cli.js';
import { spawnServer, tempDataDir } from '../../helpers/server.js';

/** A real listener on 127.0.0.1 holding a port; resolves with the port and a way to let go of it. */
async function holdPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const holder = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as net.AddressInfo).port;
  return { port, release: () => new Promise<void>((resolve) => holder.close(() => resolve())) };
}

/** A data directory path that does not exist yet, in a fresh parent. */
function freshDataPath(): { parent: string; dataDir: string } {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-port-'));
  return { parent, dataDir: path.join(parent, 'data') };
}

function assertOneLineRefusal(result: { code: number | null; stdout: string; stderr: string }, port: number): void {
  assert.equal(result.code, 1, `exit code; stderr: ${result.stderr}; stdout: ${result.stdout.slice(0, 500)}`);
  assert.equal(result.stdout, '', 'nothing logged: it never started');
  assert.equal(
    result.stderr,
    `classchat serve: cannot listen on 127.0.0.1:${port}: port ${port} is in use; stop what listens there or pick another with --port\n`,
  );
}

test('#12.9 a port in use: one line naming host:port, exit 1, and no data directory, database or lock file made', async () => {
  const held = await holdPort();
  const { parent, dataDir } = freshDataPath();
  try {
    const result = await runCli(['serve', '--host', '127.0.0.1', '--port', String(held.port), '--data', dataDir]);
    assertOneLineRefusal(result, held.port);
    assert.equal(fs.existsSync(dataDir), false, 'the data directory was not created');
    assert.deepEqual(fs.readdirSync(parent), [], 'nothing was created beside it either');
  } finally {
    await held.release();
    fs.rmSync(parent, { recursive: true, force: true });
  }
});

test('#12.9 a port in use with TLS: the same one line, and nothing made', async () => {
  const held = await holdPort();
  const cert = await makeCertificate();
  const { parent, dataDir } = freshDataPath();
  try {
    const result = await runCli([
      'serve',
      '--port',
      String(held.port),
      '--data',
      dataDir,
      '--tls-cert',
      cert.certFile,
      '--tls-key',
      cert.keyFile,
    ]);
    assertOneLineRefusal(result, held.port);
    assert.equal(fs.existsSync(dataDir), false, 'the data directory was not created');
  } finally {
    await held.release();
    cert.remove();
    fs.rmSync(parent, { recursive: true, force: true });
  }
});

test("#12.9 a second server on a running one's port and data directory is told of the running one (its pid), and changes nothing there", async () => {
  const dataDir = tempDataDir();
  const first = await spawnServer(dataDir);
  try {
    const before = fs.readdirSync(dataDir).sort();
    const pid = fs.readFileSync(path.join(dataDir, 'serve.pid'), 'utf8');
    const result = await runCli(['serve', '--port', String(first.port), '--data', dataDir]);
    assert.equal(result.code, 1, `exit code; stderr: ${result.stderr}`);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      `classchat serve: another server is using ${dataDir} (pid ${first.child.pid}); stop it first or give another --data\n`,
    );
    assert.deepEqual(fs.readdirSync(dataDir).sort(), before);
    assert.equal(
      fs.readFileSync(path.join(dataDir, 'serve.pid'), 'utf8'),
      pid,
      'the first server still holds the lock',
    );
    // Another data directory, free: then the port is what stands in the way, and nothing is made there.
    const other = tempDataDir();
    const free = await runCli(['serve', '--port', String(first.port), '--data', other]);
    assertOneLineRefusal(free, first.port);
    assert.deepEqual(fs.readdirSync(other), [], 'nothing made in an empty data directory');
    fs.rmSync(other, { recursive: true, force: true });
    assert.equal(first.child.exitCode, null, 'the first server is still running');
  } finally {
    await first.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('#12.9 a port in use with the data directory of a server that has stopped: the port is named, and the directory is left as it was', async () => {
  const dataDir = tempDataDir();
  const earlier = await spawnServer(dataDir);
  await earlier.stop();
  const held = await holdPort();
  try {
    const before = fs.readdirSync(dataDir).sort();
    assert.ok(before.includes('serve.lock'), 'the stopped server left its lock file (unlocked)');
    assertOneLineRefusal(await runCli(['serve', '--port', String(held.port), '--data', dataDir]), held.port);
    assert.deepEqual(fs.readdirSync(dataDir).sort(), before);
  } finally {
    await held.release();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
