/**
 * A person using the built web app in headless Chromium (issue #14 browser tests, test/e2e/): open the
 * page, sign in, pick and send in a conversation, read the log. Every wait is for what the page shows,
 * with a timeout (playwright's auto-waiting locators or waitForFunction), never a fixed sleep. Each user
 * has its own browser context, so its localStorage (the kept session and claim token) is its own.
 */
import path from 'node:path';
import { after, before } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { BROWSER_SKIP, launchBrowser } from './browser.js';

/** How long a wait for something on the page may take before the test fails. */
export const UI_TIMEOUT_MS = 10_000;

/**
 * One headless Chromium for a test file: launched before its first test and closed after its last (where
 * there is a browser; the tests themselves are skipped with BROWSER_SKIP otherwise). Call at top level.
 */
export function browserPerFile(): () => Browser {
  let browser: Browser | undefined;
  before(async () => {
    if (!BROWSER_SKIP) browser = await launchBrowser();
  });
  after(() => browser?.close());
  return () => {
    if (!browser) throw new Error('the browser starts in before(): use it inside a test');
    return browser;
  };
}

export interface WebUser {
  name: string;
  context: BrowserContext;
  page: Page;
}

export interface OpenOptions {
  viewport?: { width: number; height: number };
}

/** A fresh context (its own storage) with one page at the app served on `port`. */
export async function openApp(browser: Browser, port: number, options: OpenOptions = {}): Promise<WebUser> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1100, height: 760 } });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  const page = await context.newPage();
  await page.goto(appUrl(port));
  return { name: '', context, page };
}

export function appUrl(port: number): string {
  return `http://127.0.0.1:${port}/`;
}

/** Opens the app and signs in as `name` (registering it on first use); resolves once signed in. */
export async function signedIn(
  browser: Browser,
  port: number,
  name: string,
  options: OpenOptions = {},
): Promise<WebUser> {
  const user = await openApp(browser, port, options);
  await signIn(user.page, name);
  return { ...user, name };
}

/** Fills the sign-in form and waits for the app behind it ("Sign out" and the Connected status). */
export async function signIn(page: Page, name: string, password = ''): Promise<void> {
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  if (password !== '') await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await waitSignedIn(page);
}

/** Waits until the app is signed in and connected. */
export async function waitSignedIn(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await statusIs(page, 'Connected');
}

/** Waits until the connection status reads `word` (Connected, Reconnecting…, Offline). */
export async function statusIs(page: Page, word: string, timeout = UI_TIMEOUT_MS): Promise<void> {
  await page.getByRole('status').filter({ hasText: word }).first().waitFor({ timeout });
}

/** A page again in the same context (the kept session signs it back in), after the old one was closed. */
export async function reopen(user: WebUser, port: number): Promise<WebUser> {
  const page = await user.context.newPage();
  await page.goto(appUrl(port));
  await waitSignedIn(page);
  return { ...user, page };
}

/** The sidebar button of a conversation: "everyone", "#Lab", "Bob", or its full name with unread counts. */
export function conversation(page: Page, label: string | RegExp): Locator {
  return page
    .getByRole('navigation', { name: 'Conversations' })
    .getByRole('button', { name: label, exact: typeof label === 'string' ? true : undefined });
}

/** The sidebar button whose name begins with `title` (with or without its unread counts). */
export function conversationTitled(page: Page, title: string): Locator {
  return conversation(page, new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\#]/g, '\\$&')}(,|$)`));
}

/** Opens a conversation by its title and waits until it is the selected one. */
export async function openConversation(page: Page, title: string): Promise<void> {
  const button = conversationTitled(page, title);
  await button.click();
  await page.waitForFunction(
    (t) =>
      [...document.querySelectorAll('nav[aria-label="Conversations"] button[aria-current="page"]')].some(
        (b) => (b.getAttribute('aria-label') ?? '').split(',')[0] === t,
      ),
    title,
    { timeout: UI_TIMEOUT_MS },
  );
}

/** Asks the sidebar's dialog (New room / Join room / New message) and submits `value`. */
async function ask(page: Page, opener: string, field: string, action: string, value: string): Promise<void> {
  await page.getByRole('button', { name: opener, exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: field }).fill(value);
  await dialog.getByRole('button', { name: action, exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/** Creates room `room` and waits for it in the sidebar. */
export async function createRoom(page: Page, room: string): Promise<void> {
  await ask(page, 'New room', 'Room name', 'Create', room);
  await conversationTitled(page, `#${room}`).waitFor();
}

/** Joins room `room` and waits for it in the sidebar. */
export async function joinRoom(page: Page, room: string): Promise<void> {
  await ask(page, 'Join room', 'Room name', 'Join', room);
  await conversationTitled(page, `#${room}`).waitFor();
}

/** Starts (opens) a private conversation with `user`. */
export async function startPrivate(page: Page, user: string): Promise<void> {
  await ask(page, 'New message', 'User', 'Start', user);
  await conversationTitled(page, user).waitFor();
}

/** The message log of the open conversation. */
export function log(page: Page): Locator {
  return page.getByRole('log', { name: 'Messages' });
}

/** Types `text` in the composer and presses Enter; waits until the log shows it. */
export async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
  await seesMessage(page, text);
}

/** Waits until a message in the open conversation's log contains `text`. */
export async function seesMessage(page: Page, text: string, timeout = UI_TIMEOUT_MS): Promise<void> {
  await log(page).locator('article[data-msgid]').filter({ hasText: text }).first().waitFor({ timeout });
}

/** The msgids of the messages the log shows, in order. */
export function shownMsgids(page: Page): Promise<number[]> {
  return log(page)
    .locator('article[data-msgid]')
    .evaluateAll((articles) => articles.map((a) => Number(a.getAttribute('data-msgid'))));
}

/** The text of each message body the log shows, in order. */
export function shownTexts(page: Page): Promise<string[]> {
  return log(page)
    .locator('article[data-msgid] .msg-body')
    .evaluateAll((bodies) => bodies.map((b) => (b as HTMLElement).innerText.trim()));
}

/**
 * Saves a screenshot when CLASSCHAT_TEST_SCREENSHOTS names a directory (to look at what a test asserts),
 * and does nothing otherwise.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.CLASSCHAT_TEST_SCREENSHOTS;
  if (dir) await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

/** Makes the page report itself hidden or shown, as switching tabs does (headless Chromium never hides a page). */
export function setHidden(page: Page, hidden: boolean): Promise<void> {
  return page.evaluate((h) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

/** Closes the user's context (all its pages). */
export async function leave(user: WebUser): Promise<void> {
  await user.context.close();
}
