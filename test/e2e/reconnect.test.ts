// Browser end to end (issue #14): the server restarts (a child process stopped with SIGTERM, then started
// again on the same data directory and port). The page says "Reconnecting…", holds what is typed
// meanwhile, and once back catches up what another client sent while it was away: the log then holds
// exactly the server's history, no gap and no duplicate, and the held message is sent once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { BROWSER_SKIP } from '../helpers/browser.js';
import { TestClient } from '../helpers/client.js';
import { freePort, spawnServer, tempDataDir, type ChildServer } from '../helpers/server.js';
import {
  browserPerFile,
  leave,
  openConversation,
  screenshot,
  seesMessage,
  send,
  shownMsgids,
  signedIn,
  statusIs,
} from '../helpers/web-user.js';

const browser = browserPerFile();

const start = (dataDir: string, port: number): Promise<ChildServer> =>
  spawnServer(dataDir, [
    '--port',
    String(port),
    '--scrypt-cost',
    '10',
    '--flood-rate',
    '100000',
    '--flood-burst',
    '100000',
  ]);

test(
  '#14 across a server restart the page shows "Reconnecting…", then catches up without gap or duplicate and sends what waited once',
  { skip: BROWSER_SKIP },
  async (t) => {
    const dataDir = tempDataDir();
    const port = await freePort();
    let server = await start(dataDir, port);
    const ann = await signedIn(browser(), port, 'Rann');
    let bob = await TestClient.as(port, 'Rbob');
    try {
      await bob.ok({ status: 'create', receiver: 'Rc', members: ['Rann'] });
      for (let i = 1; i <= 3; i++)
        await bob.ok({ status: 'group', receiver: 'Rc', sender: 'Rbob', text: `before ${i}` });
      await openConversation(ann.page, '#Rc');
      await seesMessage(ann.page, 'before 3');
      await send(ann.page, 'mine before');

      await server.stop('SIGTERM');
      await statusIs(ann.page, 'Reconnecting…');
      const box = ann.page.getByRole('textbox', { name: 'Message' });
      await box.fill('typed while down');
      await box.press('Enter');
      await statusIs(ann.page, '1 waiting to send');
      await screenshot(ann.page, 'reconnect-down');

      server = await start(dataDir, port);
      bob = await TestClient.back(port, bob);
      const meanwhile = [];
      for (let i = 1; i <= 5; i++)
        meanwhile.push(await bob.ok({ status: 'group', receiver: 'Rc', sender: 'Rbob', text: `meanwhile ${i}` }));
      const stillAway = (await ann.page.getByRole('status').filter({ hasText: 'Connected' }).count()) === 0;
      t.diagnostic(
        `the page was ${stillAway ? 'still reconnecting' : 'already back'} when the others' messages were sent`,
      );

      await statusIs(ann.page, 'Connected', 30_000);
      await seesMessage(ann.page, 'meanwhile 5');
      const held = await bob.event('group', { receiver: 'Rc', text: 'typed while down' }, 10_000);
      assert.equal(held.sender, 'Rann');
      // A round trip after it: had the held message gone twice, the second copy would be here by now.
      await bob.ok({ status: 'group', receiver: 'Rc', sender: 'Rbob', text: 'after' });
      await seesMessage(ann.page, 'after');
      await screenshot(ann.page, 'reconnect-back');

      const history = await bob.ok({ status: 'history', receiver: 'Rc', limit: 200 });
      const texts = history.messages.map((m: { text: string }) => m.text);
      assert.equal(texts.filter((x: string) => x === 'typed while down').length, 1, 'the held message was sent once');
      assert.equal(bob.received.filter((m) => m.text === 'typed while down').length, 1);
      const shown = await shownMsgids(ann.page);
      assert.deepEqual(
        shown,
        history.messages.map((m: { msgid: number }) => m.msgid),
        'the page shows the server history: no gap, no duplicate',
      );
      assert.ok(meanwhile.every((r) => shown.includes(r.msgid)));
    } finally {
      await bob.close();
      await leave(ann);
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
