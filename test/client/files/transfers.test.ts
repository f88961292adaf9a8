// File transfer from the terminal client (issue #5), against a real server on loopback: /send, then
// /get on the other side saves the same bytes; nothing is overwritten; /files lists; progress is
// shown; chat keeps flowing while an upload is stalled, and a cut connection resumes the upload.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { ChatProcess } from '../../helpers/chat-process.js';
import { TestClient } from '../../helpers/client.js';
import { downloadFile } from '../../helpers/files.js';
import { LossyProxy } from '../../helpers/proxy.js';
import { CLI, startServer, type TestServer } from '../../helpers/server.js';
import { TMUX_SKIP, TmuxSession } from '../../helpers/tmux.js';

let server: TestServer;
let work: string;
const cleanup: (() => unknown)[] = [];
before(async () => {
  server = await startServer();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-files-'));
});
after(async () => {
  await server.stop();
  fs.rmSync(work, { recursive: true, force: true });
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function chat(port: number, user: string, cwd = work): ChatProcess {
  const p = ChatProcess.start(port, ['--user', user], {}, cwd);
  cleanup.push(() => p.kill());
  return p;
}

/** A file of random bytes in a fresh directory. */
function makeFile(name: string, size: number): { file: string; bytes: Buffer } {
  const dir = fs.mkdtempSync(path.join(work, 'src-'));
  const bytes = randomBytes(size);
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return { file, bytes };
}

test('/send to a user, and /get on their side saves the same bytes, with progress on both sides', async () => {
  const bob = chat(server.port, 'FBob');
  await bob.waitFor(/welcome, FBob/);
  const alice = chat(server.port, 'FAlice');
  await alice.waitFor(/welcome, FAlice/);
  const { file, bytes } = makeFile('lecture notes.pdf', 1_200_000); // a space in the name; 27 chunks, 5 fetches

  alice.type(`/send FBob ${file}`);
  const sent = await alice.waitFor(/^sent lecture notes\.pdf \(1\.2 MB\) to FBob \[id \d+\]$/, 0, 15_000);
  const id = Number(/\[id (\d+)\]/.exec(sent)![1]);
  await alice.waitFor(/^upload lecture notes\.pdf +\d+% \[[#-]{20}\] /);
  await alice.waitFor(/^upload lecture notes\.pdf 100% \[#{20}\] 1\.2 MB of 1\.2 MB in \d+:\d\d$/);
  await alice.waitFor(
    new RegExp(`\\[@FBob\\] <FAlice> sent lecture notes\\.pdf \\(1\\.2 MB\\) \\[id ${id}\\] - /get ${id}$`),
  );
  // The recipient sees the file message like any other message.
  await bob.waitFor(
    new RegExp(`\\[@FAlice\\] <FAlice> sent lecture notes\\.pdf \\(1\\.2 MB\\) \\[id ${id}\\] - /get ${id}$`),
  );

  bob.type('/files', '/files FAlice');
  await bob.waitFor(/^files \(\d+\):$/);
  await bob.waitFor(/^files in FAlice \(1\):$/);
  await bob.waitFor(
    new RegExp(`^  \\[${id}\\] lecture notes\\.pdf  1\\.2 MB  from FAlice  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d$`),
  );

  // No directory given: ./downloads in the client's working directory, created for it.
  bob.type(`/get ${id}`);
  const saved = await bob.waitFor(/^saved .* \(1\.2 MB, SHA-256 verified\)$/, 0, 15_000);
  assert.equal(saved, `saved ${path.join(work, 'downloads', 'lecture notes.pdf')} (1.2 MB, SHA-256 verified)`);
  assert.ok(fs.readFileSync(path.join(work, 'downloads', 'lecture notes.pdf')).equals(bytes));
  await bob.waitFor(/^download lecture notes\.pdf 100% \[#{20}\] 1\.2 MB of 1\.2 MB in /);
  assert.deepEqual(fs.readdirSync(path.join(work, 'downloads')), ['lecture notes.pdf'], 'no part file left behind');

  bob.endInput();
  assert.equal(await bob.exit(), 0);
  alice.type('/exit');
  assert.equal(await alice.exit(), 0);
});

test('/get never overwrites a file: an existing name gets a number, each time', async () => {
  const bob = chat(server.port, 'OBob');
  await bob.waitFor(/welcome, OBob/);
  const alice = await TestClient.as(server.port, 'OAlice');
  cleanup.push(() => alice.close());
  const { file, bytes } = makeFile('notes.pdf', 70_000);
  const sender = chat(server.port, 'OCarl');
  await sender.waitFor(/welcome, OCarl/);
  sender.type(`/send OBob ${file}`);
  const id = Number(/\[id (\d+)\]/.exec(await bob.waitFor(/<OCarl> sent notes\.pdf/))![1]);

  const dir = path.join(work, 'mine');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'notes.pdf'), 'my own notes, not to be lost');
  bob.type(`/get ${id} ${dir}`);
  await bob.waitFor(new RegExp(`^saved ${dir}/notes \\(1\\)\\.pdf `));
  bob.type(`/get ${id} ${dir}`);
  await bob.waitFor(new RegExp(`^saved ${dir}/notes \\(2\\)\\.pdf `));
  assert.equal(fs.readFileSync(path.join(dir, 'notes.pdf'), 'utf8'), 'my own notes, not to be lost');
  assert.ok(fs.readFileSync(path.join(dir, 'notes (1).pdf')).equals(bytes));
  assert.ok(fs.readFileSync(path.join(dir, 'notes (2).pdf')).equals(bytes));
  assert.deepEqual(fs.readdirSync(dir).sort(), ['notes (1).pdf', 'notes (2).pdf', 'notes.pdf']);
});

test('refusals get a clear line: no such file, not a member, unknown receiver, a missing local file', async () => {
  const dana = chat(server.port, 'EDana');
  await dana.waitFor(/welcome, EDana/);
  const other = await TestClient.as(server.port, 'EOwner');
  cleanup.push(() => other.close());
  await other.ok({ status: 'create', receiver: 'Closed1' });
  const { file } = makeFile('a.txt', 10);
  dana.type(
    '/get 99999 ' + path.join(work, 'nowhere'),
    `/send Closed1 ${file}`,
    `/send ENobody ${file}`,
    `/send EOwner ${path.join(work, 'missing.bin')}`,
    '/get x',
    '/send EOwner',
  );
  await dana.waitFor(/^! download 99999 failed: .*no file 99999/);
  await dana.waitFor(/^! upload a\.txt failed: you are not a member of Closed1/);
  await dana.waitFor(/^! upload a\.txt failed: there is no user or room named ENobody/);
  await dana.waitFor(/^! upload missing\.bin failed: no such file: /);
  await dana.waitFor(/^! usage: \/get <id> \[dir\]/);
  await dana.waitFor(/^! usage: \/send <user\|room> <path>/);
  assert.equal(fs.existsSync(path.join(work, 'nowhere')), false, 'nothing is created for a file that cannot be had');
});

test('a file to a room reaches every member; an empty file is sent at once', async () => {
  const owner = chat(server.port, 'GOwner');
  await owner.waitFor(/welcome, GOwner/);
  owner.type('/join Lab5');
  await owner.waitFor(/created Lab5/);
  const member = chat(server.port, 'GMember');
  await member.waitFor(/welcome, GMember/);
  member.type('/join Lab5');
  await member.waitFor(/joined Lab5/);
  const { file } = makeFile('empty.txt', 0);
  owner.type(`/send Lab5 ${file}`);
  await owner.waitFor(/^sent empty\.txt \(0 B\) to Lab5 \[id \d+\]$/);
  const line = await member.waitFor(/\[Lab5\] <GOwner> sent empty\.txt \(0 B\) \[id \d+\]/);
  const id = Number(/\[id (\d+)\]/.exec(line)![1]);
  const dir = path.join(work, 'room');
  member.type(`/get ${id} ${dir}`);
  await member.waitFor(/^saved .*empty\.txt \(0 B, SHA-256 verified\)$/);
  assert.equal(fs.readFileSync(path.join(dir, 'empty.txt')).length, 0);
});

test('chat keeps flowing while an upload is stalled, and a cut connection resumes the upload where it stopped', async () => {
  const proxy = await LossyProxy.start(server.port);
  cleanup.push(() => proxy.close());
  const bob = await TestClient.as(server.port, 'RBob');
  cleanup.push(() => bob.close());
  const alice = ChatProcess.start(proxy.port, ['--user', 'RAlice'], {}, work);
  cleanup.push(() => alice.kill());
  await alice.waitFor(/welcome, RAlice/);
  const { file, bytes } = makeFile('big.bin', 3_000_000);

  // The network stalls after about a third of the file has gone out.
  proxy.holdUpstreamAfter = proxy.upstreamBytes + 1_300_000;
  const held = proxy.held();
  alice.type(`/send RBob ${file}`);
  await held;
  // Meanwhile messages are shown and commands run.
  await bob.ok({ status: 'private', receiver: 'RAlice', text: 'are you there?' });
  await alice.waitFor(/\[@RBob\] <RBob> are you there\?/);
  alice.type('/help');
  await alice.waitFor(/\/send <user\|room> <path> +send a file/);
  await alice.waitFor(/\/get <id> \[dir\] +download a file/);
  await alice.waitFor(/\/files \[room\|user\] +files sent to you/);

  const mark = alice.lines.length;
  proxy.cutAll();
  proxy.holdUpstreamAfter = Infinity;
  await alice.waitFor(/^upload big\.bin paused at .*; it resumes when the connection is back$/, mark, 10_000);
  await alice.waitFor(/reconnected as RAlice/, mark, 20_000);
  const resumed = await alice.waitFor(/^upload big\.bin resumes at (\d|\.)+ (kB|MB) of 3\.0 MB$/, mark, 10_000);
  assert.doesNotMatch(resumed, /resumes at 0 B/);
  const sent = await alice.waitFor(/^sent big\.bin \(3\.0 MB\) to RBob \[id \d+\]$/, mark, 20_000);
  const id = Number(/\[id (\d+)\]/.exec(sent)![1]);

  // One file, with exactly the original bytes, and one message announcing it.
  const announced = await bob.event('private', { file: id });
  assert.equal(announced.sender, 'RAlice');
  assert.ok((await downloadFile(bob, id)).equals(bytes));
  const listed = await bob.ok({ status: 'files', receiver: 'RAlice' });
  assert.deepEqual(
    listed.files.map((f: { file: number }) => f.file),
    [id],
  );
  alice.type('/exit');
  assert.equal(await alice.exit(), 0);
});

const skipTmux = TMUX_SKIP;

test(
  'in a terminal the progress is one status line just above the prompt, and typing is not broken',
  { skip: skipTmux },
  async () => {
    const proxy = await LossyProxy.start(server.port);
    cleanup.push(() => proxy.close());
    const bob = await TestClient.as(server.port, 'TBob');
    cleanup.push(() => bob.close());
    const term = TmuxSession.start([process.execPath, CLI, 'chat', '--port', String(proxy.port), '--user', 'TAlice'], {
      NO_COLOR: '1',
    });
    cleanup.push(() => term.kill());
    await term.waitFor((l) => l.at(-1) === '[everyone]>', 'the prompt');
    const { file } = makeFile('slides.pdf', 2_000_000);
    proxy.holdUpstreamAfter = proxy.upstreamBytes + 900_000;
    const held = proxy.held();
    term.type(`/send TBob ${file}`);
    term.press('Enter');
    await held;
    let screen = await term.waitFor(
      (l) => /^upload slides\.pdf +\d+% \[/.test(l.at(-2) ?? ''),
      'the status line above the prompt',
    );
    assert.equal(screen.at(-1), '[everyone]>');
    term.type('half typed');
    await term.waitFor((l) => l.at(-1) === '[everyone]> half typed', 'the typed text');

    // A message arrives: printed above the status line; status line and prompt redrawn below it. (To the
    // current conversation: one elsewhere would put its unread count on the status line, issue #12.6.)
    await bob.ok({ status: 'broadcast', text: 'knock knock' });
    screen = await term.waitFor((l) => l.some((x) => x.endsWith('[everyone] <TBob> knock knock')), 'the message');
    assert.match(screen.at(-3)!, /\[everyone\] <TBob> knock knock$/);
    assert.match(screen.at(-2)!, /^upload slides\.pdf +\d+% \[/);
    assert.equal(screen.at(-1), '[everyone]> half typed');
    assert.equal(
      screen.filter((x) => x.startsWith('upload slides.pdf')).length,
      1,
      'one status line, redrawn in place',
    );

    // The network recovers (a cut and a reconnect); at the end the status line goes away.
    proxy.cutAll();
    proxy.holdUpstreamAfter = Infinity;
    screen = await term.waitFor(
      (l) => l.some((x) => /^sent slides\.pdf \(2\.0 MB\) to TBob/.test(x)),
      'the upload to finish',
      20_000,
    );
    screen = await term.waitFor(
      (l) => l.at(-1) === '[everyone]> half typed' && !/^upload slides/.test(l.at(-2) ?? ''),
      'the status line gone',
    );
    term.press('C-u');
    term.type('/exit');
    term.press('Enter');
  },
);
