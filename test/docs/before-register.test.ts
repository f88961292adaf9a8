// Issue #12.10: docs/protocol.md says which requests work before a connection has registered or logged
// in, in two places (the requests section and the not_registered row of the error table); both must
// name exactly the requests a fresh connection is not refused with not_registered.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { TestClient } from '../helpers/client.js';
import { REQUEST_EXAMPLES, STATUSES } from '../helpers/request-examples.js';
import { startServer } from '../helpers/server.js';

const PROTOCOL = fs.readFileSync(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/protocol.md'),
  'utf8',
);

/** The `names` in backticks in `text`, sorted. */
function quoted(text: string): string[] {
  return [...text.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!).sort();
}

test('#12.10 protocol.md names exactly the requests that work before register or login', async () => {
  const sentence = /Before `register` or `login` succeeds, only ([^(]*?) work/.exec(PROTOCOL);
  assert.ok(sentence, 'the requests section says what works before registering');
  const row = /^\| `not_registered` \| anything but (.*?) before registering/m.exec(PROTOCOL);
  assert.ok(row, 'the error table has a not_registered row');
  const documented = quoted(sentence[1]!);
  assert.deepEqual(quoted(row[1]!), documented, 'the error table and the requests section agree');

  const server = await startServer();
  try {
    const online = await TestClient.as(server.port, 'Online');
    const names = { fresh: 'Fresh', room: 'Room1', lounge: 'Lounge', online: 'Online', offline: 'Online' };
    const working: string[] = [];
    for (const status of STATUSES) {
      const client = await TestClient.connect(server.port, status); // a fresh connection each: exit closes it
      const reply = await client.request(REQUEST_EXAMPLES[status](names));
      if (reply.code !== 'not_registered') working.push(status);
      await client.close();
    }
    assert.deepEqual(working.sort(), documented, 'what protocol.md lists is what works before registering');
    await online.close();
  } finally {
    await server.stop();
  }
});
