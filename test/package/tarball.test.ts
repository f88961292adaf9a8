// The package as a user installs it (issue #13): `npm pack` ships what runs and what a user reads, and
// the packed tarball installs into a clean folder without the SQLite driver (an optional dependency)
// and without a build, where `classchat chat` talks to a server and `classchat serve` says in one line
// what it lacks. One pack and one install per run, shared by the tests below, which run in order.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ChatProcess } from '../helpers/chat-process.js';
import { TestClient } from '../helpers/client.js';
import { startServer } from '../helpers/server.js';

const run = promisify(execFile);
/** The repository's root: this file runs as dist/test/package/tarball.test.js. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** Bounds on npm: the install fetches from the registry (or npm's cache), which must not hang the suite. */
const PACK_TIMEOUT_MS = 60_000;
const INSTALL_TIMEOUT_MS = 180_000;

/**
 * Runs npm in `cwd` and resolves with its stdout; rejects with its stderr when it fails, or after
 * `timeoutMs`, killing its whole process group: a native build npm started (node-gyp, make) would
 * otherwise outlive it and hold its output open. The environment drops what `npm test` passes to its
 * scripts (npm_lifecycle_*, npm_package_*, the npm_config_* of this run) but keeps the registry, cache and
 * proxy settings a CI may set that way; and it drops c8's NODE_V8_COVERAGE, so npm's own code is not
 * measured with ours.
 */
/** npm settings a machine or CI may give in the environment: where the registry and the cache are, and how to reach them. */
const NPM_SETTINGS_KEPT = new Set(
  ['registry', 'cache', 'userconfig', 'globalconfig', 'proxy', 'https_proxy', 'noproxy', 'strict_ssl', 'cafile'].map(
    (name) => `npm_config_${name}`,
  ),
);

function keepForNpm(key: string): boolean {
  const lower = key.toLowerCase().replaceAll('-', '_');
  if (key === 'NODE_V8_COVERAGE') return false;
  return !lower.startsWith('npm_') || NPM_SETTINGS_KEPT.has(lower);
}

function npm(args: string[], cwd: string, timeoutMs: number): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => keepForNpm(k)));
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch (err) {
        // ESRCH: the group is gone already; anything else is a real failure to report.
        const failure = err as NodeJS.ErrnoException;
        if (failure.code !== 'ESRCH') return reject(failure);
      }
      reject(new Error(`npm ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => (clearTimeout(timer), reject(err)));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`npm ${args.join(' ')} exited ${code}:\n${stderr}`));
    });
  });
}

/** Every file under `dir`, as paths relative to it with '/' separators, sorted. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) =>
      path
        .relative(dir, path.join(e.parentPath ?? e.path, e.name))
        .split(path.sep)
        .join('/'),
    )
    .sort();
}

/** Runs an installed command to its end (killed after 10 s): its exit code (null if killed) and output. */
async function runToEnd(file: string, args: string[], cwd: string) {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, timeout: 10_000 });
    return { code: 0 as number | null, stdout, stderr };
  } catch (err) {
    const { code, stdout, stderr } = err as { code: unknown; stdout: string; stderr: string };
    return { code: typeof code === 'number' ? code : null, stdout, stderr };
  }
}

describe('#13.packaging the packed tarball', () => {
  let work = '';
  let tarball = '';
  /** The paths `npm pack` put in the tarball. */
  let packed: string[] = [];
  /** The clean folder the tarball is installed into; its node_modules is set once the install succeeded. */
  let folder = '';
  let installed: string | undefined;

  /** The installed package's node_modules, failing a test that needs it if the install test failed. */
  const install = (): { modules: string; bin: string } => {
    assert.ok(installed, 'the tarball did not install: see the install test');
    return { modules: installed, bin: path.join(installed, '.bin', 'classchat') };
  };

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-tarball-'));
    // --ignore-scripts: `npm pack` runs prepare (a clean tsc build: `build` empties dist first) first, and `npm test` has
    // just built dist; the tarball is the build this run tests.
    const stdout = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT, PACK_TIMEOUT_MS);
    const [report] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    packed = report!.files.map((f) => f.path).sort();
    tarball = path.join(work, path.basename(report!.filename));
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('#13.packaging npm pack ships the compiled src, the built web app, README, LICENSE and docs, and no tests, bench, scripts or source maps', () => {
    for (const wanted of ['package.json', 'README.md', 'LICENSE', 'dist/src/cli.js', 'dist/src/client/main.js'])
      assert.ok(packed.includes(wanted), `${wanted} is in the tarball`);
    assert.ok(
      packed.some((p) => p.startsWith('docs/')),
      'docs/ is in the tarball',
    );
    const stray = packed.filter(
      (p) =>
        !['package.json', 'README.md', 'LICENSE'].includes(p) &&
        !/^docs\//.test(p) &&
        !/^dist\/src\/.*\.js$/.test(p) &&
        !/^dist\/web\/(index\.html(\.gz|\.br)?|assets\/[^/]+)$/.test(p),
    );
    assert.deepEqual(
      stray,
      [],
      'nothing but the compiled src, the web app, the docs, README, LICENSE and package.json',
    );
    // Every module the build made for src/ ships: the list keeps out nothing that runs.
    const built = filesUnder(path.join(ROOT, 'dist/src'))
      .filter((p) => p.endsWith('.js'))
      .map((p) => `dist/src/${p}`);
    assert.deepEqual(
      packed.filter((p) => p.startsWith('dist/src/')),
      built,
    );
    // The browser client (#14): its page and every asset Vite built ship, with the compressed copies the
    // build made of them (#16), and nothing else of dist/web (the modules tsc compiles there for test/web
    // stay out).
    const web = filesUnder(path.join(ROOT, 'dist/web/assets')).map((p) => `dist/web/assets/${p}`);
    assert.ok(web.some((p) => p.endsWith('.js')) && web.some((p) => p.endsWith('.css')), 'the web app was built');
    assert.ok(
      web.some((p) => p.endsWith('.js.br')) && web.some((p) => p.endsWith('.js.gz')),
      'the build compressed the app',
    );
    const page = ['index.html', 'index.html.gz', 'index.html.br']
      .filter((name) => fs.existsSync(path.join(ROOT, 'dist/web', name)))
      .map((name) => `dist/web/${name}`);
    assert.deepEqual(
      packed.filter((p) => p.startsWith('dist/web/')),
      [...page, ...web].sort(),
    );
  });

  test(
    '#13.packaging the tarball installs into a clean folder without the SQLite driver and without a build (no TypeScript, nothing compiled)',
    { timeout: INSTALL_TIMEOUT_MS + 10_000 },
    async () => {
      // A folder of its own (with a package.json, so npm installs here and not in a folder above it),
      // out of the repository, so nothing resolves to the repository's node_modules.
      folder = path.join(work, 'clean');
      fs.mkdirSync(folder);
      fs.writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name: 'clean', private: true }));
      const args = ['install', tarball, '--omit=optional', '--no-audit', '--no-fund', '--prefer-offline'];
      await npm([...args, '--loglevel=error'], folder, INSTALL_TIMEOUT_MS);
      const modules = path.join(folder, 'node_modules');
      assert.ok(fs.existsSync(path.join(modules, 'classchat/dist/src/cli.js')), 'classchat is installed');
      assert.ok(fs.existsSync(path.join(modules, '.bin/classchat')), 'the classchat command is linked in .bin');
      assert.ok(fs.existsSync(path.join(modules, 'pino')), 'its dependencies are installed');
      assert.equal(fs.existsSync(path.join(modules, 'better-sqlite3')), false, 'the driver is not installed');
      assert.equal(fs.existsSync(path.join(modules, 'typescript')), false, 'TypeScript is not installed');
      // A build at install (prepare running tsc) would have failed without TypeScript, or left files
      // beside the shipped ones (source maps at least): the installed package is exactly the tarball.
      assert.deepEqual(filesUnder(path.join(modules, 'classchat')), packed);
      installed = modules;
    },
  );

  test('#13.packaging classchat chat from the clean install sends and receives through a server', async () => {
    const { bin } = install();
    const server = await startServer();
    let bob: TestClient | undefined;
    const p = ChatProcess.start(server.port, ['--user', 'PkgAlice'], {}, folder, bin);
    try {
      await p.waitFor(/welcome, PkgAlice/, 0, 10_000);
      bob = await TestClient.as(server.port, 'PkgBob');
      p.type('/msg PkgBob from the installed client');
      const got = await bob.event('private', { text: 'from the installed client' });
      assert.equal(got.sender, 'PkgAlice');
      bob.send({ status: 'private', receiver: 'PkgAlice', text: 'back to the installed client' });
      await p.waitFor(/\[@PkgBob\] <PkgBob> back to the installed client/);
      p.type('/exit');
      assert.equal(await p.exit(), 0);
      assert.equal(p.stderr, '');
    } finally {
      p.kill();
      await bob?.close();
      await server.stop();
    }
  });

  test('#13.packaging classchat serve and admin from the clean install say in one line that they need better-sqlite3, and exit 1', async () => {
    const { bin } = install();
    // Arguments that would not bind a well-known port or write in the folder if the check were gone.
    const data = path.join(work, 'data');
    const argsFor = { serve: ['--port', '0', '--data', data], admin: ['list-users', '--data', data] };
    for (const [command, args] of Object.entries(argsFor)) {
      // Run as a user runs it: the linked script itself, through its #! line.
      const result = await runToEnd(bin, [command, ...args], folder);
      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.stdout, '');
      assert.equal(
        result.stderr,
        `classchat ${command}: the server needs the SQLite driver better-sqlite3, which is not installed: ` +
          'run "npm install better-sqlite3" where classchat is installed (with -g if it is installed globally); ' +
          '"classchat chat" works without it\n',
      );
    }
  });

  test('#13.packaging classchat serve with a driver that is installed but not built says in one line to rebuild it', async () => {
    const { modules, bin } = install();
    // What an install leaves when better-sqlite3's install script fails or is not run: the package
    // without its compiled addon, which (as in the real driver) fails on the first open.
    const fake = path.join(modules, 'better-sqlite3');
    fs.mkdirSync(fake);
    try {
      fs.writeFileSync(path.join(fake, 'package.json'), JSON.stringify({ name: 'better-sqlite3', main: 'index.js' }));
      fs.writeFileSync(
        path.join(fake, 'index.js'),
        `module.exports = class Database { constructor() { throw new Error('Could not locate the bindings file. Tried:\\n → build/better_sqlite3.node'); } };`,
      );
      const result = await runToEnd(bin, ['serve', '--port', '0', '--data', path.join(work, 'data')], folder);
      assert.equal(result.code, 1, result.stderr);
      assert.equal(
        result.stderr,
        'classchat serve: the server needs the SQLite driver better-sqlite3, which is installed but does not load ' +
          '(Could not locate the bindings file. Tried:): run "npm rebuild better-sqlite3" where classchat is ' +
          'installed (with -g if it is installed globally)\n',
      );
    } finally {
      fs.rmSync(fake, { recursive: true, force: true });
    }
  });
});
