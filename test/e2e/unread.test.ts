// Browser end to end (issue #14): the sidebar counts what arrives out of sight ("#Lab, 2 unread"), clears
// the count when the conversation is opened, and the page title carries the total; a message to the open
// conversation while the tab is hidden counts too, until the tab is shown again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { BROWSER_SKIP } from '../helpers/browser.js';
import { TestClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import {
  browserPerFile,
  conversation,
  leave,
  openConversation,
  screenshot,
  seesMessage,
  signedIn,
  setHidden,
  UI_TIMEOUT_MS,
} from '../helpers/web-user.js';

const browser = browserPerFile();
let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

function titleIs(page: Page, title: string): Promise<unknown> {
  return page.waitForFunction((t) => document.title === t, title, { timeout: UI_TIMEOUT_MS });
}

test(
  '#14 messages out of sight are counted in the sidebar and the title, and the count clears when the conversation is opened',
  { skip: BROWSER_SKIP },
  async () => {
    const ann = await signedIn(browser(), server.port, 'Una');
    const bob = await TestClient.as(server.port, 'Ubo');
    try {
      await bob.ok({ status: 'create', receiver: 'Lab', members: ['Una'] });
      await conversation(ann.page, '#Lab').waitFor();
      assert.equal(await ann.page.title(), 'ClassChat');
      await bob.ok({ status: 'group', receiver: 'Lab', sender: 'Ubo', text: 'first' });
      await bob.ok({ status: 'group', receiver: 'Lab', sender: 'Ubo', text: 'second' });
      await conversation(ann.page, '#Lab, 2 unread').waitFor();
      await titleIs(ann.page, '(2) ClassChat');
      await screenshot(ann.page, 'unread-two');

      await bob.ok({ status: 'group', receiver: 'Lab', sender: 'Ubo', text: 'and you, @Una?' });
      await conversation(ann.page, '#Lab, 3 unread, mentioned').waitFor();

      await openConversation(ann.page, '#Lab');
      await seesMessage(ann.page, 'and you, @Una?');
      await conversation(ann.page, '#Lab').waitFor();
      await titleIs(ann.page, 'ClassChat');
      assert.equal(await conversation(ann.page, /unread/).count(), 0);

      // Hidden tab: a message to the open conversation is unread until the tab is shown.
      await setHidden(ann.page, true);
      await bob.ok({ status: 'group', receiver: 'Lab', sender: 'Ubo', text: 'while hidden' });
      await conversation(ann.page, '#Lab, 1 unread').waitFor();
      await titleIs(ann.page, '(1) ClassChat');
      await setHidden(ann.page, false);
      await conversation(ann.page, '#Lab').waitFor();
      await titleIs(ann.page, 'ClassChat');
    } finally {
      await bob.close();
      await leave(ann);
    }
  },
);
