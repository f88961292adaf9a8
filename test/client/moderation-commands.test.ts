// Issue #12.5: the instructor's commands in the terminal client, driven as a script against a real server
// with an admin account (`classchat admin add-user --admin`): /kick (off the server, or from a room),
// /mute with a duration and /unmute, /delete, and /users (every known user, not only who is online).
// Results and refusals are sentences; an instructor never types or reads raw JSON.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { ChatProcess } from '../helpers/chat-process.js';
import { TestClient } from '../helpers/client.js';
import { expectClosed } from '../helpers/expect.js';
import { runAdmin, startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
const cleanup: (() => unknown)[] = [];
before(async () => {
  server = await startServer();
  const made = await runAdmin(server.dataDir, ['add-user', 'Prof', '--admin'], 'professor password\n');
  assert.equal(made.code, 0, made.stderr);
});
after(() => server.stop());
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function chat(args: string[], env: NodeJS.ProcessEnv = {}): ChatProcess {
  const p = ChatProcess.start(server.port, args, env);
  cleanup.push(() => p.kill());
  return p;
}

/** The instructor's client, logged in with the admin password. */
async function instructor(): Promise<ChatProcess> {
  const prof = chat(['--user', 'Prof'], { CLASSCHAT_PASSWORD: 'professor password' });
  await prof.waitFor(/welcome, Prof/);
  return prof;
}

async function student(name: string): Promise<TestClient> {
  const client = await TestClient.as(server.port, name);
  cleanup.push(() => client.close());
  return client;
}

test('#12.5 an admin kicks, mutes for a duration, unmutes and deletes a room from the client, and reads each result as a sentence', async () => {
  const prof = await instructor();
  let bob = await student('Bobby');
  await student('Tomas'); // a second member: the room outlives Bobby's removal
  await bob.ok({ status: 'create', receiver: 'BobsRoom', members: ['Tomas'] });

  prof.type('/kick Bobby spamming the room');
  await prof.waitFor(/^kicked Bobby off the server \(spamming the room\); they may connect again$/);
  const notice = await bob.waitFor((m) => m.code === 'kicked', 3000, 'the kick notice');
  assert.match(notice.text, /Prof.*spamming the room/);
  await expectClosed(bob);
  bob = await TestClient.back(server.port, bob);
  cleanup.push(() => bob.close());

  prof.type('/mute Bobby 10m cool down');
  await prof.waitFor(
    /^muted Bobby for 10 minutes, until (\d{2}:\d{2}|\d{4}-\d\d-\d\d \d\d:\d\d); \/unmute Bobby lifts it$/,
  );
  assert.match((await bob.event('system', { event: 'muted' })).text, /Prof muted you for 600 s: cool down/);
  assert.equal((await bob.request({ status: 'broadcast', text: 'can I talk?' })).code, 'muted');
  prof.type('/mute Bobby 1h30m');
  await prof.waitFor(/^muted Bobby for 90 minutes/);
  prof.type('/unmute Bobby');
  await prof.waitFor(/^Bobby is no longer muted$/);
  await bob.ok({ status: 'broadcast', text: 'thank you' });

  prof.type('/kick Bobby #BobsRoom off topic');
  await prof.waitFor(/^removed Bobby from BobsRoom \(off topic\)$/);
  await bob.ok({ status: 'join', receiver: 'BobsRoom' });
  prof.type('/delete BobsRoom');
  await prof.waitFor(/^deleted BobsRoom and its history; its members were told$/);
  assert.match((await bob.event('system', { event: 'deleted' })).text, /Prof deleted BobsRoom/);

  // Mistakes get a usage line or the server's reason, in words.
  prof.type('/mute Bobby forever', '/mute Bobby 31d', '/kick', '/delete BobsRoom', '/kick Nobody');
  await prof.waitFor(/Nobody is not online/);
  const lines = prof.lines.join('\n');
  assert.equal(
    lines.match(/usage: \/mute <user> <time> \[reason\] {2}\(time: 90s, 10m, 2h or 1d; at most 30d\)/g)?.length,
    2,
  );
  assert.match(lines, /usage: \/kick <user> \[#room\] \[reason\]/);
  assert.match(lines, /there is no room named BobsRoom/);
  assert.doesNotMatch(lines, /[{}]/, 'no raw JSON anywhere');
  prof.type('/exit');
  assert.equal(await prof.exit(), 0);
});

test("#12.5 a room's owner kicks from their room and deletes it; the members' clients leave it; what only admins may do is refused with a hint", async () => {
  const owner = chat(['--user', 'Olga']);
  await owner.waitFor(/welcome, Olga/);
  const member = chat(['--user', 'Dmitri']);
  await member.waitFor(/welcome, Dmitri/);
  const kicked = await student('Kit');
  owner.type('/create Lab Dmitri,Kit');
  await owner.waitFor(/talking in Lab/);
  member.type('/switch Lab');
  await member.waitFor(/talking to Lab/);

  owner.type('/kick Kit');
  await owner.waitFor(
    /only an admin may kick a user off the server; to remove Kit from a room you own: \/kick Kit #room/,
  );
  owner.type('/kick Kit Lab talking over others'); // Lab is one of Olga's rooms: no # needed
  await owner.waitFor(/^removed Kit from Lab \(talking over others\)$/);
  await kicked.event('system', { event: 'kicked', receiver: 'Lab' });
  owner.type('/mute Dmitri 5m');
  await owner.waitFor(/only an admin may mute a user/);

  owner.type('/delete Lab');
  await owner.waitFor(/^deleted Lab and its history; its members were told$/);
  await member.waitFor(/Olga deleted Lab/);
  // The member's client left the deleted room: plain text goes to everyone again, not to a room that is gone.
  const watcher = await student('Watcher');
  member.type('back in the hall');
  assert.equal((await watcher.event('broadcast', { sender: 'Dmitri' })).text, 'back in the hall');
  for (const p of [owner, member]) p.type('/exit');
  assert.equal(await owner.exit(), 0);
  assert.equal(await member.exit(), 0);
});

test('#12.5 /users lists every known user, who is online and who is an admin, a page at a time', async () => {
  // A server of its own, so that the names on each page are this test's alone.
  const own = await startServer();
  cleanup.push(() => own.stop());
  assert.equal((await runAdmin(own.dataDir, ['add-user', 'Prof', '--admin'], 'professor password\n')).code, 0);
  for (let i = 0; i < 104; i++) {
    const gone = await TestClient.as(own.port, `u${String(i).padStart(3, '0')}`);
    await gone.close();
  }
  const online = await TestClient.as(own.port, 'Zelda');
  cleanup.push(() => online.close());
  const prof = ChatProcess.start(own.port, ['--user', 'Prof'], { CLASSCHAT_PASSWORD: 'professor password' });
  cleanup.push(() => prof.kill());
  await prof.waitFor(/welcome, Prof/);
  prof.type('/users');
  const first = await prof.waitFor(/^users: /);
  assert.match(first, /^users: Prof \(admin, online\), u000, u001, /);
  assert.match(first, /, u098 … \(more: \/users more\)$/);
  prof.type('/users more');
  const second = await prof.waitFor(/^users: u099/);
  assert.match(second, /^users: u099, u100, u101, u102, u103, Zelda \(online\)$/);
  prof.type('/users more');
  await prof.waitFor(/^that was the last page$/);
  prof.type('/exit');
  assert.equal(await prof.exit(), 0);
});
