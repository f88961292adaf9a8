// Browser end to end (issue #14): a room's owner moderates from the browser. "Kick <user>" in the room's
// Members list removes a member (the server says so to both), and "Delete room" (after a confirmation)
// removes the room for everyone. A member who is not the owner is offered neither.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BROWSER_SKIP } from '../helpers/browser.js';
import { TestClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { browserPerFile, conversationTitled, createRoom, leave, seesMessage, signedIn } from '../helpers/web-user.js';

const browser = browserPerFile();
let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test(
  "#14 a room's owner kicks a member and deletes the room from the browser; a plain member is offered neither",
  { skip: BROWSER_SKIP },
  async () => {
    const owner = await signedIn(browser(), server.port, 'Mowner');
    const member = await signedIn(browser(), server.port, 'Mmember');
    const bob = await TestClient.as(server.port, 'Mbob');
    try {
      await createRoom(owner.page, 'Mlab');
      await bob.ok({ status: 'join', receiver: 'Mlab' });
      await member.page.getByRole('button', { name: 'Join room' }).click();
      await member.page.getByRole('textbox', { name: 'Room name' }).fill('Mlab');
      await member.page.getByRole('button', { name: 'Join', exact: true }).click();
      await conversationTitled(member.page, '#Mlab').waitFor();

      // The plain member's Members list has no moderation buttons, and there is no "Delete room".
      await member.page.getByRole('button', { name: 'Members' }).click();
      await member.page.getByRole('list', { name: 'Members of Mlab' }).getByText('Mbob').waitFor();
      assert.equal(await member.page.getByRole('button', { name: /^Kick / }).count(), 0);
      assert.equal(await member.page.getByRole('button', { name: 'Delete room' }).count(), 0);

      await owner.page.getByRole('button', { name: 'Members' }).click();
      await owner.page.getByRole('button', { name: 'Kick Mbob' }).click();
      const kicked = await bob.waitFor((m) => m.status === 'system' && m.event === 'kicked', 10_000, 'the kick');
      assert.equal(kicked.receiver, 'Mlab');
      await seesMessage(owner.page, 'Mbob was removed from Mlab');
      const members = await bob.ok({ status: 'members', receiver: 'Mlab' }).catch((err: Error) => err.message);
      assert.doesNotMatch(JSON.stringify(members), /"Mbob"/, 'Mbob is no longer a member');

      owner.page.once('dialog', (dialog) => void dialog.accept());
      await owner.page.getByRole('button', { name: 'Delete room' }).click();
      await conversationTitled(member.page, '#Mlab').waitFor({ state: 'detached' });
      await conversationTitled(owner.page, '#Mlab').waitFor({ state: 'detached' });
      const rooms = await bob.ok({ status: 'rooms' });
      assert.ok(!JSON.stringify(rooms).includes('Mlab'), 'the room is gone for everyone');
    } finally {
      await bob.close();
      await leave(owner);
      await leave(member);
    }
  },
);
