// The file limits (issue #5): size per file, quota per user, retention (files are deleted after 30
// days, unfinished uploads after 24 hours), and file names that are never trusted.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_LIMITS } from '../../../src/server/limits.js';
import { TestClient } from '../../helpers/client.js';
import { expectError } from '../../helpers/expect.js';
import { downloadFile, randomFile, sendChunks, sha256, startUpload, uploadFile } from '../../helpers/files.js';
import { startServer } from '../../helpers/server.js';

const DAY_MS = 86_400_000;

test('file limits: the defaults are 100 MiB a file, 1 GiB a user, 30 days, 24 hours for unfinished uploads', () => {
  assert.equal(DEFAULT_LIMITS.maxFileBytes, 100 * 1024 * 1024);
  assert.equal(DEFAULT_LIMITS.fileQuotaBytes, 1024 * 1024 * 1024);
  assert.equal(DEFAULT_LIMITS.fileRetentionDays, 30);
  assert.equal(DEFAULT_LIMITS.uploadAbandonHours, 24);
});

test('file limits: a file over the size limit is refused before any byte is sent, and a chunk past the announced size too', async () => {
  const server = await startServer({ limits: { maxFileBytes: 10_000 } });
  const alice = await TestClient.as(server.port, 'AliceL');
  await TestClient.as(server.port, 'BobL');
  const big = await expectError(
    alice,
    { status: 'upload', receiver: 'BobL', name: 'big.iso', size: 10_001, sha256: sha256(Buffer.alloc(10_001)) },
    'too_large',
  );
  assert.match(big.text, /at most 10\.0 kB/);
  const { bytes } = randomFile(5_000);
  const started = await startUpload(alice, 'BobL', 'small.bin', bytes);
  await expectError(
    alice,
    { status: 'chunk', file: started.file, offset: 0, data: Buffer.alloc(6_000).toString('base64') },
    'too_large',
  );
  const done = await sendChunks(alice, started, bytes);
  assert.equal(done.done, true, 'the upload is still usable after the refused chunk');
  await server.stop();
});

test('file limits: past the quota an upload is refused with quota_exceeded; unfinished uploads count', async () => {
  const server = await startServer({ limits: { fileQuotaBytes: 100_000 } });
  const alice = await TestClient.as(server.port, 'AliceQ');
  await TestClient.as(server.port, 'BobQ');
  assert.equal((await uploadFile(alice, 'BobQ', 'one.bin', randomFile(60_000).bytes)).done, true);
  await startUpload(alice, 'BobQ', 'two.bin', randomFile(30_000).bytes); // unfinished, still counted
  const refused = await expectError(
    alice,
    { status: 'upload', receiver: 'BobQ', name: 'three.bin', size: 20_000, sha256: sha256(Buffer.alloc(20_000)) },
    'quota_exceeded',
  );
  assert.match(refused.text, /90\.0 kB of your 100 kB/);
  // Another user's quota is their own.
  const carol = await TestClient.as(server.port, 'CarolQ');
  assert.equal((await uploadFile(carol, 'BobQ', 'hers.bin', randomFile(50_000).bytes)).done, true);
  await server.stop();
});

test('file limits: uploads pipelined on one connection cannot together pass the quota', async () => {
  const server = await startServer({ limits: { fileQuotaBytes: 100_000 } });
  const alice = await TestClient.as(server.port, 'AliceQQ');
  await TestClient.as(server.port, 'BobQQ');
  // Sent together; the connection runs them in turn, so each sees the ones before it.
  const replies = await Promise.all(
    ['a', 'b', 'c'].map((n) =>
      alice.request({
        status: 'upload',
        receiver: 'BobQQ',
        name: `${n}.bin`,
        size: 60_000,
        sha256: sha256(Buffer.from(n)),
      }),
    ),
  );
  assert.deepEqual(
    replies.map((r) => r.code ?? r.status).sort(),
    ['ok', 'quota_exceeded', 'quota_exceeded'],
    JSON.stringify(replies),
  );
  await server.stop();
});

test('file limits: files are deleted after the retention period, bytes and all; unfinished uploads sooner', async () => {
  const server = await startServer();
  const alice = await TestClient.as(server.port, 'AliceT');
  const bob = await TestClient.as(server.port, 'BobT');
  const { bytes } = randomFile(50_000);
  const done = await uploadFile(alice, 'BobT', 'old.pdf', bytes);
  const stalled = randomFile(200_000).bytes;
  const partial = await sendChunks(alice, await startUpload(alice, 'BobT', 'stalled.bin', stalled), stalled, 50_000);
  const blobs = path.join(server.dataDir, 'files', 'sha256');
  const partials = path.join(server.dataDir, 'files', 'partial');
  assert.equal(countFiles(blobs), 1);
  assert.equal(countFiles(partials), 1);
  // A day later: only the unfinished upload is gone.
  assert.equal(await server.server.files.expire(Date.now() + 25 * 3_600_000), 1);
  assert.equal(countFiles(partials), 0);
  await expectError(
    alice,
    { status: 'chunk', file: partial.file, offset: partial.offset, data: 'AAAA' },
    'no_such_file',
  );
  assert.ok((await downloadFile(bob, done.file)).equals(bytes), 'the finished file is still there');
  // After the retention period the finished file goes too.
  assert.equal(await server.server.files.expire(Date.now() + 31 * DAY_MS), 1);
  assert.equal(countFiles(blobs), 0, 'its bytes are deleted from disk');
  await expectError(bob, { status: 'fetch', file: done.file, offset: 0 }, 'no_such_file');
  assert.deepEqual((await bob.ok({ status: 'files' })).files, []);
  await server.stop();
});

test('file limits: the same bytes sent twice are stored once on disk, and both files fetch them', async () => {
  const server = await startServer();
  const alice = await TestClient.as(server.port, 'AliceDup');
  const bob = await TestClient.as(server.port, 'BobDup');
  const { bytes } = randomFile(40_000);
  const first = await uploadFile(alice, 'BobDup', 'a.bin', bytes);
  const second = await uploadFile(bob, 'AliceDup', 'b.bin', bytes);
  assert.equal(countFiles(path.join(server.dataDir, 'files', 'sha256')), 1);
  assert.ok((await downloadFile(alice, second.file)).equals(bytes));
  assert.ok((await downloadFile(bob, first.file)).equals(bytes));
  await server.stop();
});

test('file names: path parts, control and bidi characters and device names are removed before anyone sees the name', async () => {
  const server = await startServer();
  const alice = await TestClient.as(server.port, 'AliceN');
  const bob = await TestClient.as(server.port, 'BobN');
  const cases: [string, string][] = [
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\Windows\\system.ini', 'system.ini'],
    ['report\u0000\u001b[31m.txt', 'report[31m.txt'],
    ['invoice\u202egpj.exe', 'invoicegpj.exe'],
    ['CON.txt', '_CON.txt'],
    ['..', 'file'],
    ['.bashrc', 'bashrc'],
    ['what?<>|.txt', 'what____.txt'],
  ];
  for (const [given, shown] of cases) {
    const done = await uploadFile(alice, 'BobN', given, Buffer.from(given));
    assert.equal(done.done, true);
    const [listed] = (await bob.ok({ status: 'files', file: done.file })).files;
    assert.equal(listed.name, shown, `${JSON.stringify(given)} is shown as ${JSON.stringify(shown)}`);
    const announced = await bob.event('private', { file: done.file });
    assert.ok(announced.text.includes(` ${shown} (`), announced.text);
  }
  // Nothing was written outside the data directory's file store.
  const written = listAll(path.join(server.dataDir, 'files'));
  assert.ok(
    written.every((f) => /\/files\/sha256\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(f)),
    written.join('\n'),
  );
  await server.stop();
});

function countFiles(dir: string): number {
  return listAll(dir).length;
}

function listAll(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  // parentPath came in Node 20.12; earlier 20.x (engines allows them) name the folder `path`.
  const folder = (e: fs.Dirent) => (e as { parentPath?: string }).parentPath ?? e.path;
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(folder(e), e.name));
}
