// Browser end to end (issue #14): at phone size (390x844) the sidebar is a drawer, closed until "Open
// conversations" is pressed; a conversation is chosen in it (which closes it) and a message sent there.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BROWSER_SKIP } from '../helpers/browser.js';
import { TestClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { browserPerFile, conversation, leave, screenshot, send, signedIn } from '../helpers/web-user.js';

const browser = browserPerFile();
let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test(
  '#14 at phone size the drawer opens with "Open conversations", a conversation is chosen in it and a message sent',
  { skip: BROWSER_SKIP },
  async () => {
    const ann = await signedIn(browser(), server.port, 'Pia', { viewport: { width: 390, height: 844 } });
    const bob = await TestClient.as(server.port, 'Pat');
    try {
      await bob.ok({ status: 'create', receiver: 'Lab', members: ['Pia'] });
      const nav = ann.page.getByRole('navigation', { name: 'Conversations' });
      const toggle = ann.page.getByRole('button', { name: 'Open conversations' });
      await nav.waitFor({ state: 'hidden' });
      assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
      await screenshot(ann.page, 'phone-closed');

      await toggle.click();
      await nav.waitFor({ state: 'visible' });
      await conversation(ann.page, '#Lab').waitFor();
      await screenshot(ann.page, 'phone-drawer');
      await conversation(ann.page, '#Lab').click();
      await nav.waitFor({ state: 'hidden' });
      // The drawer is hidden again, so the selected entry is read from the DOM rather than by role.
      const selected = ann.page.locator('nav[aria-label="Conversations"] button[aria-current="page"]');
      assert.equal(await selected.getAttribute('aria-label'), '#Lab');

      await send(ann.page, 'sent from a phone');
      const got = await bob.event('group', { receiver: 'Lab', text: 'sent from a phone' });
      assert.equal(got.sender, 'Pia');
      await screenshot(ann.page, 'phone-sent');
    } finally {
      await bob.close();
      await leave(ann);
    }
  },
);
