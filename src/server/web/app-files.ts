/**
 * The web app's files (issue #14), read once at start into memory: the app is a few hundred KiB, and
 * a table of what was found is what keeps a request path from ever reaching the file system (no path
 * traversal, whatever the URL says). Text files are compressed once here, gzip and brotli, not per
 * request.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

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
 * Brotli at its best quality takes about a millisecond a KiB: once per directory per process, so a
 * process that starts many servers (the tests) pays it once. A server reads its app once anyway.
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
  for (const relative of walk(dir, '')) {
    const identity = fs.readFileSync(path.join(dir, relative));
    total += identity.length;
    if (total > MAX_APP_BYTES) throw new Error(`the web app in ${dir} is over ${MAX_APP_BYTES} bytes`);
    const urlPath = '/' + relative.split(path.sep).join('/');
    files.set(urlPath, describe(urlPath, identity));
  }
  return files;
}

function* walk(root: string, relative: string): Generator<string> {
  for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
    const child = path.join(relative, entry.name);
    if (entry.isDirectory()) yield* walk(root, child);
    else if (entry.isFile()) yield child;
  }
}

function describe(urlPath: string, identity: Buffer): AppFile {
  const kind = TYPES[path.posix.extname(urlPath).toLowerCase()] ?? { type: 'application/octet-stream', text: false };
  const compress = kind.text && identity.length >= MIN_COMPRESS_BYTES;
  const smaller = (encoded: Buffer): Buffer | null => (encoded.length < identity.length ? encoded : null);
  const hash = crypto.createHash('sha256').update(identity).digest('base64url').slice(0, 27);
  return {
    urlPath,
    contentType: kind.type,
    identity,
    gzip: compress ? smaller(zlib.gzipSync(identity, { level: zlib.constants.Z_BEST_COMPRESSION })) : null,
    br: compress
      ? smaller(
          zlib.brotliCompressSync(identity, {
            params: {
              [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
              [zlib.constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
            },
          }),
        )
      : null,
    etag: `W/"${hash}"`,
  };
}
