// Issue #16: `classchat serve` warms the message path before it listens. A throwaway in-memory server
// in the same process carries --warm-up N messages between two clients over loopback, then goes away.
// The real server shows nothing of it: no users, no rooms, no messages, its names free.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { TestClient } from '../helpers/client.js';
import { runCli } from '../helpers/cli.js';
import { spawnServer, tempDataDir } from '../helpers/server.js';

/** The JSON log lines with this `msg`. */
function logged(output: string, msg: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.includes(`"msg":"${msg}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('#16 the server warms up before it listens, and the real server has no trace of it', async () => {
  const dataDir = tempDataDir();
  const server = await spawnServer(dataDir, ['--warm-up', '300']);
  const client = await TestClient.as(server.port, 'Dana');
  try {
    const [warmed] = logged(server.output(), 'warmed up the message path');
    assert.ok(warmed, server.output());
    assert.equal(warmed.messages, 300);
    assert.equal(typeof warmed.collectMs, 'number', 'then gives back what it used');
    assert.ok(server.output().indexOf('warmed up') < server.output().indexOf('"msg":"listening"'), 'before it listens');
    assert.equal(logged(server.output(), 'warm-up stopped early; the server starts all the same').length, 0);

    const users = await client.ok({ status: 'users' });
    assert.deepEqual(
      (users.users as { name: string }[]).map((u) => u.name),
      ['Dana'],
    );
    assert.deepEqual((await client.ok({ status: 'rooms' })).rooms, []);
    const history = await client.ok({ status: 'history', receiver: 'everyone' });
    assert.deepEqual(history.messages, []);
    // The warm-up's names were never this server's.
    const ada = await TestClient.as(server.port, 'WarmAda');
    await ada.close();
  } finally {
    await client.close();
    assert.equal(await server.stop(), 0);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('#16 --warm-up 0 starts without it; a bad count is refused with one line', async () => {
  const dataDir = tempDataDir();
  const server = await spawnServer(dataDir, ['--warm-up', '0']);
  try {
    assert.equal(logged(server.output(), 'warmed up the message path').length, 0, server.output());
  } finally {
    await server.stop();
  }
  for (const bad of ['many', '2.5', '2000000']) {
    const result = await runCli(['serve', '--port', '0', '--data', dataDir, `--warm-up=${bad}`]);
    assert.equal(result.code, 2, `${bad}: ${result.stderr}`);
    assert.match(result.stderr, /--warm-up must be a whole number of messages/);
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});
