// The uploader (issue #5) against a fake server on a real loopback socket: a `bad_offset` makes it
// continue from the offset the server names, `corrupt` ends it with the server's words, and a
// connection lost before the last reply is announced again with the same id.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { TransferError } from '../../../src/client/files/context.js';
import { upload } from '../../../src/client/files/upload.js';
import { Link } from '../../../src/client/link.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/**
 * A server that keeps what it receives; at `loseOnce` it drops its last 1000 bytes and says bad_offset.
 * With `dropBeforeDone` it finishes the file but closes the connection instead of replying, and then
 * answers an `upload` with the id of the finished one as the real server does: done.
 */
async function fakeServer(options: { loseOnce?: number; corrupt?: boolean; dropBeforeDone?: boolean }) {
  let received = Buffer.alloc(0);
  let sha = '';
  const offsets: number[] = [];
  const uploadIds: unknown[] = [];
  let finishedId: unknown;
  let lost = false;
  const server = net.createServer((socket) => {
    let buffer = '';
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) !== -1) {
        const r = JSON.parse(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        const reply = (body: object) => socket.write(JSON.stringify({ ref: r.id, ...body }) + '\n');
        if (r.status === 'upload') {
          uploadIds.push(r.id);
          if (finishedId !== undefined && r.id === finishedId) {
            reply({
              status: 'ok',
              file: 3,
              offset: received.length,
              done: true,
              msgid: 9,
              seq: 1,
              ts: new Date().toISOString(),
              receiver: 'Bob',
            });
            continue;
          }
          sha = r.sha256;
          reply({ status: 'ok', file: 3, offset: received.length, chunk_bytes: 1000 });
          continue;
        }
        offsets.push(r.offset);
        if (r.offset === options.loseOnce && !lost) {
          // The server lost the last chunk it had (say, a failed write): it stands 1000 bytes back.
          lost = true;
          received = received.subarray(0, received.length - 1000);
          reply({ status: 'error', code: 'bad_offset', text: 'continue from offset', offset: received.length });
          continue;
        }
        if (r.offset !== received.length) {
          reply({ status: 'error', code: 'bad_offset', text: 'continue from offset', offset: received.length });
          continue;
        }
        received = Buffer.concat([received, Buffer.from(r.data, 'base64')]);
        if (received.length === 10_000 && options.dropBeforeDone && finishedId === undefined) {
          finishedId = uploadIds.at(-1);
          socket.destroy();
          return;
        }
        if (received.length < 10_000) reply({ status: 'ok', file: 3, offset: received.length });
        else if (options.corrupt || createHash('sha256').update(received).digest('hex') !== sha)
          reply({ status: 'error', code: 'corrupt', text: 'file 3 did not match its SHA-256; send it again' });
        else
          reply({
            status: 'ok',
            file: 3,
            offset: received.length,
            done: true,
            msgid: 9,
            seq: 1,
            ts: new Date().toISOString(),
            receiver: 'Bob',
          });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
  let link = await Link.connect(address);
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  cleanup.push(() => link.close());
  // As the session does: a closed link is replaced by a new connection.
  const ready = async () => (link.closed ? (link = await Link.connect(address)) : link);
  return { ctx: { ready }, offsets, uploadIds, received: () => received };
}

function tempFile(bytes: Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-up-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'data.bin');
  fs.writeFileSync(file, bytes);
  return file;
}

test('after bad_offset the upload continues from the offset the server names, and completes', async () => {
  const bytes = randomBytes(10_000);
  const fake = await fakeServer({ loseOnce: 3000 });
  const result = await upload(fake.ctx, tempFile(bytes), 'Bob');
  assert.equal(result.reply.done, true);
  assert.ok(fake.received().equals(bytes));
  // Pipelined: chunks after it were already on their way, refused, then sent again from 2000.
  assert.equal(fake.offsets.filter((o) => o === 2000).length, 2, JSON.stringify(fake.offsets));
  assert.equal(fake.offsets.filter((o) => o === 3000).length, 2, JSON.stringify(fake.offsets));
});

test('corrupt ends the upload with the reason', async () => {
  const fake = await fakeServer({ corrupt: true });
  await assert.rejects(upload(fake.ctx, tempFile(randomBytes(10_000)), 'Bob'), (err: unknown) => {
    assert.ok(err instanceof TransferError);
    assert.equal(err.code, 'corrupt');
    assert.match(err.message, /did not match its SHA-256/);
    return true;
  });
});

test('a connection lost before the last reply: the upload is announced again with the same id, and the done reply ends it', async () => {
  const bytes = randomBytes(10_000);
  const fake = await fakeServer({ dropBeforeDone: true });
  const result = await upload(fake.ctx, tempFile(bytes), 'Bob');
  assert.equal(result.reply.done, true);
  assert.equal(result.reply.msgid, 9);
  assert.ok(fake.received().equals(bytes), 'every byte sent once: the repeat did not start over');
  assert.equal(fake.uploadIds.length, 2, JSON.stringify(fake.uploadIds));
  assert.equal(typeof fake.uploadIds[0], 'string');
  assert.equal(fake.uploadIds[1], fake.uploadIds[0], 'the same request id both times');
});
