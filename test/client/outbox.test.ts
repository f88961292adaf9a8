// The client's outbox (issue #12.2, #12.3): what the user types is never dropped by the client. A flood
// refusal is waited out and the same request sent again; lines typed while the connection is down wait
// for the reconnect; a message whose reply was lost with the connection goes again with its id and is
// delivered once. Real server (with the default flood limits where pacing is tested), real client process.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DEFAULT_LIMITS } from '../../src/server/limits.js';
import { ChatProcess } from '../helpers/chat-process.js';
import { TestClient, type Obj } from '../helpers/client.js';
import { LossyProxy } from '../helpers/proxy.js';
import { CLI, startServer } from '../helpers/server.js';
import { TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';

const tmuxSkip = TMUX_SKIP;

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** The product's flood limit (startServer lifts it for tests of other things). */
const DEFAULT_FLOOD = {
  floodBurst: DEFAULT_LIMITS.floodBurst,
  floodRate: DEFAULT_LIMITS.floodRate,
  floodStrikes: DEFAULT_LIMITS.floodStrikes,
};

async function serverAndProxy(): Promise<{ port: number; proxy: LossyProxy }> {
  const server = await startServer();
  cleanup.push(() => server.stop());
  const proxy = await LossyProxy.start(server.port);
  cleanup.push(() => proxy.close());
  return { port: server.port, proxy };
}

/** The texts of the private messages from `sender` that `client` received, in order. */
function textsFrom(client: TestClient, sender: string, status = 'private'): string[] {
  return client.received
    .filter((m: Obj) => m.status === status && m.sender === sender && m.ref === undefined)
    .map((m) => m.text);
}

test('#12.2 a script piping 45 lines against the default flood limits: the receiver gets every line once, in order', async () => {
  const server = await startServer({ limits: DEFAULT_FLOOD });
  cleanup.push(() => server.stop());
  const reader = await TestClient.as(server.port, 'Reader');
  cleanup.push(() => reader.close());

  const lines = Array.from({ length: 45 }, (_, i) => `line ${i + 1}`);
  const client = ChatProcess.start(server.port, ['--user', 'Piper']);
  cleanup.push(() => client.kill());
  client.type('/private Reader first', ...lines);
  client.endInput();
  // The burst is 10, then 5 a second: about 7 s of pacing.
  assert.equal(await client.exit(20_000), 0, client.lines.join('\n'));
  const last = await reader.event('private', { sender: 'Piper', text: 'line 45' });
  assert.ok(last);
  assert.deepEqual(textsFrom(reader, 'Piper'), ['first', ...lines]);
  assert.doesNotMatch(client.lines.join('\n'), /too many messages/, 'a flood refusal is waited out, not shown');
});

test('#12.3 lines typed while the connection is down are queued, then sent once each, in order, after the reconnect', async () => {
  const { port, proxy } = await serverAndProxy();
  const reader = await TestClient.as(port, 'Reader');
  cleanup.push(() => reader.close());
  const client = ChatProcess.start(proxy.port, ['--user', 'Quinn']);
  cleanup.push(() => client.kill());
  await client.waitFor(/welcome, Quinn/);
  client.type('/private Reader before');
  await reader.event('private', { sender: 'Quinn', text: 'before' });
  await client.waitFor(/<Quinn> before/);

  const mark = client.lines.length;
  const gone = reader.event('system', { event: 'disconnect', sender: 'Quinn' });
  await proxy.down();
  await client.waitFor(/reconnecting/, mark);
  await gone;
  const typed = ['while down 1', 'while down 2', 'while down 3'];
  client.type(...typed);
  const queued = /queued: will send when reconnected/;
  for (let from = mark, i = 0; i < typed.length; i++) {
    await client.waitFor(queued, from);
    from = client.lines.findIndex((l, at) => at >= from && queued.test(l)) + 1;
  }

  await proxy.up();
  await client.waitFor(/reconnected as Quinn/, mark, 20_000);
  await client.waitFor(/<Quinn> while down 3/, mark);
  // A line typed after the reconnect comes after the queued ones; it is the barrier for "nothing more".
  client.type('after');
  await reader.event('private', { sender: 'Quinn', text: 'after' });
  assert.deepEqual(textsFrom(reader, 'Quinn'), ['before', ...typed, 'after']);
  client.type('/exit');
  assert.equal(await client.exit(), 0);
});

test('#12.3 a message whose reply was lost with the connection is sent again with its id after the reconnect and delivered once', async () => {
  const { port, proxy } = await serverAndProxy();
  const reader = await TestClient.as(port, 'Reader');
  cleanup.push(() => reader.close());
  const client = ChatProcess.start(proxy.port, ['--user', 'Rene', '--json']);
  cleanup.push(() => client.kill());
  await client.waitFor(/welcome, Rene/);
  client.type('/private Reader hello');
  await client.waitFor(/"text":"hello"/);

  // The server stores and delivers the message, but its reply is lost, and then the connection.
  proxy.blackhole = true;
  const mark = client.lines.length;
  client.type('lost reply');
  const delivered = await reader.event('private', { sender: 'Rene', text: 'lost reply' });
  await proxy.down();
  proxy.blackhole = false;
  await client.waitFor(/reconnecting/, mark);
  await proxy.up();
  await client.waitFor(/reconnected as Rene/, mark, 20_000);

  // The resend is answered with the stored message: the client shows it as sent, with the first msgid.
  const own = JSON.parse(await client.waitFor(/"text":"lost reply"/, mark));
  assert.equal(own.msgid, delivered.msgid);
  client.type('after');
  await reader.event('private', { sender: 'Rene', text: 'after' });
  assert.deepEqual(textsFrom(reader, 'Rene'), ['hello', 'lost reply', 'after']);
  client.type('/exit');
  assert.equal(await client.exit(), 0);
});

test('#12.3 a script whose input ends while the connection is down sends its lines after the reconnect, then exits', async () => {
  const { port, proxy } = await serverAndProxy();
  const reader = await TestClient.as(port, 'Reader');
  cleanup.push(() => reader.close());
  const client = ChatProcess.start(proxy.port, ['--user', 'Ugo']);
  cleanup.push(() => client.kill());
  await client.waitFor(/welcome, Ugo/);
  await proxy.down();
  await client.waitFor(/reconnecting/);
  client.type('/private Reader one', 'two', 'three');
  client.endInput();
  await client.waitFor(/waiting to reconnect to send 3 messages/);
  await proxy.up();
  assert.equal(await client.exit(20_000), 0);
  await reader.event('private', { sender: 'Ugo', text: 'three' });
  assert.deepEqual(textsFrom(reader, 'Ugo'), ['one', 'two', 'three']);
});

test('#12.3 /exit with lines still queued says how many were not sent, and exits 1', async () => {
  const { proxy } = await serverAndProxy();
  const client = ChatProcess.start(proxy.port, ['--user', 'Sven']);
  cleanup.push(() => client.kill());
  await client.waitFor(/welcome, Sven/);
  await proxy.down();
  await client.waitFor(/reconnecting/);
  client.type('one');
  await client.waitFor(/queued: will send when reconnected/);
  const mark = client.lines.length;
  client.type('two', '/exit');
  assert.equal(await client.exit(), 1, 'a script learns from the exit code that what it typed was not all sent');
  assert.match(client.lines.slice(mark).join('\n'), /queued: will send when reconnected\n! 2 messages not sent/);
});

test('#12.3 the same text sent by a later run of the client is delivered again, not taken for a resend', async () => {
  // Request ids restarted at each run, so a second run's message could carry the first run's id and
  // text, which the server takes for a resend (within 24 hours) and answers without delivering.
  const server = await startServer();
  cleanup.push(() => server.stop());
  const reader = await TestClient.as(server.port, 'Reader');
  cleanup.push(() => reader.close());
  for (let run = 1; run <= 2; run++) {
    const client = ChatProcess.start(server.port, ['--user', 'Tara']);
    cleanup.push(() => client.kill());
    client.type('/private Reader same text');
    client.endInput();
    assert.equal(await client.exit(), 0);
    await reader.event('private', { sender: 'Tara', text: 'same text' });
  }
  assert.deepEqual(textsFrom(reader, 'Tara'), ['same text', 'same text']);
});

test(
  '#12.3 in a terminal, lines typed while the connection is down show as queued and are sent once each after the reconnect',
  { skip: tmuxSkip },
  async () => {
    const { port, proxy } = await serverAndProxy();
    const reader = await TestClient.as(port, 'Reader');
    cleanup.push(() => reader.close());
    const term = TmuxSession.start([process.execPath, CLI, 'chat', '--port', String(proxy.port), '--user', 'Tess'], {
      NO_COLOR: '1',
    });
    cleanup.push(() => term.kill());
    await term.waitFor((l) => l.at(-1) === '[everyone]>', 'the prompt');
    await proxy.down();
    await term.waitFor((l) => l.some((x) => x.includes('reconnecting')), 'the reconnecting status');
    for (const text of ['typed while down 1', 'typed while down 2']) {
      term.type(text);
      term.press('Enter');
    }
    await term.waitFor(
      (l) => l.filter((x) => x.includes('queued: will send when reconnected')).length === 2,
      'both lines queued',
    );
    // The prompt is back at once: a queued line does not hold up typing.
    await term.waitFor((l) => l.at(-1) === '[everyone]>', 'the prompt after the queued lines');
    await proxy.up();
    await reader.event('broadcast', { sender: 'Tess', text: 'typed while down 2' }, 20_000);
    const screen = await term.waitFor(
      (l) => l.some((x) => x.endsWith('<Tess> typed while down 2')),
      'the queued lines shown as sent',
    );
    assert.ok(
      screen.some((x) => x.endsWith('<Tess> typed while down 1')),
      screen.join('\n'),
    );
    // A line typed after the reconnect is the barrier for "nothing more arrived".
    term.type('after');
    term.press('Enter');
    await reader.event('broadcast', { sender: 'Tess', text: 'after' });
    assert.deepEqual(textsFrom(reader, 'Tess', 'broadcast'), ['typed while down 1', 'typed while down 2', 'after']);
  },
);
