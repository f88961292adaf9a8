// File transfer (issue #5): to a user and to a room, an offline recipient fetching later, a corrupted
// upload refused, resuming after a dropped connection and after a server restart, non-members refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient, type Obj } from '../../helpers/client.js';
import { expectError } from '../../helpers/expect.js';
import { downloadFile, randomFile, sendChunks, sha256, startUpload, uploadFile } from '../../helpers/files.js';
import { startServer, tempDataDir, type TestServer } from '../../helpers/server.js';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

test('files: a file sent to a user is announced to them, listed, and downloads byte for byte', async () => {
  const alice = await TestClient.as(server.port, 'AliceU');
  const bob = await TestClient.as(server.port, 'BobU');
  const carol = await TestClient.as(server.port, 'CarolU');
  const { bytes, sha256: hash } = randomFile(300_000);
  const done = await uploadFile(alice, 'BobU', 'notes.pdf', bytes);
  assert.equal(done.done, true);
  assert.equal(done.offset, bytes.length);
  const announced = await bob.event('private', { file: done.file });
  assert.equal(announced.sender, 'AliceU');
  assert.equal(announced.text, `AliceU sent notes.pdf (300 kB) [id ${done.file}] - /get ${done.file}`);
  assert.equal(announced.msgid, done.msgid);
  const listed = await bob.ok({ status: 'files', receiver: 'AliceU' });
  assert.deepEqual(
    listed.files.map((f: Obj) => [f.file, f.name, f.size, f.sha256, f.sender, f.receiver]),
    [[done.file, 'notes.pdf', bytes.length, hash, 'AliceU', 'BobU']],
  );
  const got = await downloadFile(bob, done.file);
  assert.equal(sha256(got), hash);
  assert.ok(got.equals(bytes));
  assert.ok((await downloadFile(alice, done.file)).equals(bytes), 'the sender may fetch it too');
  await expectError(carol, { status: 'fetch', file: done.file, offset: 0 }, 'no_such_file');
  await expectError(carol, { status: 'files', file: done.file }, 'no_such_file');
  assert.deepEqual((await carol.ok({ status: 'files' })).files, [], 'nobody else sees it listed');
  for (const c of [alice, bob, carol]) await c.close();
});

test('files: a file sent to a room reaches every member; a non-member can neither send to nor fetch from it', async () => {
  const alice = await TestClient.as(server.port, 'AliceR');
  const bob = await TestClient.as(server.port, 'BobR');
  const dave = await TestClient.as(server.port, 'DaveR');
  await alice.ok({ status: 'create', receiver: 'FilesRoom', members: ['BobR'] });
  const { bytes } = randomFile(100_000);
  const done = await uploadFile(alice, 'FilesRoom', 'slides.pdf', bytes);
  const announced = await bob.event('group', { file: done.file });
  assert.equal(announced.receiver, 'FilesRoom');
  assert.ok((await downloadFile(bob, done.file)).equals(bytes));
  const history = await bob.ok({ status: 'history', receiver: 'FilesRoom' });
  assert.equal(history.messages.at(-1).file, done.file, 'history keeps the announcement with its file id');
  await expectError(
    dave,
    { status: 'upload', receiver: 'FilesRoom', name: 'x.txt', size: 3, sha256: sha256(Buffer.from('abc')) },
    'not_a_member',
  );
  await expectError(dave, { status: 'fetch', file: done.file, offset: 0 }, 'not_a_member');
  await expectError(dave, { status: 'files', receiver: 'FilesRoom' }, 'not_a_member');
  // Once Dave joins, the room's files are his to fetch.
  await dave.ok({ status: 'join', receiver: 'FilesRoom' });
  assert.ok((await downloadFile(dave, done.file)).equals(bytes));
  for (const c of [alice, bob, dave]) await c.close();
});

test('files: a recipient who was offline is told at login and fetches the file later', async () => {
  const away = await TestClient.as(server.port, 'AwayF');
  await away.ok({ status: 'exit' });
  const alice = await TestClient.as(server.port, 'AliceO');
  const { bytes } = randomFile(70_000);
  const done = await uploadFile(alice, 'AwayF', 'homework.zip', bytes);
  assert.equal(done.queued, true);
  await alice.close();
  const back = await TestClient.back(server.port, away);
  const login = back.welcome!;
  assert.equal(login.waiting, 1);
  const waited = await back.event('private', { file: done.file });
  assert.match(waited.text, /AliceO sent homework\.zip \(70\.0 kB\)/);
  assert.ok((await downloadFile(back, done.file)).equals(bytes));
  await back.close();
});

test('files: bytes that do not match the SHA-256 are refused as corrupt, discarded, and never fetchable', async () => {
  const alice = await TestClient.as(server.port, 'AliceC');
  const bob = await TestClient.as(server.port, 'BobC');
  const { bytes } = randomFile(120_000);
  const started = await startUpload(alice, 'BobC', 'broken.bin', bytes);
  const corrupted = Buffer.from(bytes);
  corrupted[60_000] = corrupted[60_000]! ^ 0xff; // one bit flipped in the second chunk
  const last = await sendChunks(alice, started, corrupted);
  assert.equal(last.status, 'error');
  assert.equal(last.code, 'corrupt');
  assert.equal(last.file, started.file);
  await expectError(bob, { status: 'fetch', file: started.file, offset: 0 }, 'no_such_file');
  await expectError(alice, { status: 'chunk', file: started.file, offset: 0, data: 'AAAA' }, 'no_such_file');
  assert.deepEqual((await bob.ok({ status: 'files', receiver: 'AliceC' })).files, []);
  assert.equal(bob.pending().filter((m) => m.file !== undefined).length, 0, 'Bob was never told of it');
  // Sent again correctly, it goes through as a new file.
  const done = await uploadFile(alice, 'BobC', 'broken.bin', bytes);
  assert.equal(done.done, true);
  assert.notEqual(done.file, started.file);
  assert.ok((await downloadFile(bob, done.file)).equals(bytes));
  for (const c of [alice, bob]) await c.close();
});

test('files: an upload cut by a dropped connection resumes from the last acknowledged chunk', async () => {
  const bob = await TestClient.as(server.port, 'BobD');
  let alice = await TestClient.as(server.port, 'AliceD');
  const { bytes } = randomFile(500_000);
  const started = await startUpload(alice, 'BobD', 'video.mp4', bytes);
  const half = await sendChunks(alice, started, bytes, 200_000);
  assert.ok(half.offset >= 200_000 && half.offset < bytes.length);
  await alice.close(); // the connection drops mid-upload
  alice = await TestClient.back(server.port, alice);
  const resumed = await startUpload(alice, 'BobD', 'video.mp4', bytes);
  assert.equal(resumed.file, started.file, 'the same upload');
  assert.equal(resumed.offset, half.offset, 'from the last acknowledged chunk');
  // A chunk from the wrong place is refused with where to continue.
  const wrong = await alice.request({
    status: 'chunk',
    file: started.file,
    offset: 0,
    data: bytes.subarray(0, 10).toString('base64'),
  });
  assert.equal(wrong.code, 'bad_offset');
  assert.equal(wrong.offset, half.offset);
  const done = await sendChunks(alice, resumed, bytes);
  assert.equal(done.done, true);
  assert.ok((await downloadFile(bob, started.file)).equals(bytes));
  // A download resumes the same way: fetch from the bytes already here.
  const tail = await downloadFile(bob, started.file, 123_456);
  assert.ok(tail.equals(bytes.subarray(123_456)));
  for (const c of [alice, bob]) await c.close();
});

test('files: an upload announced again with the same id after it finished gets the same file and message, not a second copy', async () => {
  const bob = await TestClient.as(server.port, 'BobRepeat');
  let alice = await TestClient.as(server.port, 'AliceRepeat');
  const { bytes, sha256: hash } = randomFile(120_000);
  const announce = {
    status: 'upload',
    receiver: 'BobRepeat',
    name: 'twice.bin',
    size: bytes.length,
    sha256: hash,
    id: 'up-same',
  };
  const started = await alice.ok(announce);
  const done = await sendChunks(alice, started, bytes);
  assert.equal(done.done, true);
  // The connection drops; the client never saw `done` and announces the upload again, same id.
  await alice.close();
  alice = await TestClient.back(server.port, alice);
  const again = await alice.ok(announce);
  assert.equal(again.done, true, 'answered as finished, nothing to send');
  for (const field of ['file', 'msgid', 'seq', 'ts', 'receiver', 'offset'])
    assert.deepEqual(again[field], done[field], field);
  // Another id is another upload of the same bytes (sending a file twice on purpose).
  const other = await alice.ok({ ...announce, id: 'up-other' });
  assert.notEqual(other.file, done.file);
  assert.equal(other.offset, 0);
  // The same id to another receiver is not the same upload either.
  await alice.ok({ status: 'create', receiver: 'RepeatRoom' });
  const elsewhere = await alice.ok({ ...announce, receiver: 'RepeatRoom' });
  assert.notEqual(elsewhere.file, done.file);
  assert.equal(elsewhere.done, undefined);
  await bob.event('private', { file: done.file });
  const listed = await bob.ok({ status: 'files', receiver: 'AliceRepeat' });
  assert.deepEqual(
    listed.files.map((f: { file: number }) => f.file),
    [done.file],
    'one finished file',
  );
  const history = await bob.ok({ status: 'history', receiver: 'AliceRepeat' });
  assert.equal(history.messages.filter((m: { file?: number }) => m.file !== undefined).length, 1, 'announced once');
  for (const c of [alice, bob]) await c.close();
});

test('files: an upload resumes after the server restarts, re-reading what it had on disk', async () => {
  const dataDir = tempDataDir();
  let restartable = await startServer({ dataDir });
  let alice = await TestClient.as(restartable.port, 'AliceS');
  const bob = await TestClient.as(restartable.port, 'BobS');
  await bob.ok({ status: 'exit' });
  const { bytes } = randomFile(300_000);
  const started = await startUpload(alice, 'BobS', 'data.csv', bytes);
  const part = await sendChunks(alice, started, bytes, 150_000);
  await alice.close();
  await restartable.stop();
  restartable = await startServer({ dataDir });
  alice = await TestClient.back(restartable.port, alice);
  const resumed = await startUpload(alice, 'BobS', 'data.csv', bytes);
  assert.equal(resumed.file, started.file);
  assert.equal(resumed.offset, part.offset);
  const done = await sendChunks(alice, resumed, bytes);
  assert.equal(done.done, true, `finished, the SHA-256 matching across the restart: ${JSON.stringify(done)}`);
  const back = await TestClient.back(restartable.port, bob);
  assert.ok((await downloadFile(back, started.file)).equals(bytes));
  for (const c of [alice, back]) await c.close();
  await restartable.stop();
});

test('files: an empty file is complete at once', async () => {
  const alice = await TestClient.as(server.port, 'AliceE');
  const bob = await TestClient.as(server.port, 'BobE');
  const done = await startUpload(alice, 'BobE', 'empty.txt', Buffer.alloc(0));
  assert.equal(done.done, true);
  await bob.event('private', { file: done.file });
  assert.equal((await downloadFile(bob, done.file)).length, 0);
  for (const c of [alice, bob]) await c.close();
});
