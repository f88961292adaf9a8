// A dropped connection (issue #3): when the server restarts, the client says so, retries, registers the
// same name again and shows what it missed, with no gap and no duplicate, checked by message ids. It
// does not reconnect when that would be wrong: replaced by a login elsewhere, or its token revoked.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, test } from 'node:test';
import { ChatProcess } from '../helpers/chat-process.js';
import { TestClient } from '../helpers/client.js';
import { freePort, spawnServer, tempDataDir, type ChildServer } from '../helpers/server.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function serverOn(dataDir: string, port: number): Promise<ChildServer> {
  const server = await spawnServer(dataDir, ['--port', String(port)]);
  cleanup.push(() => server.child.exitCode === null && server.stop('SIGKILL'));
  return server;
}

test('across a server restart the client reconnects and shows every message once, in order per conversation', async () => {
  const dataDir = tempDataDir();
  cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  let server = await serverOn(dataDir, port);

  const client = ChatProcess.start(port, ['--user', 'Rita', '--json']);
  cleanup.push(() => client.kill());
  await client.waitFor(/welcome, Rita/);
  client.type('/join R1');
  await client.waitFor(/created R1/);

  let sam = await TestClient.as(port, 'Sam');
  await sam.ok({ status: 'join', receiver: 'R1' });
  const sent: number[] = [];
  sent.push((await sam.ok({ status: 'private', receiver: 'Rita', text: 'before 1' })).msgid);
  sent.push((await sam.ok({ status: 'group', receiver: 'R1', text: 'before 2' })).msgid);
  await client.waitFor(/before 2/);

  const mark = client.lines.length;
  await sam.close();
  assert.equal(await server.stop('SIGTERM'), 0);
  await client.waitFor(/reconnecting/, mark);
  server = await serverOn(dataDir, port);

  // While Rita's client is (probably) still waiting to retry, Sam (back with his token) talks to her and the room.
  sam = await TestClient.back(port, sam);
  cleanup.push(() => sam.close());
  sent.push((await sam.ok({ status: 'private', receiver: 'Rita', text: 'during 1' })).msgid);
  sent.push((await sam.ok({ status: 'group', receiver: 'R1', text: 'during 2' })).msgid);
  await client.waitFor(/reconnected as Rita/, mark, 20_000);
  sent.push((await sam.ok({ status: 'private', receiver: 'Rita', text: 'after 1' })).msgid);
  await client.waitFor(/after 1/, mark);

  const fromSam = client.lines
    .map((l) => JSON.parse(l))
    .filter((m) => (m.status === 'private' || m.status === 'group') && m.sender === 'Sam');
  const ids = fromSam.map((m) => m.msgid);
  assert.deepEqual(
    [...ids].sort((a, b) => a - b),
    sent,
    `each of Sam's messages exactly once: ${JSON.stringify(ids)}`,
  );
  // and it still talks after the reconnect
  client.type('/private Sam still here');
  assert.equal((await sam.event('private', { sender: 'Rita' })).text, 'still here');
  client.type('/exit');
  assert.equal(await client.exit(), 0);
});

test('messages the server sent into a failing network are recovered after the reconnect, once', async () => {
  const { startServer } = await import('../helpers/server.js');
  const { LossyProxy } = await import('../helpers/proxy.js');
  const server = await startServer();
  cleanup.push(() => server.stop());
  const proxy = await LossyProxy.start(server.port);
  cleanup.push(() => proxy.close());

  const client = ChatProcess.start(proxy.port, ['--user', 'Uma', '--json']);
  cleanup.push(() => client.kill());
  await client.waitFor(/welcome, Uma/);
  const vic = await TestClient.as(server.port, 'Vic');
  cleanup.push(() => vic.close());
  const first = await vic.ok({ status: 'private', receiver: 'Uma', text: 'arrives' });
  await client.waitFor(/"text":"arrives"/);

  // The network starts losing what the server sends; the server cannot tell, and counts it delivered.
  proxy.blackhole = true;
  const lost = [];
  for (let i = 0; i < 3; i++)
    lost.push((await vic.ok({ status: 'private', receiver: 'Uma', text: `lost ${i}` })).msgid);
  const mark = client.lines.length;
  const gone = vic.event('system', { event: 'disconnect', sender: 'Uma' });
  proxy.cutAll();
  await gone;
  proxy.blackhole = false;

  await client.waitFor(/reconnected as Uma/, mark, 20_000);
  await client.waitFor(/arrived while you were disconnected/, mark);
  await client.waitFor(/"text":"lost 2"/, mark);
  const ids = client.lines
    .map((l) => JSON.parse(l))
    .filter((m) => m.status === 'private' && m.sender === 'Vic')
    .map((m) => m.msgid);
  assert.deepEqual(ids, [first.msgid, ...lost]);
  client.type('/exit');
  assert.equal(await client.exit(), 0);
});

test('/exit while the server is away ends the client at once', async () => {
  const { startServer } = await import('../helpers/server.js');
  const server = await startServer();
  const client = ChatProcess.start(server.port, ['--user', 'Xena']);
  cleanup.push(() => client.kill());
  await client.waitFor(/welcome, Xena/);
  await server.stop();
  await client.waitFor(/reconnecting/);
  client.type('/exit');
  assert.equal(await client.exit(), 0);
});

test('logged in from another connection: the client says so and ends, instead of taking the account back', async () => {
  const { startServer } = await import('../helpers/server.js');
  const server = await startServer({ auth: 'accounts' });
  cleanup.push(() => server.stop());
  const client = ChatProcess.start(server.port, ['--user', 'Yuri'], { CLASSCHAT_PASSWORD: 'yuri password' });
  cleanup.push(() => client.kill());
  await client.waitFor(/welcome, Yuri/);
  // The same account logs in elsewhere (another terminal, say): this connection is closed as replaced.
  const elsewhere = await TestClient.connect(server.port, 'Yuri elsewhere');
  cleanup.push(() => elsewhere.close());
  await elsewhere.ok({ status: 'login', sender: 'Yuri', password: 'yuri password' });
  assert.equal(await client.exit(), 1);
  assert.match(client.lines.join('\n'), /logged in from another connection.*not reconnecting/s);
  assert.doesNotMatch(client.lines.join('\n'), /reconnecting…/);
  // The other connection was left alone: still logged in, still answered.
  assert.equal((await elsewhere.ok({ status: 'who' })).status, 'ok');
  assert.equal(
    elsewhere.received.some((m) => m.code === 'replaced'),
    false,
  );
});

test('a token revoked while the client was away: the reconnect says why and ends, instead of retrying forever', async () => {
  const { startServer, runAdmin } = await import('../helpers/server.js');
  const { LossyProxy } = await import('../helpers/proxy.js');
  const server = await startServer({ auth: 'accounts' });
  cleanup.push(() => server.stop());
  const proxy = await LossyProxy.start(server.port);
  cleanup.push(() => proxy.close());
  const client = ChatProcess.start(proxy.port, ['--user', 'Zoe'], { CLASSCHAT_PASSWORD: 'zoe password 1' });
  cleanup.push(() => client.kill());
  await client.waitFor(/welcome, Zoe/);
  // The instructor resets Zoe's password (revoking her tokens) while her network loses what the server
  // sends: the server's logged_out (issue #11.3) never reaches her, only the dropped connection.
  proxy.blackhole = true;
  const mark = client.lines.length;
  const reset = await runAdmin(server.dataDir, ['reset-password', 'Zoe'], 'zoe password 2\n');
  assert.equal(reset.code, 0, reset.stderr);
  await client.waitFor(/reconnecting/, mark);
  proxy.blackhole = false; // the first retry waits at least 250 ms
  assert.equal(await client.exit(), 1);
  assert.match(client.lines.slice(mark).join('\n'), /cannot log back in as Zoe: .*not reconnecting/);
});

test('#11.3 logged out by classchat admin while connected: the client says why and ends, instead of reconnecting', async () => {
  const { startServer, runAdmin } = await import('../helpers/server.js');
  const server = await startServer({ auth: 'accounts' });
  cleanup.push(() => server.stop());
  const client = ChatProcess.start(server.port, ['--user', 'Zack'], { CLASSCHAT_PASSWORD: 'zack password 1' });
  cleanup.push(() => client.kill());
  await client.waitFor(/welcome, Zack/);
  const mark = client.lines.length;
  const reset = await runAdmin(server.dataDir, ['reset-password', 'Zack'], 'zack password 2\n');
  assert.equal(reset.code, 0, reset.stderr);
  assert.equal(await client.exit(), 1);
  const said = client.lines.slice(mark).join('\n');
  assert.match(said, /an administrator reset your password.*not reconnecting/s);
  assert.doesNotMatch(said, /reconnecting…/);
});
