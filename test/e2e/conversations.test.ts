// Browser end to end (issue #14): two people in the web app and one in the real terminal client
// (`classchat chat`) share a room and private conversations, each seeing the others' messages live; a
// browser user who closes the page and comes back (signed in again by its kept token) finds what was sent
// meanwhile, each message once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BROWSER_SKIP } from '../helpers/browser.js';
import { ChatProcess } from '../helpers/chat-process.js';
import { startServer, type TestServer } from '../helpers/server.js';
import {
  browserPerFile,
  conversation,
  createRoom,
  joinRoom,
  leave,
  log,
  openConversation,
  reopen,
  screenshot,
  seesMessage,
  send,
  shownMsgids,
  shownTexts,
  signedIn,
  startPrivate,
} from '../helpers/web-user.js';

const browser = browserPerFile();
let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test(
  '#14 two browser users and the terminal client talk in a room and privately, live, and a user back from offline finds everything once',
  { skip: BROWSER_SKIP },
  async () => {
    const ann = await signedIn(browser(), server.port, 'Ann');
    const ben = await signedIn(browser(), server.port, 'Ben');
    const tina = ChatProcess.start(server.port, ['--user', 'Tina']);
    try {
      await tina.waitFor(/welcome, Tina/);
      await createRoom(ann.page, 'Lab');
      await joinRoom(ben.page, 'Lab');
      tina.type('/join Lab');
      await tina.waitFor(/joined Lab|\[Lab\]/);

      // The room, live, in every direction.
      await openConversation(ann.page, '#Lab');
      await openConversation(ben.page, '#Lab');
      await send(ann.page, 'hello from Ann');
      await seesMessage(ben.page, 'hello from Ann');
      await tina.waitFor(/\[Lab\] <Ann> hello from Ann/);
      await send(ben.page, 'hello from Ben');
      await seesMessage(ann.page, 'hello from Ben');
      await tina.waitFor(/\[Lab\] <Ben> hello from Ben/);
      tina.type('/group Lab hello from the terminal');
      await seesMessage(ann.page, 'hello from the terminal');
      await seesMessage(ben.page, 'hello from the terminal');

      // Private: browser to browser, terminal to browser, browser to terminal.
      await startPrivate(ann.page, 'Ben');
      await send(ann.page, 'psst Ben, from Ann');
      await openConversation(ben.page, 'Ann');
      await seesMessage(ben.page, 'psst Ben, from Ann');
      tina.type('/msg Ann psst Ann, from Tina');
      await openConversation(ann.page, 'Tina');
      await seesMessage(ann.page, 'psst Ann, from Tina');
      await send(ann.page, 'psst Tina, from Ann');
      await tina.waitFor(/\[@Ann\] <Ann> psst Tina, from Ann/);
      assert.deepEqual(await shownTexts(ann.page), ['psst Ann, from Tina', 'psst Tina, from Ann']);
      await screenshot(ann.page, 'conversations-live');

      // Ben closes his page; once the others see him offline, messages are sent to him and his room.
      await ben.page.close();
      await ann.page.getByRole('list', { name: 'People' }).getByRole('listitem', { name: 'Ben, offline' }).waitFor();
      await openConversation(ann.page, '#Lab');
      const away = ['while Ben was away 1', 'while Ben was away 2'];
      for (const text of away) await send(ann.page, text);
      tina.type('/group Lab while Ben was away 3');
      await seesMessage(ann.page, 'while Ben was away 3');
      await openConversation(ann.page, 'Ben');
      await send(ann.page, 'private while Ben was away');

      // He opens the app again in the same browser: the kept session signs him in, with no form to fill.
      const back = await reopen(ben, server.port);
      assert.equal(await back.page.getByRole('textbox', { name: 'Password' }).count(), 0);
      // The texts name him, so each counts as a mention too.
      await conversation(back.page, '#Lab, 3 unread, mentioned').waitFor();
      await conversation(back.page, 'Ann, 1 unread, mentioned').waitFor();
      await openConversation(back.page, '#Lab');
      await seesMessage(back.page, 'while Ben was away 3');
      await back.page.getByRole('separator', { name: 'New since you were away' }).waitFor();
      await screenshot(back.page, 'conversations-back');
      const texts = await shownTexts(back.page);
      assert.deepEqual(texts, [
        'hello from Ann',
        'hello from Ben',
        'hello from the terminal',
        ...away,
        'while Ben was away 3',
      ]);
      const ids = await shownMsgids(back.page);
      assert.equal(new Set(ids).size, ids.length, `no msgid twice: ${ids.join(',')}`);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
      );
      await openConversation(back.page, 'Ann');
      await seesMessage(back.page, 'private while Ben was away');
      assert.deepEqual(await shownTexts(back.page), ['psst Ben, from Ann', 'private while Ben was away']);
      assert.equal(await log(back.page).locator('article[data-msgid]').count(), 2);
    } finally {
      tina.kill();
      await leave(ann);
      await leave(ben);
    }
  },
);
