// A script's --user that cannot be used (issue #12.4): a piped client given a name that is taken,
// invalid, reserved or claimed ends with exit code 1 and the reason on stderr, and never turns its first
// input line into a name. Without --user a script still gives the name as its first line, and a taken
// one is answered by the next line (the seeds' scripts do that; chat-script.test.ts keeps it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatProcessesAgainstOneServer } from '../helpers/chat-process.js';
import { TestClient } from '../helpers/client.js';

const clients = chatProcessesAgainstOneServer();
const chat = clients.chat;

/** Whether a name is free on the server: registering it works (the probe then leaves). */
async function isFree(name: string): Promise<boolean> {
  const probe = await TestClient.connect(clients.server.port);
  const reply = await probe.request({ status: 'register', sender: name });
  await probe.close();
  return reply.status === 'ok';
}

test('#12.4 a script whose --user is online elsewhere exits 1 with the reason on stderr; its first line does not become its name', async () => {
  const alice = await TestClient.as(clients.server.port, 'TAlice');
  const p = chat(['--user', 'TAlice']);
  p.type('hello12', '/private TAlice not from me');
  p.endInput();
  assert.equal(await p.exit(), 1);
  assert.match(p.stderr, /TAlice is in use/);
  assert.doesNotMatch(p.lines.join('\n'), /welcome/);
  assert.ok(await isFree('hello12'), 'the script did not register as its first line');
  assert.equal(alice.pending().filter((m) => m.status === 'private').length, 0);
  await alice.close();
});

test('#12.4 a script whose --user is invalid or reserved exits 1 with the reason on stderr', async () => {
  for (const name of ['not a name!', 'everyone']) {
    const p = chat(['--user', name]);
    p.type('second12', '/exit');
    p.endInput();
    assert.equal(await p.exit(), 1, name);
    assert.match(p.stderr, /^classchat chat: .+/, name);
    assert.doesNotMatch(p.lines.join('\n'), /welcome/, name);
  }
  assert.ok(await isFree('second12'));
});

test('#12.4 a claimed name is explained in the words of the client (no saved token here), not with the JSON to send over nc', async () => {
  const owner = await TestClient.as(clients.server.port, 'Wren'); // claims the name; its token is not in the client's files
  await owner.ok({ status: 'exit' });
  const p = chat(['--user', 'Wren']);
  p.type('third12');
  p.endInput();
  assert.equal(await p.exit(), 1);
  assert.match(p.stderr, /Wren is claimed by someone else \(no saved token for this name on this machine\)/);
  assert.match(p.stderr, /classchat admin release-name Wren/);
  assert.doesNotMatch(p.stderr, /"status"|\{/, 'no raw JSON hints for a terminal user');
});

test('#12.4 without --user a script gives its name as the first line, and a taken one is answered by the next line', async () => {
  const holder = await TestClient.as(clients.server.port, 'Held12');
  const p = chat([]);
  p.type('Held12', 'Other12', '/exit');
  await p.waitFor(/Held12 is in use/);
  await p.waitFor(/welcome, Other12/);
  assert.equal(await p.exit(), 0);
  await holder.close();
});
