/**
 * The other side of `npm run bench -- --compare REF` (#16): resolves REF with git and builds that
 * commit's server into a cache directory, os.tmpdir()/classchat-bench-ref/<full sha>/, reused by later
 * runs. The tree comes from `git archive` (no worktree is registered in the repository), node_modules
 * is a symbolic link to this checkout's, and only src/ is compiled: the bench needs the server alone,
 * not the web app, the tests or the ref's own bench (the load generator is always this checkout's).
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** REF is not a commit here, or its server does not build: the bench refuses to run (exit 2). */
export class RefError extends Error {}

export interface RefBuild {
  /** The full commit id REF resolved to. */
  sha: string;
  /** Its compiled server, to run instead of this checkout's dist/src/cli.js. */
  cli: string;
  /** False when an earlier run's build was reused. */
  built: boolean;
}

/** The cache's root; one directory per commit below it. */
export const REF_CACHE_ROOT = path.join(os.tmpdir(), 'classchat-bench-ref');
/** Written last: a directory without it is an interrupted build, not a cache entry. */
const BUILT_MARK = '.classchat-bench-built';
/** Compiles src/ alone into dist/src (rootDir stays the project's, so the paths match a full build). */
const SERVER_TSCONFIG = 'tsconfig.bench-ref.json';
const OUTPUT_KEEP = 3000;

const run = promisify(execFile);

/** The full commit id of `ref` in the repository at `repoDir`; RefError if git knows no such commit. */
export async function resolveRef(ref: string, repoDir: string): Promise<string> {
  try {
    // --end-of-options: a revision can never be read as a flag; ^{commit} peels a tag to its commit.
    const { stdout } = await run('git', ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], {
      cwd: repoDir,
    });
    const sha = stdout.trim();
    if (/^[0-9a-f]{40,64}$/.test(sha)) return sha;
  } catch {
    // git exits 1 (with --quiet, silently) for an unknown revision; 128 outside a repository.
  }
  throw new RefError(`--compare ${ref}: not a commit in ${repoDir} (git rev-parse found none)`);
}

/**
 * Resolves `ref` and returns its built server, building it first unless the cache has it. The build
 * happens in a fresh directory renamed into place at the end, so an interrupted or failed build never
 * looks like a cached one, and two benches building the same commit do not write over each other.
 */
export async function buildRef(
  ref: string,
  repoDir: string,
  note: (text: string) => void,
  cacheRoot = REF_CACHE_ROOT,
): Promise<RefBuild> {
  const sha = await resolveRef(ref, repoDir);
  const dir = path.join(cacheRoot, sha);
  const cli = path.join(dir, 'dist', 'src', 'cli.js');
  if (fs.existsSync(path.join(dir, BUILT_MARK)) && fs.existsSync(cli)) return { sha, cli, built: false };
  fs.mkdirSync(cacheRoot, { recursive: true });
  // A directory without the mark is a build that was interrupted: start again.
  fs.rmSync(dir, { recursive: true, force: true });
  const staging = fs.mkdtempSync(path.join(cacheRoot, `${sha}.building-`));
  try {
    note(`--compare ${ref}: building the server of ${sha.slice(0, 12)} in ${dir}`);
    await extract(sha, repoDir, staging);
    fs.symlinkSync(fs.realpathSync(path.join(repoDir, 'node_modules')), path.join(staging, 'node_modules'), 'dir');
    fs.writeFileSync(
      path.join(staging, SERVER_TSCONFIG),
      JSON.stringify({
        extends: './tsconfig.json',
        compilerOptions: { rootDir: '.', outDir: 'dist', sourceMap: false },
        include: ['src/**/*.ts'],
      }),
    );
    await compile(staging, ref, sha);
    if (!fs.existsSync(path.join(staging, 'dist', 'src', 'cli.js')))
      throw new RefError(`--compare ${ref}: the build of ${sha.slice(0, 12)} made no dist/src/cli.js`);
    fs.writeFileSync(path.join(staging, BUILT_MARK), `${new Date().toISOString()}\n`);
    try {
      fs.renameSync(staging, dir);
    } catch (err) {
      // Another bench finished the same commit first: its build serves as well as ours.
      if (!fs.existsSync(path.join(dir, BUILT_MARK))) throw err;
      fs.rmSync(staging, { recursive: true, force: true });
    }
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  return { sha, cli, built: true };
}

/** `git archive SHA | tar -x -C dir`: the commit's files, without touching the repository's worktrees. */
function extract(sha: string, repoDir: string, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const archive = spawn('git', ['archive', '--format=tar', sha], { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
    const tar = spawn('tar', ['-x', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
    archive.stdout.pipe(tar.stdin);
    let errors = '';
    archive.stderr.on('data', (c: Buffer) => (errors += c.toString()));
    tar.stderr.on('data', (c: Buffer) => (errors += c.toString()));
    let pending = 2;
    let failed = '';
    const exited = (what: string) => (code: number | null) => {
      if (code !== 0) failed ||= `${what} exited with ${code}`;
      if (--pending > 0) return;
      if (failed) reject(new RefError(`extracting ${sha.slice(0, 12)} failed (${failed}): ${errors.trim()}`));
      else resolve();
    };
    archive.on('error', reject);
    tar.on('error', reject);
    archive.on('close', exited('git archive'));
    tar.on('close', exited('tar'));
  });
}

/** This checkout's TypeScript compiler over the ref's src/; RefError with its output if it fails. */
async function compile(dir: string, ref: string, sha: string): Promise<void> {
  const tsc = path.join(dir, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await run(process.execPath, [tsc, '-p', SERVER_TSCONFIG], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || e.message;
    const tail = output.length > OUTPUT_KEEP ? '...' + output.slice(-OUTPUT_KEEP) : output;
    throw new RefError(`--compare ${ref}: the server of ${sha.slice(0, 12)} does not build (tsc):\n${tail}`);
  }
}
