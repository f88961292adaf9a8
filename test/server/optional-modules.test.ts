// Issue #16: what a server on the default SQLite store does not load, and what it does without. pg and
// ioredis are imported only when a PostgreSQL store or a Redis bus is chosen (they cost start-up time
// and resident memory), and node:inspector, which a Node may be built without, only for the idle
// collection, which is then skipped. Real `classchat serve` processes, under test/helpers/import-watch.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { TestClient } from '../helpers/client.js';
import { importWatchEnv } from '../helpers/import-watch.js';
import { spawnServer, tempDataDir, type ChildServer } from '../helpers/server.js';

let clients: TestClient[] = [];
let running: ChildServer | null = null;
let dataDir: string | null = null;

afterEach(async () => {
  for (const client of clients) await client.close();
  clients = [];
  if (running && running.child.exitCode === null && running.child.signalCode === null) await running.stop('SIGKILL');
  running = null;
  if (dataDir !== null) fs.rmSync(dataDir, { recursive: true, force: true });
  dataDir = null;
});

/** A message from one client to another and a file list: the paths every class uses. */
async function useServer(port: number): Promise<void> {
  const ada = await TestClient.as(port, 'Ada');
  const bo = await TestClient.as(port, 'Bo');
  clients.push(ada, bo);
  const sent = await ada.ok({ status: 'private', receiver: 'Bo', text: 'hello' });
  await bo.event('private', { msgid: sent.msgid });
  await ada.ok({ status: 'rooms' });
}

test('a server on SQLite without a bus loads neither pg nor ioredis', async () => {
  dataDir = tempDataDir();
  const importLog = path.join(dataDir, 'imports.txt');
  // With the warm-up, which runs the message path in the same process before the server listens.
  const server = (running = await spawnServer(
    dataDir,
    ['--warm-up', '20'],
    10_000,
    importWatchEnv({ logFile: importLog }),
  ));
  await useServer(server.port);
  assert.equal(await server.stop(), 0, server.output().slice(-2000));

  const packages = new Set(
    fs
      .readFileSync(importLog, 'utf8')
      .split('\n')
      .filter((line) => line !== ''),
  );
  // The watch saw the server's own imports, so an absent name below is not a watch that saw nothing.
  for (const seen of ['pino', 'better-sqlite3'])
    assert.ok(packages.has(seen), `${seen} among ${[...packages].join(' ')}`);
  const loaded = [...packages].filter((name) => /^(pg|ioredis)(\/|$)/.test(name));
  assert.deepEqual(loaded, [], 'pg and ioredis are imported only for a PostgreSQL store or a Redis bus');
});

test('on a Node without node:inspector the server starts, warms up and serves, without the idle collection', async () => {
  dataDir = tempDataDir();
  const server = (running = await spawnServer(
    dataDir,
    ['--warm-up', '20', '--log-level', 'debug'],
    10_000,
    importWatchEnv({ refuse: ['node:inspector', 'inspector'] }),
  ));
  await useServer(server.port);
  assert.equal(await server.stop(), 0, server.output().slice(-2000));

  const lines = server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'));
  const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
  assert.ok(messages.includes('warmed up the message path'), messages.join('\n'));
  const warnings = lines.filter((line) => line.includes('no node:inspector'));
  assert.equal(warnings.length, 1, 'said once, though the warm-up ran a server of its own');
  assert.equal((JSON.parse(warnings[0]!) as { level: number }).level, 40, 'a warning');
});
