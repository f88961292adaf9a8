// Browser end to end (issue #14): notifications, once the user turned them on, for private messages and
// mentions that arrive while the tab is hidden; none for other room chatter, none while the tab is shown.
// Chromium's Notification is replaced by a recorder before the app loads (headless Chromium shows none),
// and the page is made to report itself hidden, as switching tabs does.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { BROWSER_SKIP } from '../helpers/browser.js';
import { TestClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import {
  appUrl,
  browserPerFile,
  createRoom,
  seesMessage,
  setHidden,
  signIn,
  UI_TIMEOUT_MS,
} from '../helpers/web-user.js';

const browser = browserPerFile();
let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

/** The notifications the page made so far, as "title | body". */
function shown(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { shownNotes: string[] }).shownNotes.slice());
}

test(
  '#14 once allowed, a private message and a mention arriving while the tab is hidden make a notification; other chatter and a shown tab do not',
  { skip: BROWSER_SKIP },
  async () => {
    const context = await browser().newContext();
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    await context.addInitScript(() => {
      const notes: string[] = [];
      class RecordingNotification extends EventTarget {
        static permission = 'default';
        static requestPermission(): Promise<string> {
          RecordingNotification.permission = 'granted';
          return Promise.resolve('granted');
        }
        constructor(title: string, options?: { body?: string }) {
          super();
          notes.push(`${title} | ${options?.body ?? ''}`);
        }
      }
      Object.assign(window, { shownNotes: notes, Notification: RecordingNotification });
    });
    const page = await context.newPage();
    const bob = await TestClient.as(server.port, 'Nbob');
    try {
      await page.goto(appUrl(server.port));
      await signIn(page, 'Nann');
      await createRoom(page, 'Nlab');
      await bob.ok({ status: 'join', receiver: 'Nlab' });
      await page.getByRole('button', { name: 'Enable notifications' }).click();
      await page.getByRole('button', { name: 'Notifications on' }).waitFor();

      // Shown: nothing, even for a private message.
      await bob.ok({ status: 'private', receiver: 'Nann', text: 'while you look' });
      await page.getByRole('button', { name: /^Nbob/ }).waitFor();
      await setHidden(page, true);
      await bob.ok({ status: 'group', receiver: 'Nlab', text: 'chatter for the room' });
      await bob.ok({ status: 'group', receiver: 'Nlab', text: 'Nann, can you check this?' });
      await bob.ok({ status: 'private', receiver: 'Nann', text: 'a word in private' });
      await page.waitForFunction(() => (window as unknown as { shownNotes: string[] }).shownNotes.length >= 2, null, {
        timeout: UI_TIMEOUT_MS,
      });
      await setHidden(page, false);
      await seesMessage(page, 'Nann, can you check this?');
      const notes = await shown(page);
      assert.deepEqual(notes, ['Nbob in #Nlab | Nann, can you check this?', 'Nbob in Nbob | a word in private']);
    } finally {
      await bob.close();
      await context.close();
    }
  },
);
