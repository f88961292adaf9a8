// Browser end to end (issue #14): files between the web app and the real terminal client. A file chosen in
// the browser's file input is fetched by `/get` in the terminal with the same bytes; a file sent with
// `/send` from the terminal is downloaded from the browser's "Download <name>" button with the same bytes,
// and an image shows its preview.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { BROWSER_SKIP } from '../helpers/browser.js';
import { ChatProcess } from '../helpers/chat-process.js';
import { startServer, type TestServer } from '../helpers/server.js';
import {
  browserPerFile,
  leave,
  log,
  openConversation,
  screenshot,
  signedIn,
  startPrivate,
} from '../helpers/web-user.js';

const browser = browserPerFile();
let server: TestServer;
let work: string;
before(async () => {
  server = await startServer();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-e2e-files-'));
});
after(async () => {
  await server.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

/** A 1x1 PNG, for the preview. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

test(
  '#14 a file sent from the browser is fetched by the terminal client, and one sent from the terminal is downloaded in the browser, bytes equal',
  { skip: BROWSER_SKIP },
  async () => {
    const fay = await signedIn(browser(), server.port, 'Fay');
    const tara = ChatProcess.start(server.port, ['--user', 'Tara'], {}, work);
    try {
      await tara.waitFor(/welcome, Tara/);
      await startPrivate(fay.page, 'Tara');

      // Browser to terminal.
      const up = randomBytes(300_000);
      await fay.page.getByLabel('File', { exact: true }).setInputFiles({
        name: 'notes.bin',
        mimeType: 'application/octet-stream',
        buffer: up,
      });
      await log(fay.page).getByRole('button', { name: 'Download notes.bin' }).waitFor();
      const line = await tara.waitFor(/\[@Fay\] <Fay> sent notes\.bin .*\[id \d+\]/, 0, 15_000);
      const id = /\[id (\d+)\]/.exec(line)![1];
      const saveDir = path.join(work, 'got');
      fs.mkdirSync(saveDir);
      tara.type(`/get ${id} ${saveDir}`);
      await tara.waitFor(/^saved .*notes\.bin .*SHA-256 verified/, 0, 15_000);
      assert.ok(fs.readFileSync(path.join(saveDir, 'notes.bin')).equals(up), 'the terminal saved the same bytes');

      // Terminal to browser.
      const down = randomBytes(200_000);
      const slides = path.join(work, 'slides.pdf');
      fs.writeFileSync(slides, down);
      fs.writeFileSync(path.join(work, 'dot.png'), PNG);
      tara.type(`/send Fay ${slides}`, `/send Fay ${path.join(work, 'dot.png')}`);
      await openConversation(fay.page, 'Tara');
      const button = log(fay.page).getByRole('button', { name: 'Download slides.pdf' });
      await button.waitFor({ timeout: 15_000 });
      const [download] = await Promise.all([fay.page.waitForEvent('download'), button.click()]);
      assert.equal(download.suggestedFilename(), 'slides.pdf');
      const saved = await download.path();
      assert.ok(fs.readFileSync(saved).equals(down), 'the browser downloaded the same bytes');

      // The image shows its preview, fetched from the server.
      const img = log(fay.page).getByRole('img', { name: 'dot.png' });
      await img.waitFor({ timeout: 15_000 });
      await fay.page.waitForFunction(
        () => document.querySelector<HTMLImageElement>('[role=log] img[alt="dot.png"]')?.naturalWidth === 1,
        null,
        { timeout: 10_000 },
      );
      await screenshot(fay.page, 'files');
    } finally {
      tara.kill();
      await leave(fay);
    }
  },
);
