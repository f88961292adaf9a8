// The web app over HTTP (issue #14, src/server/web/respond.ts and http-door.ts): the files from memory
// with the security headers on every response, hashed assets cached for good, index.html revalidated
// (304), gzip and brotli by Accept-Encoding, only GET and HEAD, no bodies, no path outside the table,
// bounded headers and request time, and a page saying so when the app is not built.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import { TestClient } from '../../helpers/client.js';
import { withTimeout } from '../../helpers/expect.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { exchange, rawSocket, request, writeWebApp, type WebApp } from '../../helpers/web.js';

const REQUEST_MS = 300;
let app: WebApp;
let server: TestServer;

before(async () => {
  app = writeWebApp();
  server = await startServer({ webDir: app.dir, limits: { httpRequestMs: REQUEST_MS } });
});
after(async () => {
  await server.stop();
  app.remove();
});

/** Asserts the headers every response carries. */
function assertSecurityHeaders(headers: Record<string, string | string[] | undefined>, what: string): void {
  const csp = String(headers['content-security-policy']);
  for (const directive of [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ])
    assert.ok(csp.split('; ').includes(directive), `${what}: CSP ${csp} lacks ${directive}`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `${what}: no inline script`);
  assert.equal(headers['x-content-type-options'], 'nosniff', what);
  assert.equal(headers['referrer-policy'], 'no-referrer', what);
  assert.equal(headers['cross-origin-opener-policy'], 'same-origin', what);
}

/** The head of a raw HTTP response as lower-cased header names to values, with the status line apart. */
function parseHead(text: string): { status: number; headers: Record<string, string> } {
  const [statusLine = '', ...lines] = text.split('\r\n\r\n')[0]!.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers };
}

test('#14 GET / serves index.html with the security headers, no-cache and an ETag; If-None-Match gets 304', async () => {
  const page = await request(server.port, '/');
  assert.equal(page.status, 200);
  assert.deepEqual(page.body, app.index);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(page.headers['cache-control'], 'no-cache');
  assertSecurityHeaders(page.headers, 'GET /');
  const etag = page.headers.etag;
  assert.ok(etag, 'an ETag');
  const again = await request(server.port, '/', { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal(again.headers.etag, etag);
  assertSecurityHeaders(again.headers, '304');
  const changed = await request(server.port, '/index.html', { headers: { 'If-None-Match': 'W/"something-else"' } });
  assert.equal(changed.status, 200, 'another ETag gets the file');
  assert.deepEqual(changed.body, app.index);
});

test('#14 a hashed asset under /assets/ is cached for a year, immutable', async () => {
  const script = await request(server.port, '/assets/app-abc123.js');
  assert.equal(script.status, 200);
  assert.deepEqual(script.body, app.asset);
  assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(script.headers['cache-control'], 'public, max-age=31536000, immutable');
  assertSecurityHeaders(script.headers, 'the asset');
});

test('#14 gzip and brotli by Accept-Encoding decode to the file; none asked, none sent; Vary on every file', async () => {
  for (const [accept, encoding] of [
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=1, br;q=0.5', 'gzip'],
    ['*', 'br'],
    ['identity', undefined],
  ] as const) {
    const res = await request(server.port, '/assets/app-abc123.js', { headers: { 'Accept-Encoding': accept } });
    assert.equal(res.headers['content-encoding'], encoding, accept);
    assert.equal(res.headers.vary, 'Accept-Encoding', accept);
    assert.equal(Number(res.headers['content-length']), res.body.length, accept);
    const decoded =
      encoding === 'br'
        ? zlib.brotliDecompressSync(res.body)
        : encoding === 'gzip'
          ? zlib.gunzipSync(res.body)
          : res.body;
    assert.deepEqual(decoded, app.asset, accept);
    if (encoding !== undefined) assert.ok(res.body.length < app.asset.length / 2, `${accept}: compressed`);
  }
  const none = await request(server.port, '/');
  assert.equal(none.headers['content-encoding'], undefined, 'no Accept-Encoding: the file as it is');
});

test('#14 HEAD is answered like GET without a body', async () => {
  const head = await request(server.port, '/assets/app-abc123.js', {
    method: 'HEAD',
    headers: { 'Accept-Encoding': 'br' },
  });
  const get = await request(server.port, '/assets/app-abc123.js', { headers: { 'Accept-Encoding': 'br' } });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  for (const name of ['content-length', 'content-type', 'content-encoding', 'etag', 'cache-control', 'vary'])
    assert.equal(head.headers[name], get.headers[name], name);
  assertSecurityHeaders(head.headers, 'HEAD');
});

test('#14 only GET and HEAD: POST and others get 405 with Allow; a body gets 413', async () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
    const res = await request(server.port, '/', { method, body: method === 'POST' ? 'x=1' : undefined });
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.allow, 'GET, HEAD', method);
    assert.equal(res.headers.connection, 'close', `${method}: its body is never read`);
    assertSecurityHeaders(res.headers, method);
  }
  const withBody = await request(server.port, '/', { headers: { 'Content-Length': '5' }, body: 'hello' });
  assert.equal(withBody.status, 413);
  assert.equal(withBody.headers.connection, 'close');
  // A body that is never sent is not waited for either.
  const announced = parseHead(
    await exchange(server.port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n'),
  );
  assert.equal(announced.status, 413);
});

test('#14 no path outside the table: traversal in any spelling is 404', async () => {
  for (const target of [
    '/../package.json',
    '/%2e%2e/package.json',
    '/%2e%2e/',
    '/assets/../../x',
    '/assets/..%2f..%2fpackage.json',
    '/..%5c..%5cpackage.json',
    '//etc/passwd',
    '/index.html/',
    '/assets/',
    '/nothing-here',
    '/%zz',
  ]) {
    // Raw, so that no client library tidies the path first.
    const res = parseHead(
      await exchange(server.port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
    );
    assert.equal(res.status, 404, target);
    assertSecurityHeaders(res.headers, target);
  }
});

test("#16 tsc's compiled web modules beside the app (dist/web/src) are not served; the app's other files are", async () => {
  const built = writeWebApp();
  // What `npm run build` leaves in dist/web besides vite's output: the unit tests' compiled modules.
  fs.mkdirSync(path.join(built.dir, 'src', 'net'), { recursive: true });
  fs.writeFileSync(path.join(built.dir, 'src', 'net', 'frame.js'), 'export const frame = 1;\n');
  fs.writeFileSync(path.join(built.dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  const withModules = await startServer({ webDir: built.dir });
  try {
    assert.equal((await request(withModules.port, '/src/net/frame.js')).status, 404);
    assert.equal((await request(withModules.port, '/favicon.svg')).status, 200);
    assert.equal((await request(withModules.port, '/assets/app-abc123.js')).status, 200);
  } finally {
    await withModules.stop();
    built.remove();
  }
});

test('#14 oversized headers get 431', async () => {
  const big = 'x'.repeat(10 * 1024);
  const res = parseHead(await exchange(server.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${big}\r\n\r\n`));
  assert.equal(res.status, 431);
  assertSecurityHeaders(res.headers, '431');
});

test('#14 a request that starts like HTTP but is not gets 400', async () => {
  const res = parseHead(await exchange(server.port, 'GET / NOT-HTTP\r\n\r\n'));
  assert.equal(res.status, 400);
  const noHost = parseHead(await exchange(server.port, 'GET / HTTP/1.1\r\n\r\n'));
  assert.equal(noHost.status, 400, 'HTTP/1.1 without Host');
});

test('#14 a slow-loris request, headers never finished, is closed with 408 after --http-request-ms', async () => {
  const started = performance.now();
  const loris = await rawSocket(server.port);
  loris.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  // A header line now and then, as slow loris does, never the blank line that ends them.
  const drip = setInterval(() => loris.socket.write('X-a: b\r\n'), 50);
  try {
    await withTimeout(loris.closed, 3000, 'the slow request to be closed');
  } finally {
    clearInterval(drip);
  }
  assert.ok(performance.now() - started >= REQUEST_MS, 'not before the timeout');
  assert.equal(parseHead(loris.received()).status, 408);
});

test('#14 without a built app, / answers a page saying so (and nothing crashes); chat goes on', async () => {
  const missing = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-noweb-')), 'web');
  const bare = await startServer({ webDir: missing });
  try {
    const page = await request(bare.port, '/');
    assert.equal(page.status, 503);
    assert.equal(page.headers['content-type'], 'text/plain; charset=utf-8');
    assert.match(page.body.toString(), /not built.*npm run build/s);
    assertSecurityHeaders(page.headers, 'the not-built page');
    assert.equal((await request(bare.port, '/assets/app-abc123.js')).status, 404);
    const alice = await TestClient.as(bare.port, 'Alice');
    await alice.ok({ status: 'help' });
    await alice.close();
  } finally {
    await bare.stop();
    fs.rmSync(path.dirname(missing), { recursive: true, force: true });
  }
});
