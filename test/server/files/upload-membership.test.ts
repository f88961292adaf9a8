// Issue #11.16: an upload to a room ends with its sender's membership. Leaving the room (or being
// removed from it, or its deletion) refuses the upload's remaining chunks and discards the partial
// file, bytes and row: it is never completed, listed, announced or charged to the quota.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { assertNotReceived, expectError } from '../../helpers/expect.js';
import { randomFile, sendChunks, startUpload, uploadFile } from '../../helpers/files.js';
import { startServer } from '../../helpers/server.js';

function partials(dataDir: string): string[] {
  const dir = path.join(dataDir, 'files', 'partial');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

test('#11.16 leaving a room mid-upload refuses the remaining chunks; the file is discarded, not listed and not charged', async () => {
  const server = await startServer({ limits: { fileQuotaBytes: 150_000 } });
  const alice = await TestClient.as(server.port, 'LvAlice');
  const bob = await TestClient.as(server.port, 'LvBob');
  await alice.ok({ status: 'create', receiver: 'LvRoom', members: ['LvBob'] });
  const { bytes } = randomFile(100_000);
  const started = await startUpload(alice, 'LvRoom', 'notes.pdf', bytes);
  const half = await sendChunks(alice, started, bytes, 50_000);
  await alice.ok({ status: 'leave', receiver: 'LvRoom' });
  const refused = await sendChunks(alice, { ...started, offset: half.offset }, bytes);
  assert.equal(refused.code, 'not_a_member', JSON.stringify(refused));
  // Nothing of it is left: no partial file, no listing, no announcement, no quota.
  assert.deepEqual(partials(server.dataDir), []);
  assert.deepEqual((await bob.ok({ status: 'files', receiver: 'LvRoom' })).files, []);
  await assertNotReceived(bob, (m) => m.file === started.file, 'an announcement of the discarded file');
  const other = randomFile(100_000).bytes;
  assert.equal(
    (await uploadFile(alice, 'LvBob', 'other.bin', other)).done,
    true,
    'the 100 kB it announced are free again',
  );
  assert.match(refused.text, /no longer a member of LvRoom; upload \d+ \(notes\.pdf\) was discarded/);
  await server.stop();
});

test('#11.16 being removed from the room or its deletion ends the uploads to it the same way', async () => {
  const server = await startServer();
  const owner = await TestClient.as(server.port, 'RmOwner');
  const bob = await TestClient.as(server.port, 'RmBob');
  const carol = await TestClient.as(server.port, 'RmCarol');
  await owner.ok({ status: 'create', receiver: 'RmRoom', members: ['RmBob', 'RmCarol'] });
  const bobs = randomFile(100_000).bytes;
  const carols = randomFile(100_000).bytes;
  const bobStarted = await startUpload(bob, 'RmRoom', 'b.bin', bobs);
  const carolStarted = await startUpload(carol, 'RmRoom', 'c.bin', carols);
  await sendChunks(bob, bobStarted, bobs, 50_000);
  await sendChunks(carol, carolStarted, carols, 50_000);
  assert.equal(partials(server.dataDir).length, 2);

  await owner.ok({ status: 'kick', receiver: 'RmBob', room: 'RmRoom' });
  const kicked = await bob.request({
    status: 'chunk',
    file: bobStarted.file,
    offset: 50_000,
    data: bobs.subarray(50_000, 60_000).toString('base64'),
  });
  assert.equal(kicked.code, 'not_a_member', JSON.stringify(kicked));

  await owner.ok({ status: 'delete', receiver: 'RmRoom' });
  const deleted = await carol.request({
    status: 'chunk',
    file: carolStarted.file,
    offset: 50_000,
    data: carols.subarray(50_000, 60_000).toString('base64'),
  });
  assert.equal(deleted.code, 'no_such_room', JSON.stringify(deleted));
  assert.match(deleted.text, /RmRoom was deleted/);
  assert.deepEqual(partials(server.dataDir), []);
  await expectError(bob, { status: 'files', file: bobStarted.file }, 'no_such_file');
  await server.stop();
});
