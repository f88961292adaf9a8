/**
 * `npm run screenshots` (issue #14): the pictures of the web app in the README, taken from the real thing.
 * Starts the built server on a free loopback port with a temporary data directory, plays a class
 * conversation over the line protocol (scripts/screenshot-scene.ts), signs Maya in with headless Chromium
 * and saves docs/screenshots/*.png: desktop light and dark (1280x800), phone (390x844) with the drawer
 * closed and open. Stops the server and the browser at the end, and gives up after two minutes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../test/helpers/browser.js';
import { runAdmin, spawnServer, type ChildServer } from '../test/helpers/server.js';
import { BROWSER_USER, DIAGRAM_SVG, INSTRUCTOR, playScene, type Scene } from './screenshot-scene.js';

const OUT_DIR = process.argv[2] ?? 'docs/screenshots';
const DEADLINE_MS = 120_000;
/** How long one step in the browser may take. */
const STEP_MS = 15_000;

let server: ChildServer | undefined;
let scene: Scene | undefined;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-screenshots-'));
const browser = await launchBrowser();

const deadline = setTimeout(() => {
  console.error(`screenshots: not done within ${DEADLINE_MS / 1000} s; stopping`);
  void cleanUp().finally(() => process.exit(1));
}, DEADLINE_MS);

try {
  await main();
} catch (err) {
  console.error('screenshots failed:', err);
  process.exitCode = 1;
} finally {
  clearTimeout(deadline);
  await cleanUp();
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const made = await runAdmin(dataDir, ['add-user', INSTRUCTOR.name, '--admin'], `${INSTRUCTOR.password}\n`);
  if (made.code !== 0) throw new Error(`classchat admin add-user failed: ${made.stderr}`);
  // The people in the scene send faster than anyone types; the flood guard is not what is being shown.
  server = await spawnServer(dataDir, ['--flood-burst', '1000', '--flood-rate', '1000', '--scrypt-cost', '12']);
  scene = await playScene(server.port, await renderDiagram());

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const page = await context.newPage();
  await page.emulateMedia({ reducedMotion: 'reduce' }); // the drawer opens without an animation to wait for
  await page.goto(`http://127.0.0.1:${server.port}/`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: STEP_MS });
  await shoot(page, 'sign-in.png');
  await page.getByRole('textbox', { name: 'Name' }).fill(BROWSER_USER.name);
  await page.getByRole('textbox', { name: 'Password' }).fill(BROWSER_USER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Conversations' }).waitFor({ timeout: STEP_MS });
  await page.getByRole('button', { name: /^#CS101\b/ }).click();
  await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: STEP_MS });
  await imagesLoaded(page);
  await shoot(page, 'desktop-light.png');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shoot(page, 'desktop-dark.png');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 390, height: 844 });
  // On the phone, the newest messages: the mention, and the diagram above it.
  await page.getByRole('log', { name: 'Messages' }).evaluate((log) => log.scrollTo(0, log.scrollHeight));
  await imagesLoaded(page);
  await shoot(page, 'phone.png');
  await page.getByRole('button', { name: 'Open conversations' }).click();
  await page.getByRole('navigation', { name: 'Conversations' }).waitFor({ state: 'visible', timeout: STEP_MS });
  await shoot(page, 'phone-drawer.png');
  if (process.env.CLASSCHAT_SCREENSHOTS_EXTRA === '1') await extraShots(page);
  await context.close();
}

/** Views to check by eye, not for the README: an empty conversation and the members panel. */
async function extraShots(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Message Lee' }).click();
  await shoot(page, 'extra-phone-empty.png');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('button', { name: /^#Lab-3\b/ }).click();
  await page.getByRole('button', { name: 'Members' }).click();
  await shoot(page, 'extra-members.png');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'New room' }).click();
  await shoot(page, 'extra-dialog.png');
}

/** The lecture diagram as PNG bytes, drawn by the browser from its SVG. */
async function renderDiagram(): Promise<Buffer> {
  const page = await browser.newPage({ viewport: { width: 480, height: 200 } });
  await page.setContent(`<body style="margin:0">${DIAGRAM_SVG}</body>`);
  const png = await page.locator('svg').screenshot({ type: 'png' });
  await page.close();
  return png;
}

/**
 * Waits for the diagram's preview (fetched once it scrolls into view) and for every image to be decoded.
 * The log stays where the app put it: at the "New since you were away" divider.
 */
async function imagesLoaded(page: Page): Promise<void> {
  await page.getByRole('img', { name: 'linked-list.png' }).waitFor({ timeout: STEP_MS });
  await page.waitForFunction(() => Array.from(document.images).every((img) => img.complete && img.naturalWidth > 0), {
    timeout: STEP_MS,
  });
}

async function shoot(page: Page, name: string): Promise<void> {
  // Two frames: whatever the last change (a colour scheme, a viewport) restyled is painted.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.screenshot({ path: path.join(OUT_DIR, name) });
  console.log(`wrote ${path.join(OUT_DIR, name)}`);
}

async function cleanUp(): Promise<void> {
  for (const client of scene?.online.splice(0) ?? []) await client.close();
  await browser.close().catch(() => {});
  if (server) await server.stop();
  server = undefined;
  fs.rmSync(dataDir, { recursive: true, force: true });
}
