// Browser end to end (issue #14): a room with 130 messages opens on its newest page; scrolling the log
// to the top reads older pages until the first message is shown, and the log then holds exactly the
// server's history, in order, each message once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BROWSER_SKIP } from '../helpers/browser.js';
import { TestClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import {
  browserPerFile,
  joinRoom,
  leave,
  log,
  openConversation,
  screenshot,
  seesMessage,
  shownMsgids,
  shownTexts,
  signedIn,
} from '../helpers/web-user.js';

const browser = browserPerFile();
let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

const COUNT = 130;

test(
  `#14 scrolling to the top of a room with ${COUNT} messages reads older pages until the first one is shown`,
  { skip: BROWSER_SKIP },
  async () => {
    const hal = await TestClient.as(server.port, 'Hal');
    await hal.ok({ status: 'create', receiver: 'Hist', members: [] });
    for (let i = 1; i <= COUNT; i++)
      await hal.ok({ status: 'group', receiver: 'Hist', sender: 'Hal', text: `history ${i}` });
    const ann = await signedIn(browser(), server.port, 'Hana');
    try {
      await joinRoom(ann.page, 'Hist');
      await openConversation(ann.page, '#Hist');
      await seesMessage(ann.page, `history ${COUNT}`);
      const firstPage = (await shownTexts(ann.page)).length;
      assert.ok(firstPage < COUNT, `the first view holds one page (${firstPage}), not everything`);

      // Scroll to the top, wait for the log to grow (or to reach the beginning), again until the first message.
      const beginning = log(ann.page).getByText('This is the beginning of the conversation.');
      let pages = 0;
      for (; pages < 10 && !(await beginning.isVisible()); pages++) {
        const before = await log(ann.page).locator('article[data-msgid]').count();
        await log(ann.page).evaluate((el) => (el.scrollTop = 0));
        await ann.page.waitForFunction(
          ([n]) =>
            document.querySelectorAll('[role=log] article[data-msgid]').length > n! ||
            /beginning of the conversation/.test(document.querySelector('[role=log] .log-top')?.textContent ?? ''),
          [before],
          { timeout: 10_000 },
        );
      }
      assert.ok(pages >= 2, `older pages were read as the log was scrolled (${pages})`);
      // Once more to the top (the last page came in above the view, which was kept still): the first
      // message is on screen, inside the log's box, and "Jump to latest" is offered.
      await seesMessage(ann.page, 'history 1');
      await log(ann.page).evaluate((el) => (el.scrollTop = 0));
      await ann.page.waitForFunction(
        () => {
          const box = document.querySelector('[role=log]')!.getBoundingClientRect();
          const first = [...document.querySelectorAll('[role=log] article[data-msgid]')].find(
            (a) => a.querySelector('.msg-body')?.textContent?.trim() === 'history 1',
          );
          const at = first?.getBoundingClientRect();
          return at !== undefined && at.top >= box.top && at.bottom <= box.bottom;
        },
        null,
        { timeout: 10_000 },
      );
      await ann.page.getByRole('button', { name: 'Jump to latest' }).waitFor();
      await screenshot(ann.page, 'history-top');
      const texts = (await shownTexts(ann.page)).filter((t) => t.startsWith('history '));
      assert.deepEqual(
        texts,
        Array.from({ length: COUNT }, (_, i) => `history ${i + 1}`),
      );
      const server = await hal.ok({ status: 'history', receiver: 'Hist', limit: 200 });
      assert.equal(server.more, false);
      assert.deepEqual(
        await shownMsgids(ann.page),
        server.messages.map((m: { msgid: number }) => m.msgid),
      );
    } finally {
      await hal.close();
      await leave(ann);
    }
  },
);
