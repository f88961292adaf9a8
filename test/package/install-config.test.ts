// The repository's install configuration (issue #12.7): npm commands run without warnings, and the
// SQLite driver is still built from source (the project never downloads binaries at install).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';

const run = promisify(execFile);
/** The repository's root: this file runs as dist/test/package/install-config.test.js. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The environment without what npm passes to scripts (npm_config_*), so a child sees only the files. */
function cleanEnv(home: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  return { ...env, HOME: home };
}

test('#12.7 an npm command in the repository prints no "Unknown project config" warning', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-npm-home-'));
  try {
    const { stdout, stderr } = await run('npm', ['pkg', 'get', 'name'], { cwd: ROOT, env: cleanEnv(home) });
    assert.equal(stdout.trim(), '"classchat"');
    assert.doesNotMatch(stderr, /Unknown project config/);
    assert.doesNotMatch(stderr, /npm warn/i, stderr);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test("#12.7 prebuild-install's configuration, as better-sqlite3's install reads it in the repository, builds from source", async () => {
  // prebuild-install's rc module looks for .prebuild-installrc from its working directory upward; at
  // install that is node_modules/better-sqlite3, under the root. (node_modules may be a symlink to
  // another checkout, so the check runs from the root itself, the file's home.) HOME is empty so a
  // user's own ~/.prebuild-installrc cannot make this pass.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-npm-home-'));
  try {
    const rc = createRequire(import.meta.url).resolve('prebuild-install/rc.js');
    const script = `const rc = require(${JSON.stringify(rc)})({ name: 'better-sqlite3' }); process.stdout.write(JSON.stringify(rc.buildFromSource))`;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: ROOT, env: cleanEnv(home) });
    assert.equal(stdout, 'true');
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});
