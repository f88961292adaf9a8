// Browser end to end (issue #14): a message whose JSON frame would pass the server's limit. 12,000 ESC
// characters are 12 KB of text (under the 16 KiB text limit) but 72 KB as JSON (\u001b each), past the
// 64 KiB frame the server takes: sent as one, the server closes the connection (1009) and the message
// went again after every reconnect, everything behind it stuck. Now it arrives split, the connection
// stays up, and the message typed after it is delivered.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BROWSER_SKIP } from '../helpers/browser.js';
import { TestClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { browserPerFile, leave, seesMessage, signedIn, startPrivate, statusIs } from '../helpers/web-user.js';

const browser = browserPerFile();
let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test(
  '#14 a message too large as a frame (12,000 ESC characters) arrives split, the connection is not stuck, and the next message is delivered',
  { skip: BROWSER_SKIP },
  async () => {
    const yara = await signedIn(browser(), server.port, 'Yara');
    const bob = await TestClient.as(server.port, 'Ybob');
    try {
      await startPrivate(yara.page, 'Ybob');
      const box = yara.page.getByRole('textbox', { name: 'Message' });
      const big = '\u001b'.repeat(12_000);
      await box.fill(big);
      await box.press('Enter');
      await box.fill('after the big one');
      await box.press('Enter');

      await bob.waitFor((m) => m.status === 'private' && m.text === 'after the big one', 15_000);
      const got = bob.received.filter((m) => m.status === 'private' && m.sender === 'Yara').map((m) => m.text);
      assert.equal(got.at(-1), 'after the big one');
      const pieces = got.slice(0, -1) as string[];
      assert.ok(pieces.length >= 2, `the big message arrived split (${pieces.length} pieces)`);
      assert.equal(pieces.join(''), big, 'every ESC arrived, in order');
      await seesMessage(yara.page, 'after the big one');
      await statusIs(yara.page, 'Connected');
    } finally {
      await bob.close();
      await leave(yara);
    }
  },
);
