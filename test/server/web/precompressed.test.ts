// The web app's compressed copies made at build time (issue #16, src/server/web/precompressed.ts and
// app-files.ts): a copy beside its file that is up to date and decodes to it is served as it is, byte for
// byte, and nothing is compressed at start; a copy that is missing, older than its file, corrupt or of
// other content is made afresh, as before; a copy no smaller than its file is never served; the copies
// are not files of their own.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, test, type TestContext } from 'node:test';
import zlib from 'node:zlib';
import type { Encoding } from '../../../src/server/web/accept-encoding.js';
import { loadAppFiles, writeCompressedCopies } from '../../../src/server/web/app-files.js';
import { compress, encodedCopy, SUFFIXES } from '../../../src/server/web/precompressed.js';
import { writeWebApp, type WebApp } from '../../helpers/web.js';

const ENCODINGS: Encoding[] = ['gzip', 'br'];
const ASSET = path.join('assets', 'app-abc123.js');

/**
 * A valid copy of `identity` that differs from what the server would make (the lowest level instead of
 * the best): served, it can only have been read from disk.
 */
function marker(encoding: Encoding, identity: Buffer): Buffer {
  return encoding === 'gzip'
    ? zlib.gzipSync(identity, { level: 1 })
    : zlib.brotliCompressSync(identity, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } });
}

/** Writes `bytes` as the `encoding` copy of the app's script; returns the script's path and modification time. */
function withCopy(app: WebApp, encoding: Encoding, bytes: Buffer): { file: string; modifiedMs: number } {
  const file = path.join(app.dir, ASSET);
  fs.writeFileSync(file + SUFFIXES[encoding], bytes);
  return { file, modifiedMs: fs.statSync(file).mtimeMs };
}

/** Counts the calls to zlib's compressors until the test ends. */
function countCompressions(t: TestContext): () => number {
  const gzip = t.mock.method(zlib, 'gzipSync');
  const br = t.mock.method(zlib, 'brotliCompressSync');
  return () => gzip.mock.callCount() + br.mock.callCount();
}

const apps: WebApp[] = [];
function newApp(): WebApp {
  const app = writeWebApp();
  apps.push(app);
  return app;
}
afterEach(() => {
  for (const app of apps.splice(0)) app.remove();
});

test('#16 an up-to-date copy beside the file is read as it is, not compressed again', (t) => {
  for (const encoding of ENCODINGS) {
    const app = newApp();
    const stored = marker(encoding, app.asset);
    assert.notDeepEqual(stored, compress(encoding, app.asset), `${encoding}: the marker differs from a fresh copy`);
    const { file, modifiedMs } = withCopy(app, encoding, stored);
    const compressions = countCompressions(t);
    assert.deepEqual(encodedCopy(file, app.asset, modifiedMs, encoding), stored, encoding);
    assert.equal(compressions(), 0, `${encoding}: nothing compressed`);
    t.mock.restoreAll();
  }
});

test('#16 a copy missing, older than its file, corrupt or of other content is compressed afresh', () => {
  for (const encoding of ENCODINGS) {
    const app = newApp();
    const fresh = compress(encoding, app.asset);
    const file = path.join(app.dir, ASSET);
    const modifiedMs = fs.statSync(file).mtimeMs;
    assert.deepEqual(encodedCopy(file, app.asset, modifiedMs, encoding), fresh, `${encoding}: missing`);

    withCopy(app, encoding, marker(encoding, app.asset));
    const past = new Date(modifiedMs - 60_000);
    fs.utimesSync(file + SUFFIXES[encoding], past, past);
    assert.deepEqual(encodedCopy(file, app.asset, modifiedMs, encoding), fresh, `${encoding}: older than its file`);

    withCopy(app, encoding, marker(encoding, app.asset).subarray(0, 20));
    assert.deepEqual(encodedCopy(file, app.asset, modifiedMs, encoding), fresh, `${encoding}: cut short`);

    // Up to date by its time, but of the file as it was before (a file put back with an older time).
    withCopy(app, encoding, marker(encoding, Buffer.concat([app.asset, Buffer.from('// more\n')])));
    assert.deepEqual(encodedCopy(file, app.asset, modifiedMs, encoding), fresh, `${encoding}: other content`);
  }
});

test('#16 the build writes the copies; a server loading the app then compresses nothing and serves them', (t) => {
  const app = newApp();
  fs.writeFileSync(path.join(app.dir, 'assets', 'tiny.css'), 'a{}');
  fs.writeFileSync(path.join(app.dir, 'assets', 'logo.png'), Buffer.alloc(1000));
  const written = writeCompressedCopies(app.dir);
  // The script, both ways; index.html and the tiny file are too small to gain, and the image is no text.
  assert.deepEqual(written, { files: 4, copies: 2 });
  for (const name of ['../index.html', 'tiny.css', 'logo.png'])
    for (const encoding of ENCODINGS)
      assert.equal(fs.existsSync(path.join(app.dir, 'assets', name + SUFFIXES[encoding])), false, name);
  for (const encoding of ENCODINGS) withCopy(app, encoding, marker(encoding, app.asset));

  const compressions = countCompressions(t);
  const files = loadAppFiles(app.dir)!;
  assert.equal(compressions(), 0, 'nothing compressed at start');
  const script = files.get('/assets/app-abc123.js')!;
  assert.deepEqual(script.gzip, marker('gzip', app.asset));
  assert.deepEqual(script.br, marker('br', app.asset));
  assert.deepEqual(
    [...files.keys()].sort(),
    ['/assets/app-abc123.js', '/assets/logo.png', '/assets/tiny.css', '/index.html'],
    'the copies are not files of their own',
  );
});

test('#16 without copies the app is compressed at start, to the same bytes the build writes', (t) => {
  const app = newApp();
  const compressions = countCompressions(t);
  const files = loadAppFiles(app.dir)!;
  assert.equal(compressions(), 2, 'the script, both ways');
  const script = files.get('/assets/app-abc123.js')!;
  assert.deepEqual(script.gzip, compress('gzip', app.asset));
  assert.deepEqual(script.br, compress('br', app.asset));
  assert.ok(files.has('/index.html'));
});

test('#16 a stored copy no smaller than its file is not served: the file is compressed afresh, as without it', () => {
  const app = newApp();
  // Gzip's level 0 stores the bytes as they are, plus its framing: larger than the file, yet it decodes to it.
  const stored = zlib.gzipSync(app.asset, { level: 0 });
  assert.ok(stored.length > app.asset.length);
  withCopy(app, 'gzip', stored);
  const script = loadAppFiles(app.dir)!.get('/assets/app-abc123.js')!;
  assert.deepEqual(script.gzip, compress('gzip', app.asset), 'gzip made at start, not given up');
  assert.notEqual(script.br, null, 'brotli, made at start, is smaller and kept');
});
