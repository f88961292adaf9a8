/**
 * Headless Chromium for the browser tests (#14): Debian's /usr/bin/chromium driven by playwright-core,
 * which downloads no browser of its own. CI installs chromium and sets CLASSCHAT_TEST_REQUIRE_BROWSER=1,
 * so a missing browser fails there; elsewhere the tests are skipped with the reason.
 */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Debian puts Chromium; CLASSCHAT_TEST_CHROMIUM overrides it. */
export const CHROMIUM_PATH = process.env.CLASSCHAT_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** The `skip` of a test that needs a browser: false where Chromium is installed or required, else why. */
export const BROWSER_SKIP: string | false =
  !fs.existsSync(CHROMIUM_PATH) && process.env.CLASSCHAT_TEST_REQUIRE_BROWSER !== '1'
    ? `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium); CI installs it`
    : false;

/**
 * Launches headless Chromium (playwright gives it a fresh temporary profile). The flags keep it off the network: this machine's
 * closed network refuses Chromium's background connections, and a sandbox needs privileges CI lacks.
 * `extraArgs`: more command-line flags (e.g. --host-resolver-rules, to reach loopback by another name).
 */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
