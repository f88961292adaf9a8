// The terminal client driven as a script (stdin not a terminal), against a real server: every command
// and alias, the seeds' forms, Name: text, the name-taken retry, messages waiting at login, --json,
// and an unreachable server (issue #3).
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { TestClient } from '../helpers/client.js';
import { ChatProcess, chatProcessesAgainstOneServer } from '../helpers/chat-process.js';

const clients = chatProcessesAgainstOneServer();
const chat = clients.chat;

test('an unreachable server gets one clear line and exit code 1', async () => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve())); // nothing listens there now
  const p = clients.track(ChatProcess.start(port, ['--user', 'Nobody']));
  assert.equal(await p.exit(), 1);
  assert.equal(p.stderr.trim(), `cannot reach 127.0.0.1:${port}: connection refused`);
  assert.deepEqual(p.lines, []);
});

test('private messages with /private, /msg, /dm and Name: text reach the user; own messages are shown as sent', async () => {
  const bob = await TestClient.as(clients.server.port, 'CBob');
  const p = chat(['--user', 'CAlice']);
  await p.waitFor(/welcome, CAlice/);
  p.type('/private CBob one', '/msg CBob two', '/dm CBob three', 'CBob: four', 'plain five');
  for (const text of ['one', 'two', 'three', 'four']) {
    const got = await bob.event('private', { text });
    assert.equal(got.sender, 'CAlice');
  }
  // after /private the current conversation is @CBob, so plain text goes to him too
  assert.equal((await bob.event('private', { text: 'plain five' })).sender, 'CAlice');
  await p.waitFor(/\[@CBob\] <CAlice> plain five/);
  bob.send({ status: 'private', receiver: 'CAlice', text: 'hi back' });
  await p.waitFor(/\[@CBob\] <CBob> hi back/);
  p.type('/exit');
  assert.equal(await p.exit(), 0);
  await bob.close();
});

test('rooms: /join creates and says so, /group, /create with members, /members, /rooms, /list, /leave, /switch', async () => {
  const carol = await TestClient.as(clients.server.port, 'RCarol');
  const p = chat(['--user', 'RDan']);
  await p.waitFor(/welcome, RDan/);
  p.type('/join Lab1');
  await p.waitFor(/created Lab1/);
  await carol.ok({ status: 'join', receiver: 'Lab1' });
  await p.waitFor(/\[Lab1\] \* RCarol joined Lab1/);
  p.type('in the lab');
  assert.equal((await carol.event('group', { receiver: 'Lab1' })).text, 'in the lab');
  p.type('/create Lab2 RCarol', '/group Lab1 via group', '/members Lab1', '/rooms', '/list');
  await carol.event('system', { event: 'created', receiver: 'Lab2' });
  assert.equal((await carol.event('group', { text: 'via group' })).sender, 'RDan');
  await p.waitFor(/Lab1: RCarol \(online\), RDan \(online\)/);
  await p.waitFor(/rooms: .*Lab1 \(2 members, 2 online\)/);
  await p.waitFor(/online \(\d+\): .*RCarol/);
  p.type('/switch everyone', 'to all');
  assert.equal((await carol.event('broadcast', { text: 'to all' })).sender, 'RDan');
  p.type('/leave Lab1');
  await carol.event('system', { event: 'leave', receiver: 'Lab1' });
  p.type('/quit');
  assert.equal(await p.exit(), 0);
  await carol.close();
});

test("the seeds' forms: JOIN, MSG, MSG user:text, LEAVE, LIST, HELP, server:who, QUIT", async () => {
  const erin = await TestClient.as(clients.server.port, 'SErin');
  await erin.ok({ status: 'create', receiver: 'general' });
  const p = chat(['--user', 'SFrank']);
  await p.waitFor(/welcome, SFrank/);
  p.type('JOIN general');
  await p.waitFor(/joined general/);
  p.type('MSG Hello everyone!');
  assert.equal((await erin.event('group', { receiver: 'general' })).text, 'Hello everyone!');
  p.type('MSG SErin:Hey, how are you?');
  assert.equal((await erin.event('private', { sender: 'SFrank' })).text, 'Hey, how are you?');
  p.type('LIST');
  await p.waitFor(/rooms: .*general/);
  p.type('HELP');
  await p.waitFor(/\/private <user> \[text\]/);
  p.type('server:who');
  await p.waitFor(/online \(\d+\): .*SFrank/);
  p.type('LEAVE');
  await erin.event('system', { event: 'leave', sender: 'SFrank' });
  p.type('QUIT');
  assert.equal(await p.exit(), 0);
  await erin.close();
});

test('server:exit and /menu, /history, and a wrong command gets a usage line', async () => {
  const p = chat(['--user', 'HGina']);
  await p.waitFor(/welcome, HGina/);
  p.type('/join Hist', 'first', 'second', '/history Hist 2', '/menu', '/join', '/nope');
  await p.waitFor(/--- history of Hist: 2 messages ---/);
  const at = p.lines.findIndex((l) => /history of Hist/.test(l));
  await p.waitFor(/\[Hist\] <HGina> second/, at);
  await p.waitFor(/commands:/);
  await p.waitFor(/! usage: \/join <room>/);
  await p.waitFor(/! unknown command \/nope/);
  p.type('server:exit');
  assert.equal(await p.exit(), 0);
});

test('an invalid or taken name is refused with the reason and the client asks again', async () => {
  const holder = await TestClient.as(clients.server.port, 'Taken');
  const p = chat([]);
  p.type('not a name!');
  await p.waitFor(/a name is 1-32 characters/);
  p.type('taken');
  await p.waitFor(/^taken is in use/); // unique case-insensitively
  p.type('Fresh');
  await p.waitFor(/welcome, Fresh/);
  p.type('/exit');
  assert.equal(await p.exit(), 0);
  await holder.close();
});

test('messages that waited are shown at login under a header with their count and original times', async () => {
  const p0 = chat(['--user', 'WHank']);
  await p0.waitFor(/welcome/);
  p0.type('/exit');
  await p0.exit();
  const ida = await TestClient.as(clients.server.port, 'WIda');
  const first = await ida.ok({ status: 'private', receiver: 'WHank', text: 'while you were out' });
  await ida.ok({ status: 'private', receiver: 'WHank', text: 'and again' });
  const p = chat(['--user', 'WHank']);
  await p.waitFor(/--- 2 messages waited for you ---/);
  const hhmm = new Date(first.ts).toTimeString().slice(0, 5);
  await p.waitFor(new RegExp(`^${hhmm} \\[@WIda\\] <WIda> while you were out$`));
  await p.waitFor(/\[@WIda\] <WIda> and again/);
  p.endInput();
  assert.equal(await p.exit(), 0);
  await ida.close();
});

test('--json prints every event as one JSON line; input ending exits after the replies arrive', async () => {
  const jack = await TestClient.as(clients.server.port, 'JJack');
  const p = chat(['--user', 'JKim', '--json']);
  await p.waitFor(/"client-info"/);
  jack.send({ status: 'private', receiver: 'JKim', text: 'json please' });
  const line = await p.waitFor(/json please/);
  const event = JSON.parse(line);
  assert.equal(event.status, 'private');
  assert.equal(event.sender, 'JJack');
  assert.equal(typeof event.msgid, 'number');
  p.type('/private JJack last words');
  p.endInput();
  assert.equal(await p.exit(), 0);
  assert.equal((await jack.event('private', { sender: 'JKim' })).text, 'last words');
  for (const l of p.lines) JSON.parse(l); // every line is JSON
  await jack.close();
});

test('#11.6 /rooms shows the first page and says how to see more; /rooms more shows the next, then says it was the last', async () => {
  const maker = await TestClient.as(clients.server.port, 'PageMaker');
  for (let i = 0; i < 110; i++) await maker.ok({ status: 'create', receiver: `Pg${String(i).padStart(3, '0')}` });
  const p = chat(['--user', 'PageReader']);
  await p.waitFor(/welcome, PageReader/);
  p.type('/rooms');
  const first = await p.waitFor(/rooms: .*\(more: \/rooms more\)$/);
  const from = p.lines.length;
  p.type('/rooms more');
  const second = await p.waitFor(/rooms: /, from);
  assert.doesNotMatch(second, /\(more: /, 'fewer than 200 rooms: the second page is the last');
  assert.match(second, /Pg109 \(1 member, 1 online\)$/);
  assert.doesNotMatch(first, /Pg109/);
  p.type('/rooms more');
  await p.waitFor(/that was the last page/, from);
  p.type('/exit');
  assert.equal(await p.exit(), 0);
  await maker.close();
});
