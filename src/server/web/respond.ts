/**
 * Answers one HTTP request from the in-memory table of the app's files (issue #14). Only GET and HEAD,
 * never a body, and a path is looked up in the table, never joined onto a directory: `/../x`,
 * `/%2e%2e/x` and `/assets/../../x` are simply not in it (404).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { chooseEncoding, type Encoding } from './accept-encoding.js';
import type { AppFile, AppFiles } from './app-files.js';
import { SECURITY_HEADERS } from './headers.js';

/** Vite puts the files it names by their content hash here: they never change, so they are cached for good. */
const HASHED_PREFIX = '/assets/';
/** The path of the WebSocket endpoint (upgrade.ts); as a plain request it gets 426. */
export const WEBSOCKET_PATH = '/ws';

const NOT_BUILT =
  'The ClassChat web app is not built on this server.\n' +
  'Whoever runs the server: run `npm run build`, then restart it.\n' +
  'Meanwhile the terminal client (classchat chat) and nc work as usual.';

/** The request target's path, percent-decoded; null when it is not a path or does not decode. */
export function requestPath(url: string | undefined): string | null {
  if (url === undefined || !url.startsWith('/')) return null;
  const end = url.search(/[?#]/);
  try {
    return decodeURIComponent(end === -1 ? url : url.slice(0, end));
  } catch {
    return null;
  }
}

/** Answers `req` with a file of `files`, the not-built page, or an error; the security headers go on every response. */
export function respond(req: IncomingMessage, res: ServerResponse, files: AppFiles): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    // Its body, if any, is never read: close rather than parse it as the next request.
    plain(req, res, 405, 'only GET and HEAD are served here', true);
    return;
  }
  if (hasBody(req)) {
    plain(req, res, 413, 'a request here has no body', true);
    return;
  }
  const path = requestPath(req.url);
  if (path === WEBSOCKET_PATH) {
    res.setHeader('Upgrade', 'websocket');
    plain(req, res, 426, 'this is the WebSocket endpoint: connect with a WebSocket client');
    return;
  }
  if (files === null) {
    if (path === '/' || path === '/index.html') plain(req, res, 503, NOT_BUILT);
    else plain(req, res, 404, 'not found');
    return;
  }
  const file = path === null ? undefined : files.get(path === '/' ? '/index.html' : path);
  if (file === undefined) plain(req, res, 404, 'not found');
  else sendFile(req, res, file);
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: AppFile): void {
  res.setHeader(
    'Cache-Control',
    file.urlPath.startsWith(HASHED_PREFIX) ? 'public, max-age=31536000, immutable' : 'no-cache',
  );
  res.setHeader('ETag', file.etag);
  res.setHeader('Vary', 'Accept-Encoding');
  if (matches(req.headers['if-none-match'], file.etag)) {
    res.writeHead(304).end();
    return;
  }
  const available: Encoding[] = [];
  if (file.br) available.push('br');
  if (file.gzip) available.push('gzip');
  const encoding = chooseEncoding(req.headers['accept-encoding'], available);
  const body = (encoding === null ? null : file[encoding]) ?? file.identity;
  if (encoding !== null) res.setHeader('Content-Encoding', encoding);
  res.setHeader('Content-Type', file.contentType);
  res.setHeader('Content-Length', body.length);
  res.writeHead(200);
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}

/** Whether If-None-Match names `etag` (weak comparison, RFC 9110 §13.1.2), or is `*`. */
function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A short text answer; `close` ends the connection after it. */
function plain(req: IncomingMessage, res: ServerResponse, status: number, text: string, close = false): void {
  const body = Buffer.from(`${text}\n`);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.setHeader('Cache-Control', 'no-store');
  if (close) res.setHeader('Connection', 'close');
  res.writeHead(status);
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}
