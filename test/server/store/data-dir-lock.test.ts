// One server per data directory (issue #11.2): a second `classchat serve` on the same --data is refused
// with one line before it touches anything, and the lock dies with its process, so a restart after
// kill -9 is never blocked.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { runCli } from '../../helpers/cli.js';
import { withTimeout } from '../../helpers/expect.js';
import { spawnServer, startServer, tempDataDir, type ChildServer } from '../../helpers/server.js';

const servers: ChildServer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) await server.stop('SIGKILL');
  }
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function serve(dataDir: string): Promise<ChildServer> {
  const server = await spawnServer(dataDir);
  servers.push(server);
  return server;
}

/**
 * Every file in the directory, with its size and modification time, to show that the refused server
 * created and changed nothing. The database files only by name: the running server itself may commit
 * or checkpoint meanwhile.
 */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    const stat = fs.statSync(path.join(dir, name));
    files[name] = name.startsWith('classchat.db')
      ? 'present'
      : `${stat.size} ${stat.mtimeMs} ${stat.isFile() ? fs.readFileSync(path.join(dir, name), 'utf8') : ''}`;
  }
  return files;
}

/** Runs a second server on `dataDir` and asserts the one-line refusal naming the holder's pid. */
async function assertRefused(dataDir: string, holderPid: number): Promise<void> {
  const before = snapshot(dataDir);
  const second = await runCli(['serve', '--port', '0', '--data', dataDir, '--log-format', 'json']);
  assert.equal(
    second.code,
    1,
    `the second server's exit code; stderr: ${second.stderr}; stdout: ${second.stdout.slice(0, 500)}`,
  );
  assert.equal(second.stdout, '', 'nothing logged: it never started');
  assert.equal(
    second.stderr,
    `classchat serve: another server is using ${dataDir} (pid ${holderPid}); stop it first or give another --data\n`,
  );
  assert.deepEqual(snapshot(dataDir), before, 'the refused server created or changed nothing in the data directory');
}

test('#11.2 a second server on the same data directory is refused with one line and exit 1; the first keeps serving', async () => {
  const dataDir = tempDataDir();
  dirs.push(dataDir);
  const first = await serve(dataDir);
  const alice = await TestClient.as(first.port, 'Alice');
  await assertRefused(dataDir, first.child.pid!);
  // The first server is untouched: it still answers, stores and delivers.
  const bob = await TestClient.as(first.port, 'Bob');
  await alice.ok({ status: 'private', receiver: 'Bob', text: 'still here' });
  assert.equal((await bob.event('private', { sender: 'Alice' })).text, 'still here');
  await alice.close();
  await bob.close();
  assert.equal(first.child.exitCode, null, 'the first server is still running');
});

test('#11.2 after kill -9 the lock is gone: a restart on the same data directory starts at once, and holds the lock itself', async () => {
  const dataDir = tempDataDir();
  dirs.push(dataDir);
  const first = await serve(dataDir);
  const alice = await TestClient.as(first.port, 'Alice');
  await alice.ok({ status: 'create', receiver: 'Kept' });
  assert.equal(await withTimeout(first.stop('SIGKILL'), 5000, 'the server to die'), null);
  // The stale pid file names a dead process; it must not matter.
  const started = performance.now();
  const restarted = await serve(dataDir);
  const ms = performance.now() - started;
  assert.ok(ms < 5000, `the restart took ${Math.round(ms)} ms`);
  console.log(`# #11.2 restart after kill -9: listening ${Math.round(ms)} ms after spawn`);
  const again = await TestClient.back(restarted.port, alice);
  assert.ok(
    (await again.ok({ status: 'rooms' })).rooms.some((r: { name: string }) => r.name === 'Kept'),
    'the data survived',
  );
  await again.close();
  await assertRefused(dataDir, restarted.child.pid!);
});

test('#11.2 an in-process server on a locked directory throws; a clean shutdown releases the lock', async () => {
  const a = await startServer();
  const dataDir = a.dataDir;
  const second = await startServer({ dataDir }).then(
    (s) => s,
    (err: Error) => err,
  );
  if (!(second instanceof Error)) {
    await second.server.shutdown();
    assert.fail('a second in-process server started on a locked data directory');
  }
  assert.match(
    second.message,
    new RegExp(`^another server is using ${dataDir} \\(pid ${process.pid}\\); stop it first or give another --data$`),
  );
  await a.server.shutdown();
  const b = await startServer({ dataDir });
  await b.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
