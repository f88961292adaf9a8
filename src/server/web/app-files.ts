/**
 * The web app's files (issue #14), read once at start into memory: the app is a few hundred KiB, and
 * a table of what was found is what keeps a request path from ever reaching the file system (no path
 * traversal, whatever the URL says). Text files are compressed once, gzip and brotli, not per request:
 * by the build, which writes the copies beside them, else here at start (precompressed.ts, issue #16).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Encoding } from './accept-encoding.js';
import { encodedCopy, SUFFIXES, writeEncodedCopy } from './precompressed.js';

/** One file as served: its bytes in each encoding worth keeping, its type and its validator. */
export interface AppFile {
  /** The URL path it answers, e.g. `/assets/app-abc123.js`. */
  urlPath: string;
  contentType: string;
  identity: Buffer;
  gzip: Buffer | null;
  br: Buffer | null;
  /** A weak ETag (the same for every encoding of the file, which a weak validator allows). */
  etag: string;
}

/** The files of the app by URL path; null when the app is not built (no index.html). */
export type AppFiles = ReadonlyMap<string, AppFile> | null;

/** Types by extension; the text ones are compressed. Anything else is served as bytes. */
const TYPES: Record<string, { type: string; text: boolean }> = {
  '.html': { type: 'text/html; charset=utf-8', text: true },
  '.js': { type: 'text/javascript; charset=utf-8', text: true },
  '.mjs': { type: 'text/javascript; charset=utf-8', text: true },
  '.css': { type: 'text/css; charset=utf-8', text: true },
  '.json': { type: 'application/json; charset=utf-8', text: true },
  '.map': { type: 'application/json; charset=utf-8', text: true },
  '.webmanifest': { type: 'application/manifest+json; charset=utf-8', text: true },
  '.svg': { type: 'image/svg+xml; charset=utf-8', text: true },
  '.txt': { type: 'text/plain; charset=utf-8', text: true },
  '.png': { type: 'image/png', text: false },
  '.jpg': { type: 'image/jpeg', text: false },
  '.webp': { type: 'image/webp', text: false },
  '.ico': { type: 'image/x-icon', text: false },
  '.woff2': { type: 'font/woff2', text: false },
  '.wasm': { type: 'application/wasm', text: false },
};

/** Smaller than this, a compressed copy saves less than its headers cost. */
const MIN_COMPRESS_BYTES = 256;
/** The whole app must stay small: past this the server refuses to start rather than hold it in memory. */
const MAX_APP_BYTES = 32 * 1024 * 1024;

/** dist/web, beside the compiled server: this file is dist/src/server/web/app-files.js. */
export function defaultWebDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web');
}

/**
 * Once per directory per process, so a process that starts many servers (the tests) reads it, and without
 * the build's compressed copies compresses it, once. A server reads its app once anyway.
 */
const loaded = new Map<string, AppFiles>();

/**
 * Reads every regular file under `dir` (symbolic links are not followed) into the table, once per
 * process. A missing directory or one without index.html is "not built": null. Throws when a file
 * cannot be read or the app is unreasonably large.
 */
export function loadAppFiles(dir: string): AppFiles {
  const key = path.resolve(dir);
  let files = loaded.get(key);
  if (files === undefined) {
    files = readAppFiles(key);
    loaded.set(key, files);
  }
  return files;
}

function readAppFiles(dir: string): AppFiles {
  if (!fs.existsSync(path.join(dir, 'index.html'))) return null;
  const files = new Map<string, AppFile>();
  let total = 0;
  for (const relative of servedFiles(dir)) {
    const file = path.join(dir, relative);
    const modifiedMs = fs.statSync(file).mtimeMs;
    const identity = fs.readFileSync(file);
    total += identity.length;
    if (total > MAX_APP_BYTES) throw new Error(`the web app in ${dir} is over ${MAX_APP_BYTES} bytes`);
    const urlPath = '/' + relative.split(path.sep).join('/');
    files.set(urlPath, describe(file, urlPath, identity, modifiedMs));
  }
  return files;
}

/**
 * Writes the gzip and brotli copies of each file under `dir` that the server compresses, beside it (the
 * build runs this once: scripts/web-compress.ts). Returns how many files it read and copies it wrote.
 */
export function writeCompressedCopies(dir: string): { files: number; copies: number } {
  let files = 0;
  let copies = 0;
  for (const relative of servedFiles(dir)) {
    const file = path.join(dir, relative);
    const identity = fs.readFileSync(file);
    files++;
    if (!compressible(kindOf(relative), identity)) continue;
    for (const encoding of Object.keys(SUFFIXES) as Encoding[])
      if (writeEncodedCopy(file, identity, encoding)) copies++;
  }
  return { files, copies };
}

/**
 * tsc's compiled copies of the app's modules (dist/web/src), which the unit tests under test/web import:
 * build output beside the app, not part of it (the package ships only index.html and assets/). Served,
 * they were 54 more files held in memory and reachable as /src/... from a checkout.
 */
const NOT_THE_APP = new Set(['src']);

/**
 * The files under `dir` that are served, relative to it: all but the compressed copies of another
 * (`app.js.gz` beside `app.js`), which are that file's other encodings, not files of their own, and
 * the directories that are not the app (NOT_THE_APP).
 */
function servedFiles(dir: string): string[] {
  const all = [...walk(dir, '')].filter((relative) => !NOT_THE_APP.has(relative.split(path.sep)[0]!));
  const present = new Set(all);
  const suffixes = Object.values(SUFFIXES);
  return all.filter(
    (relative) => !suffixes.some((s) => relative.endsWith(s) && present.has(relative.slice(0, -s.length))),
  );
}

function* walk(root: string, relative: string): Generator<string> {
  for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
    const child = path.join(relative, entry.name);
    if (entry.isDirectory()) yield* walk(root, child);
    else if (entry.isFile()) yield child;
  }
}

function describe(file: string, urlPath: string, identity: Buffer, modifiedMs: number): AppFile {
  const kind = kindOf(urlPath);
  const compress = compressible(kind, identity);
  const smaller = (encoded: Buffer): Buffer | null => (encoded.length < identity.length ? encoded : null);
  const hash = crypto.createHash('sha256').update(identity).digest('base64url').slice(0, 27);
  return {
    urlPath,
    contentType: kind.type,
    identity,
    gzip: compress ? smaller(encodedCopy(file, identity, modifiedMs, 'gzip')) : null,
    br: compress ? smaller(encodedCopy(file, identity, modifiedMs, 'br')) : null,
    etag: `W/"${hash}"`,
  };
}

function kindOf(name: string): { type: string; text: boolean } {
  return TYPES[path.extname(name).toLowerCase()] ?? { type: 'application/octet-stream', text: false };
}

/** Whether a file is worth compressing: text, and large enough for the copy to save more than its headers. */
function compressible(kind: { text: boolean }, identity: Buffer): boolean {
  return kind.text && identity.length >= MIN_COMPRESS_BYTES;
}
