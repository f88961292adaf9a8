// Issue #11.7: an unfinished upload holds a file open only while a live connection uses it; one user
// and one address may have only so many uploads in progress; the quota charges the announced size.
// The server runs in this process, so /proc/self/fd counts its open files (and the test's sockets).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestClient } from '../../helpers/client.js';
import { expectError } from '../../helpers/expect.js';
import { downloadFile, randomFile, sendChunks, sha256, startUpload } from '../../helpers/files.js';
import { startServer } from '../../helpers/server.js';

/** Descriptors the process may hold beyond the baseline (lazily opened database files, timers). */
const SLACK = 8;

function openDescriptors(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

/** Polls `check` until it holds or `ms` pass (the server closes files asynchronously). */
async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await sleep(20);
  }
}

test('#11.7 60 users who start uploads and drop their connections leave no file open, and new users can still register', async () => {
  // The per-address cap would stop this at 16 uploads (everyone here is 127.0.0.1); this test is about
  // what a connection's uploads hold after it closes.
  const server = await startServer({ limits: { maxUploadsPerAddress: 10_000 } });
  await TestClient.as(server.port, 'FdBob');
  const baseline = openDescriptors();
  const users = await Promise.all(Array.from({ length: 60 }, (_, i) => TestClient.as(server.port, `FdUser${i}`)));
  await Promise.all(
    users.map(async (user) => {
      for (let n = 0; n < 4; n++) {
        const { bytes } = randomFile(60_000);
        const started = await startUpload(user, 'FdBob', `part${n}.bin`, bytes);
        assert.equal((await sendChunks(user, started, bytes, 30_000)).status, 'ok');
      }
    }),
  );
  const during = openDescriptors();
  // 60 connections are 120 sockets here (both ends), and 240 uploads in progress hold their files open.
  assert.ok(during >= baseline + 120 + 240, `${during} descriptors, baseline ${baseline}`);
  await Promise.all(users.map((user) => user.close()));
  await eventually(
    () => openDescriptors() <= baseline + SLACK,
    5_000,
    `descriptors back to the baseline ${baseline} (now ${openDescriptors()})`,
  );
  // A newcomer registers and sends a file as usual.
  const newcomer = await TestClient.as(server.port, 'FdNewcomer');
  const { bytes } = randomFile(50_000);
  const done = await sendChunks(newcomer, await startUpload(newcomer, 'FdBob', 'hello.bin', bytes), bytes);
  assert.equal(done.done, true);
  await server.stop();
});

test('#11.7 an upload left idle closes its file and resumes on the next chunk', async () => {
  // Long enough that the check just after the last chunk's reply sees the file still open on a busy machine.
  const server = await startServer({ limits: { uploadIdleMs: 1_000 } });
  const alice = await TestClient.as(server.port, 'IdleAlice');
  const bob = await TestClient.as(server.port, 'IdleBob');
  const baseline = openDescriptors();
  const { bytes } = randomFile(200_000);
  const started = await startUpload(alice, 'IdleBob', 'slow.bin', bytes);
  const half = await sendChunks(alice, started, bytes, 100_000);
  assert.equal(openDescriptors(), baseline + 1, 'the upload in progress holds its file open');
  // The connection stays open; only the upload is idle.
  await eventually(() => openDescriptors() === baseline, 5_000, 'the idle upload closes its file');
  const done = await sendChunks(alice, { ...started, offset: half.offset }, bytes);
  assert.equal(done.done, true, JSON.stringify(done));
  assert.ok((await downloadFile(bob, done.file)).equals(bytes), 'the bytes after the pause follow the bytes before it');
  await server.stop();
});

test("#11.7 a user's fifth upload in progress is refused, and a reconnect does not reset the count", async () => {
  const server = await startServer();
  let alice = await TestClient.as(server.port, 'CapAlice');
  await TestClient.as(server.port, 'CapBob');
  const first: number[] = [];
  for (let n = 0; n < 4; n++)
    first.push((await startUpload(alice, 'CapBob', `a${n}.bin`, randomFile(10_000).bytes)).file);
  const refused = await expectError(
    alice,
    { status: 'upload', receiver: 'CapBob', name: 'a4.bin', size: 10_000, sha256: sha256(Buffer.alloc(10_000)) },
    'too_many_uploads',
  );
  assert.match(refused.text, /at most 4/);
  // Reconnected, the four are still unfinished: each new upload takes the place of the oldest idle
  // one (discarded, so an abandoned upload never locks its sender out), never a fifth place.
  await alice.close();
  alice = await TestClient.back(server.port, alice);
  for (let n = 0; n < 4; n++) await startUpload(alice, 'CapBob', `b${n}.bin`, randomFile(10_000).bytes);
  await expectError(
    alice,
    { status: 'upload', receiver: 'CapBob', name: 'b4.bin', size: 10_000, sha256: sha256(Buffer.alloc(10_000)) },
    'too_many_uploads',
  );
  const gone = await expectError(alice, { status: 'chunk', file: first[0], offset: 0, data: 'AAAA' }, 'no_such_file');
  assert.match(gone.text, /discarded/);
  await server.stop();
});

test('#11.7 one address has at most max-uploads-per-address uploads in progress; a closed connection frees its share', async () => {
  const server = await startServer({ limits: { maxUploadsPerAddress: 3 } });
  const ann = await TestClient.as(server.port, 'AddrAnn');
  const ben = await TestClient.as(server.port, 'AddrBen');
  await startUpload(ann, 'AddrBen', 'a.bin', randomFile(10_000).bytes);
  await startUpload(ann, 'AddrBen', 'b.bin', randomFile(10_000).bytes);
  await startUpload(ben, 'AddrAnn', 'c.bin', randomFile(10_000).bytes);
  const { bytes } = randomFile(10_000);
  const refused = await expectError(
    ben,
    { status: 'upload', receiver: 'AddrAnn', name: 'd.bin', size: bytes.length, sha256: sha256(bytes) },
    'too_many_uploads',
  );
  assert.match(refused.text, /your address/);
  await ann.close();
  let reply = await ben.request({
    status: 'upload',
    receiver: 'AddrAnn',
    name: 'd.bin',
    size: bytes.length,
    sha256: sha256(bytes),
  });
  for (const deadline = Date.now() + 5_000; reply.code === 'too_many_uploads' && Date.now() < deadline;) {
    await sleep(20);
    reply = await ben.request({
      status: 'upload',
      receiver: 'AddrAnn',
      name: 'd.bin',
      size: bytes.length,
      sha256: sha256(bytes),
    });
  }
  assert.equal(reply.status, 'ok', JSON.stringify(reply));
  await server.stop();
});

test('#11.7 the quota charges an unfinished upload the size it announced, not the bytes sent so far', async () => {
  const server = await startServer({ limits: { fileQuotaBytes: 100_000 } });
  const alice = await TestClient.as(server.port, 'QuotaAlice');
  await TestClient.as(server.port, 'QuotaBob');
  const big = randomFile(90_000).bytes;
  await sendChunks(alice, await startUpload(alice, 'QuotaBob', 'big.bin', big), big, 1_000); // 1 kB of 90 kB sent
  const refused = await expectError(
    alice,
    { status: 'upload', receiver: 'QuotaBob', name: 'more.bin', size: 20_000, sha256: sha256(Buffer.alloc(20_000)) },
    'quota_exceeded',
  );
  assert.match(refused.text, /90\.0 kB of your 100 kB/);
  await server.stop();
});
