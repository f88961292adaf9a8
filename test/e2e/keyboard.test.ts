// Browser end to end (issue #14): the app works from the keyboard alone. Sign in, reach a conversation
// and send a message with Tab, typing and Enter only, never a click.
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
  openApp,
  screenshot,
  seesMessage,
  waitSignedIn,
} from '../helpers/web-user.js';

const browser = browserPerFile();
let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

/** What has the focus: its role-ish tag and accessible label. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el) return '';
    const label =
      el.getAttribute('aria-label') ??
      (el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null) ??
      el.textContent ??
      '';
    return `${el.tagName.toLowerCase()}:${label.trim()}`;
  });
}

/** Presses Tab until `want` has the focus (at most 60 times); fails with where the focus went otherwise. */
async function tabTo(page: Page, want: string): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < 60; i++) {
    const now = await focused(page);
    if (now === want) return;
    seen.push(now);
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${want}; went through ${seen.join(' | ')}`);
}

test('#14 sign in, open a room and send a message with the keyboard only', { skip: BROWSER_SKIP }, async () => {
  const kim = await openApp(browser(), server.port);
  const bob = await TestClient.as(server.port, 'Kbob');
  try {
    const { page } = kim;
    await page.getByRole('textbox', { name: 'Name' }).waitFor();
    await tabTo(page, 'input:Name');
    await page.keyboard.type('Kim');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'input:Password');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'button:Sign in');
    await page.keyboard.press('Enter');
    await waitSignedIn(page);

    await bob.ok({ status: 'create', receiver: 'Keys', members: ['Kim'] });
    await conversation(page, '#Keys').waitFor();
    await tabTo(page, 'button:#Keys');
    await page.keyboard.press('Enter');
    assert.equal(await conversation(page, '#Keys').getAttribute('aria-current'), 'page');
    await tabTo(page, 'textarea:Message');
    await page.keyboard.type('typed, never clicked');
    await page.keyboard.press('Enter');
    await seesMessage(page, 'typed, never clicked');
    const got = await bob.event('group', { receiver: 'Keys', text: 'typed, never clicked' });
    assert.equal(got.sender, 'Kim');
    await screenshot(page, 'keyboard');
  } finally {
    await bob.close();
    await leave(kim);
  }
});
