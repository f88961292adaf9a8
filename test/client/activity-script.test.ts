// /next in a script (issue #12.6): plain mode prints no status line and rings no bell, but /next
// switches to the next conversation with unread messages and prints them again, as lines or as JSON.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatProcessesAgainstOneServer } from '../helpers/chat-process.js';
import { TestClient } from '../helpers/client.js';

const clients = chatProcessesAgainstOneServer();

test('#12.6 /next in a script switches to the conversation with unread messages and prints them again', async () => {
  const p = clients.chat(['--user', 'Sam']);
  await p.waitFor(/welcome, Sam/);
  const ann = await TestClient.as(clients.server.port, 'SAnn');
  await ann.ok({ status: 'create', receiver: 'SLab', members: ['Sam'] });
  await ann.ok({ status: 'group', receiver: 'SLab', text: 'first, Sam' });
  await ann.ok({ status: 'group', receiver: 'SLab', text: 'second' });
  await p.waitFor(/<SAnn> second$/);
  const mark = p.lines.length;
  p.type('/next');
  await p.waitFor(/^--- 2 unread in SLab ---$/, mark);
  await p.waitFor(/<SAnn> second$/, mark);
  const shown = p.lines.slice(mark);
  assert.deepEqual(
    shown.slice(0, 3).map((l) => l.replace(/^\d\d:\d\d /, '')),
    ['--- 2 unread in SLab ---', '[SLab] <SAnn> first, Sam', '[SLab] <SAnn> second'],
    shown.join('\n'),
  );
  assert.equal(p.lines.join('\n').includes('\x07'), false, 'no bell in a script');
  // The prompt's conversation is SLab now: plain text goes there; and nothing is unread any more.
  p.type('in the lab', '/next');
  assert.equal((await ann.event('group', { sender: 'Sam' })).text, 'in the lab');
  await p.waitFor(/^no unread messages$/, mark);
  p.type('/exit');
  assert.equal(await p.exit(), 0);
  await ann.close();
});

test('#12.6 /next with --json prints one client-data object with the messages shown again, never a bare message a script would take for a new one', async () => {
  const p = clients.chat(['--user', 'Jo', '--json']);
  await p.waitFor(/welcome, Jo/);
  const ann = await TestClient.as(clients.server.port, 'JAnn');
  await ann.ok({ status: 'private', receiver: 'Jo', text: 'ping Jo' });
  await p.waitFor(/ping Jo/);
  const mark = p.lines.length;
  p.type('/next');
  const data = JSON.parse(await p.waitFor(/"client-data".*"command":"next"/, mark));
  assert.equal(data.receiver, '@JAnn');
  assert.equal(data.unread, 1);
  assert.deepEqual(
    data.messages.map((m: Record<string, unknown>) => [m.status, m.sender, m.text]),
    [['private', 'JAnn', 'ping Jo']],
  );
  p.type('/exit');
  assert.equal(await p.exit(), 0);
  const bare = p.lines.slice(mark).filter((l) => /ping Jo/.test(l) && !/client-data/.test(l));
  assert.deepEqual(bare, [], 'the message is not printed again as if it were new');
  await ann.close();
});
