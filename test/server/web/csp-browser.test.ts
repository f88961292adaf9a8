// The Content-Security-Policy in a real browser (issue #14, src/server/web/headers.ts): Chromium lets
// the app's own script open the WebSocket at the same host and port under `connect-src 'self'`, over
// ws: and wss:, and refuses an inline script. Runs Debian's chromium through test/helpers/browser.ts
// (skipped with the reason where there is none; required in CI).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { BROWSER_SKIP, launchBrowser } from '../../helpers/browser.js';
import { makeCertificate, type TestCertificate } from '../../helpers/certs.js';
import { startServer, type TestServer } from '../../helpers/server.js';

const skip = BROWSER_SKIP;

/** A page whose script reports what the policy let it do: open the WebSocket, run an inline script. */
const SCRIPT = `
const out = document.getElementById('out');
const seen = [];
const note = (what) => { seen.push(what); out.textContent = seen.join(' '); };
document.addEventListener('securitypolicyviolation', (e) => note('blocked:' + e.violatedDirective));
const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
ws.onopen = () => note('open');
const inline = document.createElement('script');
inline.textContent = "document.title = 'inline ran'";
document.head.appendChild(inline);
`;

let dir: string;
let cert: TestCertificate;
let plain: TestServer;
let secure: TestServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-csp-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><html><head><title>t</title><script type="module" src="/assets/probe-1a2b.js"></script></head><body><p id="out"></p></body></html>',
  );
  fs.writeFileSync(path.join(dir, 'assets', 'probe-1a2b.js'), SCRIPT);
  cert = await makeCertificate();
  plain = await startServer({ webDir: dir });
  secure = await startServer({ webDir: dir, tls: cert.files });
  browser = await launchBrowser();
});
after(async () => {
  if (skip) return;
  await browser.close();
  await plain.stop();
  await secure.stop();
  cert.remove();
  fs.rmSync(dir, { recursive: true, force: true });
});

for (const scheme of ['http', 'https'] as const) {
  test(
    `#14 ${scheme}: connect-src 'self' lets the app open its WebSocket, and an inline script is blocked`,
    { skip },
    async () => {
      const port = scheme === 'http' ? plain.port : secure.port;
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      try {
        const page = await context.newPage();
        await page.goto(`${scheme}://localhost:${port}/`);
        await page.waitForFunction(() => /open/.test(document.getElementById('out')?.textContent ?? ''), null, {
          timeout: 5000,
        });
        const seen = (await page.textContent('#out')) ?? '';
        assert.match(seen, /blocked:script-src/, 'the inline script was refused');
        assert.doesNotMatch(seen, /blocked:connect-src/, 'the WebSocket was not refused by the policy');
        assert.notEqual(await page.title(), 'inline ran');
      } finally {
        await context.close();
      }
    },
  );
}
