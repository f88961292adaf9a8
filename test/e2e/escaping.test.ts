// Browser end to end (issue #14): markup in a message is shown as the text it is. An <img onerror> and a
// <script>, sent by another client and typed in the composer, appear literally; the log holds no img or
// script element, no dialog opens, and the script's global is never set.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BROWSER_SKIP } from '../helpers/browser.js';
import { TestClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import {
  browserPerFile,
  leave,
  log,
  openConversation,
  screenshot,
  seesMessage,
  send,
  shownTexts,
  signedIn,
} from '../helpers/web-user.js';

const browser = browserPerFile();
let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>window.pwned=1</script>';

test(
  '#14 a message with <img onerror> and <script> is shown as text: no element made, no dialog, nothing run',
  { skip: BROWSER_SKIP },
  async () => {
    const ann = await signedIn(browser(), server.port, 'Xana');
    const dialogs: string[] = [];
    ann.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const mal = await TestClient.as(server.port, 'Xmal');
    try {
      await mal.ok({ status: 'private', receiver: 'Xana', text: `look ${IMG} and ${SCRIPT}` });
      await openConversation(ann.page, 'Xmal');
      await seesMessage(ann.page, `look ${IMG} and ${SCRIPT}`);
      await send(ann.page, `${SCRIPT} ${IMG} **bold** [x](javascript:alert(2))`);
      // One more round trip after both: an image that failed to load would have fired onerror by now.
      await mal.ok({ status: 'private', receiver: 'Xana', text: 'done' });
      await seesMessage(ann.page, 'done');
      await screenshot(ann.page, 'escaping');

      const texts = await shownTexts(ann.page);
      assert.equal(texts[0], `look ${IMG} and ${SCRIPT}`);
      assert.match(texts[1]!, /^<script>window\.pwned=1<\/script> <img src=x onerror=alert\(1\)>/);
      assert.equal(await log(ann.page).locator('img, script, iframe, object').count(), 0);
      assert.equal(await log(ann.page).locator('a[href^="javascript:"]').count(), 0);
      assert.equal(await ann.page.evaluate(() => (window as unknown as { pwned?: unknown }).pwned), undefined);
      assert.deepEqual(dialogs, []);
      // What a person sees: the literal text is visible on screen.
      await log(ann.page).getByText(IMG).first().waitFor();
    } finally {
      await mal.close();
      await leave(ann);
    }
  },
);
