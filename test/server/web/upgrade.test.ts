// The WebSocket endpoint's door (issue #14, src/server/web/upgrade.ts and origin.ts): a page from
// another origin is refused with 403 (cross-site WebSocket hijacking), the served origin, an origin
// of --web-origins and a client with no Origin (not a browser) get 101; the same over TLS, where the
// served origin is https.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseServeArgs } from '../../../src/server/config.js';
import { makeCertificate, type TestCertificate } from '../../helpers/certs.js';
import { LogCapture } from '../../helpers/log.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { handshake, request, writeWebApp, type WebApp } from '../../helpers/web.js';

let app: WebApp;
let cert: TestCertificate;
let plain: TestServer;
let secure: TestServer;
const log = new LogCapture();

before(async () => {
  app = writeWebApp();
  cert = await makeCertificate();
  const webOrigins = ['https://chat.example.edu'];
  plain = await startServer({ webDir: app.dir, webOrigins, log: log.logger });
  secure = await startServer({ webDir: app.dir, webOrigins, tls: cert.files });
});
after(async () => {
  await plain.stop();
  await secure.stop();
  cert.remove();
  app.remove();
});

for (const [scheme, server, ca] of [
  ['http', () => plain, undefined],
  ['https', () => secure, () => cert.pem],
] as const) {
  test(`#14 ${scheme}: a page from another origin gets 403; the served origin, an allowed one and no Origin get 101`, async () => {
    const { port } = server();
    const trust = ca?.();
    for (const foreign of [
      'http://evil.example',
      `${scheme === 'http' ? 'https' : 'http'}://127.0.0.1:${port}`, // same host, other scheme
      `${scheme}://127.0.0.1:${port + 1}`, // same host, other port
      'null', // a sandboxed frame or a file: page
    ]) {
      const refused = await handshake(port, foreign, trust);
      assert.equal(refused.status, 403, foreign);
      assert.match(refused.body, /another origin/, foreign);
    }
    for (const allowed of [`${scheme}://127.0.0.1:${port}`, 'https://chat.example.edu', undefined]) {
      const accepted = await handshake(port, allowed, trust);
      assert.equal(accepted.status, 101, String(allowed));
      accepted.ws?.terminate();
    }
  });

  test(`#14 ${scheme}: the app itself is served on the TLS port too, and /ws without Upgrade is 426`, async () => {
    const { port } = server();
    const page = await request(port, '/', { ca: ca?.() });
    assert.equal(page.status, 200);
    assert.deepEqual(page.body, app.index);
    const notUpgraded = await request(port, '/ws', { ca: ca?.() });
    assert.equal(notUpgraded.status, 426);
  });
}

test('#14 a refused Origin is logged at info with the origin', async () => {
  await handshake(plain.port, 'http://logged.example');
  const entry = await log.waitFor((e) => e.origin === 'http://logged.example', 'the refusal');
  assert.equal(entry.level, 30);
  assert.match(String(entry.msg), /WebSocket refused/);
});

test('#14 --web-origins (or CLASSCHAT_WEB_ORIGINS) takes origins, normalized; anything else is refused at start', () => {
  assert.deepEqual(parseServeArgs([], {}).webOrigins, []);
  assert.deepEqual(
    parseServeArgs(['--web-origins', 'https://Chat.Example.edu:443, http://10.0.0.5:8080/'], {}).webOrigins,
    ['https://chat.example.edu', 'http://10.0.0.5:8080'],
  );
  assert.deepEqual(parseServeArgs([], { CLASSCHAT_WEB_ORIGINS: 'http://a.example' }).webOrigins, ['http://a.example']);
  for (const bad of ['chat.example.edu', 'https://a.example/app', 'ftp://a.example', 'https://user@a.example'])
    assert.throws(() => parseServeArgs(['--web-origins', bad], {}), /--web-origins/, bad);
});
