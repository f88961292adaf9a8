// Browser end to end (review of #14): signing out at a shared computer. A name without a password is held
// by the claim token the browser keeps; "Sign out" asks whether to forget it, so the next person at the
// same browser cannot sign in as that name by typing it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BROWSER_SKIP } from '../helpers/browser.js';
import { withTimeout } from '../helpers/expect.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { browserPerFile, leave, signedIn, signIn, UI_TIMEOUT_MS, type WebUser } from '../helpers/web-user.js';

const browser = browserPerFile();
let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

/** Signs `user` out, answering the "forget this name" question with `forget`; returns the question asked. */
async function signOut(user: WebUser, forget: boolean): Promise<string> {
  const asked = new Promise<string>((resolve) =>
    user.page.once('dialog', (dialog) => {
      resolve(dialog.message());
      void (forget ? dialog.accept() : dialog.dismiss());
    }),
  );
  await user.page.getByRole('button', { name: 'Sign out' }).click();
  const question = await withTimeout(asked, UI_TIMEOUT_MS, 'the question whether to forget the name');
  await user.page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: UI_TIMEOUT_MS });
  return question;
}

test(
  '#14 signing out can forget a name without a password, so the next person at the browser cannot take it; kept, it signs in again',
  { skip: BROWSER_SKIP },
  async () => {
    const kept = await signedIn(browser(), server.port, 'Kira');
    const keptQuestion = await signOut(kept, false);
    assert.match(keptQuestion, /Forget "Kira" on this browser/);
    await signIn(kept.page, 'Kira'); // the kept claim signs the same name in again without a password
    await leave(kept);

    const shared = await signedIn(browser(), server.port, 'Lena');
    await signOut(shared, true);
    // The next person at the same browser types the name: refused, the claim is gone from this browser.
    await shared.page.getByRole('textbox', { name: 'Name' }).fill('Lena');
    await shared.page.getByRole('button', { name: 'Sign in' }).click();
    const alert = shared.page.getByRole('alert');
    await alert.waitFor({ timeout: UI_TIMEOUT_MS });
    assert.match((await alert.textContent()) ?? '', /name is taken/);
    assert.equal(await shared.page.getByRole('button', { name: 'Sign out' }).count(), 0, 'not signed in as Lena');
    await leave(shared);
  },
);
