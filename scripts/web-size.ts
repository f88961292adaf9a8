// Prints the browser client's JavaScript size, gzipped, after `vite build` (issue #14), and fails the build
// when it passes its budget: the app must load quickly on a phone on a school network.
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** The budget for all the app's JavaScript, gzipped. */
const BUDGET_BYTES = 60 * 1024;

const dir = path.join('dist', 'web', 'assets');
const scripts = fs.readdirSync(dir).filter((name) => name.endsWith('.js'));
let total = 0;
for (const name of scripts) total += gzipSync(fs.readFileSync(path.join(dir, name)), { level: 9 }).length;
const kib = (total / 1024).toFixed(1);
if (total > BUDGET_BYTES) {
  console.error(`web app JavaScript is ${kib} KiB gzipped, over its ${BUDGET_BYTES / 1024} KiB budget`);
  process.exit(1);
}
console.log(`web app JavaScript: ${kib} KiB gzipped (budget ${BUDGET_BYTES / 1024} KiB)`);
