// The terminal client and claimed names (issue #11.1): it keeps a name's token in a private file and
// comes back with it, so the seeds' flow (register, chat, exit, come back later, get what waited) works
// on the default server; a script whose name someone else claimed ends with the server's reason.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { ChatProcess } from '../helpers/chat-process.js';
import { TestClient } from '../helpers/client.js';
import { CLI, startServer, type TestServer } from '../helpers/server.js';
import { TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';

let server: TestServer;
const running: ChatProcess[] = [];
const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-claim-client-'));
before(async () => (server = await startServer())); // the product default: claim
after(async () => {
  await server.stop();
  fs.rmSync(configDir, { recursive: true, force: true });
});
afterEach(() => {
  for (const p of running.splice(0)) p.kill();
});

function chat(args: string[], dir = configDir): ChatProcess {
  const p = ChatProcess.start(server.port, args, { CLASSCHAT_CONFIG_DIR: dir });
  running.push(p);
  return p;
}

test("#11.1 the client keeps the name's token in a private file and comes back with it to the messages that waited", async () => {
  const first = chat(['--user', 'Nell']);
  await first.waitFor(/welcome, Nell/);
  first.type('/exit');
  assert.equal(await first.exit(), 0);
  const file = path.join(configDir, 'tokens');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'only its owner may read the token');
  assert.match(
    fs.readFileSync(file, 'utf8'),
    new RegExp(`^127\\.0\\.0\\.1:${server.port} Nell [A-Za-z0-9_-]{43}$`, 'm'),
  );

  const otto = await TestClient.as(server.port, 'Otto');
  await otto.ok({ status: 'private', receiver: 'Nell', text: 'while you were out' });
  const back = chat(['--user', 'nell']);
  await back.waitFor(/--- 1 message waited for you ---/);
  await back.waitFor(/\[@Otto\] <Otto> while you were out/);
  back.type('/private Otto thanks');
  assert.equal((await otto.event('private', { sender: 'Nell' })).text, 'thanks');
  back.endInput();
  assert.equal(await back.exit(), 0);
  await otto.close();
});

test("#11.1 a script whose name someone else claimed gets the server's text, none of her messages, and exit code 1", async () => {
  const owner = chat(['--user', 'Pia']);
  await owner.waitFor(/welcome, Pia/);
  owner.type('/exit');
  assert.equal(await owner.exit(), 0);
  const quinn = await TestClient.as(server.port, 'Quinn');
  await quinn.ok({ status: 'private', receiver: 'Pia', text: 'for Pia only' });
  await quinn.close();

  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-other-client-'));
  try {
    const impostor = chat(['--user', 'Pia'], elsewhere); // another account on the machine: no token
    impostor.type('/private Quinn it is me');
    assert.equal(await impostor.exit(), 1);
    // The reason goes to stderr (issue #12.4), as a failed command's does.
    assert.match(impostor.stderr, /Pia is claimed/);
    assert.match(impostor.stderr, /classchat admin release-name Pia/);
    assert.doesNotMatch(impostor.lines.join('\n') + impostor.stderr, /for Pia only|welcome/);
  } finally {
    fs.rmSync(elsewhere, { recursive: true, force: true });
  }
});

const skipTmux = TMUX_SKIP;

test('#11.1 in a terminal a claimed name is explained and another name asked for', { skip: skipTmux }, async () => {
  const owner = await TestClient.as(server.port, 'Rue');
  await owner.ok({ status: 'exit' });
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-other-client-'));
  const term = TmuxSession.start([process.execPath, CLI, 'chat', '--port', String(server.port), '--user', 'Rue'], {
    NO_COLOR: '1',
    CLASSCHAT_CONFIG_DIR: elsewhere,
  });
  try {
    await term.waitFor(
      (l) => l.some((x) => x.includes('Rue is claimed')) && l.at(-1) === 'Your name:',
      'the reason and the name prompt',
    );
    term.type('Rue2');
    term.press('Enter');
    await term.waitFor((l) => l.at(-1) === '[everyone]>', 'the chat prompt under the other name');
    term.type('/exit');
    term.press('Enter');
  } finally {
    term.kill();
    fs.rmSync(elsewhere, { recursive: true, force: true });
  }
});
