// A client the server was catching up from its store (issue #11.11) gets the reply to its own message
// at once, with a msgid above messages still owed to it. Found in review: the terminal client took that
// msgid as `since` at its next login, and the messages below it were never sent. It must resume from
// the highest msgid the server pushed to it.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { ChatProcess } from '../helpers/chat-process.js';
import { TestClient } from '../helpers/client.js';
import { LossyProxy } from '../helpers/proxy.js';
import { startServer } from '../helpers/server.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const TEXT = 'z'.repeat(16_000);

test('#11.11 a client that fell behind and then sent a message gets every message after a reconnect: its own msgid is not where it resumes', async () => {
  const server = await startServer({ limits: { behindBytes: 32 * 1024, catchUpPageBytes: 8 * 1024 } });
  cleanup.push(() => server.stop());
  const proxy = await LossyProxy.start(server.port);
  cleanup.push(() => proxy.close());
  const client = ChatProcess.start(proxy.port, ['--user', 'Una', '--json']);
  cleanup.push(() => client.kill());
  await client.waitFor(/welcome, Una/);
  const vic = await TestClient.as(server.port, 'Vic');
  cleanup.push(() => vic.close());
  const sent: number[] = [(await vic.ok({ status: 'private', receiver: 'Una', text: 'hello' })).msgid];
  await client.waitFor(/"text":"hello"/);

  // Una's network stops carrying what the server sends: the server's output for her backs up until
  // she falls behind, and her chat waits in the store (bounded: at most 3,000 messages).
  proxy.stallDownstream(true);
  const una = () => [...server.server.connections].find((c) => c.session?.name === 'Una');
  while (sent.length < 3000 && una()?.session?.catchUp == null)
    sent.push((await vic.ok({ status: 'private', receiver: 'Una', text: `m${sent.length}:${TEXT}` })).msgid);
  assert.ok(una()?.session?.catchUp, `Una fell behind (after ${sent.length} messages)`);
  for (let i = 0; i < 20; i++)
    sent.push((await vic.ok({ status: 'private', receiver: 'Una', text: `late${i}:${TEXT}` })).msgid);

  // She sends a message of her own; its reply goes out at once, ahead of the chat still owed to her.
  // The network fails right after that reply reaches her.
  proxy.blackholeAfter = /"status":"ok"[^\n]*"msgid"/;
  client.type('/private Vic mine');
  const mark = client.lines.length;
  const gone = vic.event('system', { event: 'disconnect', sender: 'Una' }, 20_000);
  proxy.stallDownstream(false);
  await vic.event('private', { sender: 'Una', text: 'mine' }, 20_000);
  await client.waitFor(/"text":"mine"/, mark, 20_000);
  proxy.cutAll();
  await gone;
  proxy.blackhole = false;
  proxy.blackholeAfter = null;

  // Back: every message Vic sent arrives, each once.
  await client.waitFor(/reconnected as Una/, mark, 20_000);
  const last = sent.at(-1)!;
  await client.waitFor(new RegExp(`"msgid":${last}\\b`), mark, 20_000);
  const shown = client.lines
    .map((l) => JSON.parse(l))
    .filter((m) => m.status === 'private' && m.sender === 'Vic')
    .map((m) => m.msgid as number);
  assert.deepEqual(
    [...new Set(shown)].sort((a, b) => a - b),
    sent,
    "every message of Vic's, none missing",
  );
  assert.equal(shown.length, new Set(shown).size, 'none twice');
  client.type('/exit');
  assert.equal(await client.exit(), 0);
});
