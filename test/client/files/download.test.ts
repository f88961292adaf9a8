// The download verifier (issue #5) against a tiny fake server on a real loopback socket, so the server
// can lie: wrong bytes are refused and not saved, a hostile name is saved inside the directory, and a
// dropped connection resumes from the bytes already in the part file.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { TransferError, type TransferContext } from '../../../src/client/files/context.js';
import { download } from '../../../src/client/files/download.js';
import { Link } from '../../../src/client/link.js';

interface FakeFile {
  name: string;
  /** What the server says the file is (size, hash). */
  bytes: Buffer;
  /** What it actually sends, when that differs. */
  served?: Buffer;
}

/** Answers `files` and `fetch` for one file; can cut the first connection after some fetch replies. */
class FakeServer {
  readonly fetches: number[] = [];
  /** The fetch offsets of each connection, in order. */
  readonly perConnection: number[][] = [];
  connections = 0;
  /** Closes the first connection after this many fetch replies. */
  cutFirstAfter = Infinity;
  /** Serves at most this many bytes per fetch (a server sending short pieces). */
  pieceBytes = Infinity;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    readonly server: net.Server,
    readonly file: FakeFile & { id: number },
  ) {}

  static async start(file: FakeFile): Promise<FakeServer> {
    const server = net.createServer();
    const fake = new FakeServer(server, { id: 7, ...file });
    server.on('connection', (socket: net.Socket) => fake.serve(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  private serve(socket: net.Socket): void {
    const connection = ++this.connections;
    const mine: number[] = [];
    this.perConnection.push(mine);
    let replies = 0;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) !== -1) {
        const request = JSON.parse(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        if (socket.destroyed || socket.writableEnded) return;
        const { bytes, served = bytes, name, id } = this.file;
        if (request.status === 'files') {
          const info = {
            file: id,
            name,
            size: bytes.length,
            sha256: createHash('sha256').update(bytes).digest('hex'),
            sender: 'Mallory',
            receiver: 'Me',
            ts: new Date().toISOString(),
          };
          socket.write(JSON.stringify({ status: 'ok', ref: request.id, files: [info] }) + '\n');
        } else if (request.status === 'fetch') {
          this.fetches.push(request.offset);
          mine.push(request.offset);
          const data = served.subarray(
            request.offset,
            request.offset + Math.min(request.length ?? 262144, this.pieceBytes),
          );
          const eof = request.offset + data.length >= bytes.length;
          socket.write(
            JSON.stringify({
              status: 'ok',
              ref: request.id,
              file: id,
              offset: request.offset,
              size: bytes.length,
              eof,
              data: data.toString('base64'),
            }) + '\n',
          );
          // end(), not destroy(): the replies written so far arrive, then the connection closes.
          if (connection === 1 && ++replies >= this.cutFirstAfter) socket.end();
        }
      }
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A TransferContext that connects (again) whenever the last connection is closed, as the session does. */
function contextFor(port: number): TransferContext & { links: Link[] } {
  const links: Link[] = [];
  return {
    links,
    async ready() {
      const last = links.at(-1);
      if (last && !last.closed) return last;
      const link = await Link.connect({ host: '127.0.0.1', port });
      links.push(link);
      return link;
    },
  };
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setUp(file: FakeFile): Promise<{ fake: FakeServer; ctx: ReturnType<typeof contextFor>; dir: string }> {
  const fake = await FakeServer.start(file);
  const ctx = contextFor(fake.port);
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-dl-')), 'downloads');
  cleanup.push(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));
  cleanup.push(() => fake.close());
  cleanup.push(() => ctx.links.forEach((l) => l.close()));
  return { fake, ctx, dir };
}

test('bytes that do not match the SHA-256 are refused: nothing is saved and the part file is deleted', async () => {
  const bytes = randomBytes(600_000);
  const served = Buffer.from(bytes);
  served.writeUInt8(served.readUInt8(300_000) ^ 0xff, 300_000); // one byte flipped in the middle
  const { ctx, dir } = await setUp({ name: 'notes.pdf', bytes, served });
  await assert.rejects(download(ctx, 7, dir), (err: unknown) => {
    assert.ok(err instanceof TransferError);
    assert.equal(err.code, 'corrupt');
    assert.match(err.message, /download of notes\.pdf was corrupt .* not saved/);
    return true;
  });
  assert.deepEqual(fs.readdirSync(dir), [], 'no final file and no part file');
});

test('the right bytes are saved under the name, in a directory created for them', async () => {
  const bytes = randomBytes(700_000); // three fetches of 256 KiB, pipelined
  const { fake, ctx, dir } = await setUp({ name: 'notes.pdf', bytes });
  const progress: number[] = [];
  const result = await download(ctx, 7, dir, { progress: (b) => progress.push(b) });
  assert.equal(result.path, path.join(dir, 'notes.pdf'));
  assert.ok(fs.readFileSync(result.path).equals(bytes));
  assert.deepEqual(fs.readdirSync(dir), ['notes.pdf']);
  assert.deepEqual(fake.fetches, [0, 262144, 524288]);
  assert.equal(progress.at(-1), bytes.length);
});

test('a hostile name from the server is saved inside the downloads directory', async () => {
  for (const [hostile, expected] of [
    ['../../etc/passwd', 'passwd'],
    ['CON', '_CON'],
    ['\u001b]0;pwned\u0007report\r\n.txt', ']0;pwnedreport.txt'],
  ]) {
    const bytes = randomBytes(1000);
    const { ctx, dir } = await setUp({ name: hostile!, bytes });
    const result = await download(ctx, 7, dir);
    assert.equal(path.dirname(result.path), dir);
    assert.equal(path.basename(result.path), expected);
    assert.ok(fs.readFileSync(result.path).equals(bytes));
    assert.deepEqual(fs.readdirSync(dir), [expected]);
  }
});

test('a file already there is not overwritten: the download gets a numbered name', async () => {
  const bytes = randomBytes(5000);
  const { ctx, dir } = await setUp({ name: 'notes.pdf', bytes });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'notes.pdf'), 'my own notes');
  const result = await download(ctx, 7, dir);
  assert.equal(path.basename(result.path), 'notes (1).pdf');
  assert.equal(fs.readFileSync(path.join(dir, 'notes.pdf'), 'utf8'), 'my own notes');
  assert.ok(fs.readFileSync(result.path).equals(bytes));
});

test('after a dropped connection the download resumes from the bytes in the part file', async () => {
  const bytes = randomBytes(1_500_000);
  const { fake, ctx, dir } = await setUp({ name: 'big.bin', bytes });
  fake.cutFirstAfter = 2;
  const paused: number[] = [];
  const result = await download(ctx, 7, dir, { paused: (b) => paused.push(b) });
  assert.ok(fs.readFileSync(result.path).equals(bytes));
  assert.equal(fake.connections, 2);
  // Usually both replies arrive before the close; a reset can lose the second one, so the pause point
  // is what the client had written, whichever it was.
  assert.equal(paused.length, 1);
  assert.ok(paused[0] === 262144 || paused[0] === 2 * 262144, `paused at ${paused[0]}`);
  // The second connection starts where the part file ended, not at 0.
  assert.equal(fake.perConnection[1]![0], paused[0]);
});

test('a part file left by an earlier attempt is continued, not fetched again', async () => {
  const bytes = randomBytes(600_000);
  const { fake, ctx, dir } = await setUp({ name: 'big.bin', bytes });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'big.bin.7.part'), bytes.subarray(0, 400_000));
  let resumedAt = -1;
  const result = await download(ctx, 7, dir, { started: (_info, offset) => (resumedAt = offset) });
  assert.equal(resumedAt, 400_000);
  assert.deepEqual(fake.fetches, [400_000]);
  assert.ok(fs.readFileSync(result.path).equals(bytes));
});

test('a server sending shorter pieces than asked is followed without gaps', async () => {
  const bytes = randomBytes(300_000);
  const { fake, ctx, dir } = await setUp({ name: 'short.bin', bytes });
  fake.pieceBytes = 100_000;
  const result = await download(ctx, 7, dir);
  assert.ok(fs.readFileSync(result.path).equals(bytes));
  assert.deepEqual(fake.fetches.slice(0, 2), [0, 262144]);
  assert.ok(fake.fetches.includes(100_000) && fake.fetches.includes(200_000));
});
