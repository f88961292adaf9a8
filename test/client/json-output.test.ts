// `classchat chat --json` for scripts (issue #12.4): replies that carry data print it as data (one
// `client-data` object with the reply's fields), not as a sentence inside `client-info`; the exit code
// is 1 when anything the script asked for failed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type ChatProcess, chatProcessesAgainstOneServer } from '../helpers/chat-process.js';
import { TestClient, type Obj } from '../helpers/client.js';

const clients = chatProcessesAgainstOneServer();
const chat = (args: string[], cwd?: string): ChatProcess => clients.chat(args, {}, cwd);

const objects = (p: ChatProcess) => p.lines.map((l) => JSON.parse(l) as Obj);

test('#12.4 --json prints /who, /rooms, /members, /history and /files as data objects', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-json-'));
  try {
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'some notes\n');
    const peer = await TestClient.as(clients.server.port, 'JPeer');
    const p = chat(['--user', 'JData', '--json'], dir);
    p.type('/join JRoom', 'first line', '/send JRoom notes.txt');
    await p.waitFor(/"client-info".*sent notes\.txt|"file":\d+/);
    p.type('/who', '/users', '/rooms', '/members JRoom', '/history JRoom', '/files JRoom', '/exit');
    assert.equal(await p.exit(), 0, p.lines.join('\n') + p.stderr);
    const all = objects(p);
    const data = (command: string) => {
      const found = all.find((o) => o.status === 'client-data' && o.command === command);
      assert.ok(found, `a client-data object for ${command} in:\n${p.lines.join('\n')}`);
      return found;
    };
    assert.ok(data('who').users.includes('JData') && data('who').users.includes('JPeer'));
    assert.equal(typeof data('who').online, 'number');
    assert.deepEqual(
      data('users').users.find((u: { name: string }) => u.name === 'JPeer'),
      { name: 'JPeer', online: true },
    );
    assert.deepEqual(
      data('rooms').rooms.find((r: { name: string }) => r.name === 'JRoom'),
      { name: 'JRoom', members: 1, online: 1 },
    );
    assert.deepEqual(data('members').members, [{ name: 'JData', online: true }]);
    assert.equal(data('members').receiver, 'JRoom');
    assert.ok(data('history').messages.some((m: Obj) => m.text === 'first line' && m.sender === 'JData'));
    assert.deepEqual(
      data('files').files.map((f: { name: string }) => f.name),
      ['notes.txt'],
    );
    // The data is not said again as a sentence.
    assert.equal(
      all.filter(
        (o) => o.status === 'client-info' && /^online \(|^users: |^rooms: |^JRoom: |^files in JRoom/.test(o.text),
      ).length,
      0,
    );
    assert.equal(all.filter((o) => o.status === 'client-header').length, 0, 'the history header is in the data');
    await peer.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('#12.4 --json exits 1 when a request failed, after doing the rest', async () => {
  const friend = await TestClient.as(clients.server.port, 'JFriend');
  const p = chat(['--user', 'JFail', '--json']);
  p.type('/private NoSuchUser12 hello', '/private JFriend still sent');
  p.endInput();
  assert.equal(await p.exit(), 1);
  assert.equal((await friend.event('private', { sender: 'JFail' })).text, 'still sent');
  const errors = objects(p).filter((o) => o.status === 'client-error');
  assert.equal(errors.length, 1, p.lines.join('\n'));
  await friend.close();
});

test('#12.4 --json exits 0 when every request succeeded', async () => {
  const p = chat(['--user', 'JFine', '--json']);
  p.type('/join JFineRoom', 'hello', '/who');
  p.endInput();
  assert.equal(await p.exit(), 0, p.lines.join('\n'));
});
