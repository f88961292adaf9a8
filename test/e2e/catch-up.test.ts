// Browser end to end (issue #14): a reconnect's catch-up leaves no gap even for a message the server
// wrote but the page never received (lost in flight: the server counts it as given and does not send it
// again), while the login brings newer ones in the same conversation; and messages read by catch-up's
// `history` do not count for the next login's `since` (docs/protocol.md: count only pushed messages).
// The page reaches the server through a loopback proxy that can drop what the server sends, then cut the
// connection and refuse new ones until the test lets the page back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { BROWSER_SKIP } from '../helpers/browser.js';
import { TestClient } from '../helpers/client.js';
import { LossyProxy } from '../helpers/proxy.js';
import { startServer, type TestServer } from '../helpers/server.js';
import {
  browserPerFile,
  leave,
  openConversation,
  seesMessage,
  shownTexts,
  signedIn,
  statusIs,
  UI_TIMEOUT_MS,
} from '../helpers/web-user.js';

const browser = browserPerFile();
let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

/** Resolves when `check` holds, polling every 10 ms; fails after the UI timeout. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + UI_TIMEOUT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The `since` of each login (or register) the page sends, in order (undefined: none). */
function loginsSent(page: Page): Array<number | undefined> {
  const sinces: Array<number | undefined> = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', ({ payload }) => {
      const line = JSON.parse(String(payload)) as { status?: string; since?: number };
      if (line.status === 'login' || line.status === 'register') sinces.push(line.since);
    }),
  );
  return sinces;
}

/**
 * `bob` sends `text` in `room` while the proxy drops everything the server sends the page; once the server
 * has written it, the connection is cut and new ones refused (`bob` sees the page's user leave). Returns
 * the message's reply.
 */
async function lostInFlight(proxy: LossyProxy, bob: TestClient, room: string, text: string, who: string) {
  proxy.dropped = '';
  proxy.blackhole = true;
  const lost = await bob.ok({ status: 'group', receiver: room, text });
  await until(() => proxy.dropped.includes(text), 'the server to write the message the page will not get');
  const left = bob.event('system', { event: 'disconnect', sender: who });
  await proxy.down();
  await left;
  proxy.blackhole = false;
  return lost;
}

test(
  '#14 after a reconnect, a message lost in flight is caught up once though the login brought newer ones in its conversation',
  { skip: BROWSER_SKIP },
  async () => {
    const proxy = await LossyProxy.start(server.port);
    const ann = await signedIn(browser(), proxy.port, 'Cann');
    const bob = await TestClient.as(server.port, 'Cbob');
    try {
      // Two conversations seen, everyone first: the room's catch-up comes after everyone's.
      await bob.ok({ status: 'broadcast', text: 'hello all' });
      await seesMessage(ann.page, 'hello all');
      await bob.ok({ status: 'create', receiver: 'Cx', members: ['Cann'] });
      await bob.ok({ status: 'group', receiver: 'Cx', text: 'x one' });
      await openConversation(ann.page, '#Cx');
      await seesMessage(ann.page, 'x one');

      await lostInFlight(proxy, bob, 'Cx', 'lost in flight', 'Cann');
      await statusIs(ann.page, 'Reconnecting');
      // Waits for the login: it arrives before catch-up reads the room.
      await bob.ok({ status: 'group', receiver: 'Cx', text: 'waited for you' });
      await proxy.up();

      await statusIs(ann.page, 'Connected', 30_000);
      await seesMessage(ann.page, 'waited for you');
      // A round trip after catch-up: everything it would show is shown by then.
      await bob.ok({ status: 'group', receiver: 'Cx', text: 'after' });
      await seesMessage(ann.page, 'after');
      const texts = await shownTexts(ann.page);
      assert.equal(texts.filter((x) => x === 'lost in flight').length, 1, `shown: ${JSON.stringify(texts)}`);
      assert.deepEqual(texts, ['x one', 'lost in flight', 'waited for you', 'after'], 'no gap, no duplicate');
    } finally {
      await bob.close();
      await leave(ann);
      await proxy.close();
    }
  },
);

test(
  "#14 messages read by a reconnect's catch-up do not raise the next login's `since`: only pushed ones do",
  { skip: BROWSER_SKIP },
  async () => {
    const proxy = await LossyProxy.start(server.port);
    const ann = await signedIn(browser(), proxy.port, 'Dann');
    // Watched from here: the sign-in's register went before.
    const sinces = loginsSent(ann.page);
    const bob = await TestClient.as(server.port, 'Dbob');
    try {
      await bob.ok({ status: 'create', receiver: 'Dx', members: ['Dann'] });
      const pushed = await bob.ok({ status: 'group', receiver: 'Dx', text: 'pushed' });
      await openConversation(ann.page, '#Dx');
      await seesMessage(ann.page, 'pushed');

      const lost = await lostInFlight(proxy, bob, 'Dx', 'read by catch-up', 'Dann');
      await proxy.up();
      await statusIs(ann.page, 'Connected', 30_000);
      await seesMessage(ann.page, 'read by catch-up');
      assert.ok(lost.msgid > pushed.msgid);

      // A second drop: the login after it may say `since` only up to what the server pushed.
      const left = bob.event('system', { event: 'disconnect', sender: 'Dann' });
      proxy.cutAll();
      await left;
      await until(() => sinces.length >= 2, 'the login after the second drop');
      await statusIs(ann.page, 'Connected', 30_000);
      assert.deepEqual(sinces, [pushed.msgid, pushed.msgid], 'each login after a drop: the last pushed');
      assert.deepEqual(await shownTexts(ann.page), ['pushed', 'read by catch-up']);
    } finally {
      await bob.close();
      await leave(ann);
      await proxy.close();
    }
  },
);
