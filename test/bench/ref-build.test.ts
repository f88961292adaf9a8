// Building the other side of --compare (#16), on a two-commit repository made here: a revision is
// resolved to its full commit id, built once into the cache and reused, and an unknown revision or a
// commit that does not compile is a RefError (the bench's exit 2) that leaves nothing in the cache.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildRef, RefError, resolveRef } from '../../bench/ref-build.js';

/** This checkout's node_modules (dist/test/bench/ is three levels below it): TypeScript comes from there. */
const NODE_MODULES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../node_modules');

function makeRepo(): { repo: string; cache: string; good: string; broken: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-ref-build-test-'));
  const repo = path.join(root, 'repo');
  fs.mkdirSync(path.join(repo, 'src'), { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], {
      cwd: repo,
      encoding: 'utf8',
    }).trim();
  git('init', '-q');
  fs.writeFileSync(
    path.join(repo, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'NodeNext', strict: true, outDir: 'dist', skipLibCheck: true, types: [] },
      include: ['**/*.ts'],
    }),
  );
  fs.writeFileSync(path.join(repo, 'src', 'cli.ts'), 'export const answer: number = 42;\n');
  // Outside src/: a ref's tests and bench are not compiled, so this type error does not stop the build.
  fs.writeFileSync(path.join(repo, 'other.ts'), "export const wrong: number = 'not compiled';\n");
  git('add', '.');
  git('commit', '-q', '-m', 'good');
  const good = git('rev-parse', 'HEAD');
  fs.writeFileSync(path.join(repo, 'src', 'cli.ts'), "export const answer: number = 'forty-two';\n");
  git('commit', '-q', '-am', 'broken');
  const broken = git('rev-parse', 'HEAD');
  fs.symlinkSync(NODE_MODULES, path.join(repo, 'node_modules'), 'dir');
  return { repo, cache: path.join(root, 'cache'), good, broken };
}

test('#16 a revision resolves to its full commit id; an unknown one is a RefError', async () => {
  const { repo, good, broken } = makeRepo();
  assert.equal(await resolveRef('HEAD~1', repo), good);
  assert.equal(await resolveRef('HEAD', repo), broken);
  assert.equal(await resolveRef(good.slice(0, 10), repo), good);
  await assert.rejects(
    resolveRef('no-such-branch', repo),
    (err) => err instanceof RefError && /not a commit/.test(err.message),
  );
  fs.rmSync(path.dirname(repo), { recursive: true, force: true });
});

test('#16 a ref is built once into the cache (src/ only) and reused; a failed build is a RefError and leaves nothing', async () => {
  const { repo, cache, good, broken } = makeRepo();
  const notes: string[] = [];
  const first = await buildRef('HEAD~1', repo, (t) => notes.push(t), cache);
  assert.equal(first.sha, good);
  assert.equal(first.built, true);
  assert.equal(first.cli, path.join(cache, good, 'dist', 'src', 'cli.js'));
  assert.match(fs.readFileSync(first.cli, 'utf8'), /answer = 42/);
  assert.equal(fs.existsSync(path.join(cache, good, 'dist', 'other.js')), false, 'only src/ is compiled');
  assert.equal(notes.length, 1);

  const again = await buildRef(good, repo, (t) => notes.push(t), cache);
  assert.deepEqual(again, { ...first, built: false });
  assert.equal(notes.length, 1, 'no second build');

  await assert.rejects(
    buildRef('HEAD', repo, () => {}, cache),
    (err) => err instanceof RefError && /does not build/.test(err.message) && /TS2322/.test(err.message),
  );
  const left = fs.readdirSync(cache);
  assert.deepEqual(left, [good], 'neither the broken build nor its staging directory is left');
  assert.ok(!left.some((name) => name.startsWith(broken)));
  fs.rmSync(path.dirname(repo), { recursive: true, force: true });
});
