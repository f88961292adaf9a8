/**
 * Whose pages may open the WebSocket (issue #14): a browser sends the page's origin with every
 * WebSocket request and lets any page connect anywhere, so the server is the one that must refuse a
 * page from elsewhere (cross-site WebSocket hijacking). Allowed: the origin the app was served under,
 * the operator's `--web-origins`, and no Origin at all (not a browser: scripts, the bench).
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** `raw` as a serialized origin (`https://host[:port]`, default port left out), or null if it is not one. */
export function normalizeOrigin(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // An origin has no path, query, fragment or credentials: "https://a/b" is a mistake, not an origin.
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    return null;
  return url.origin;
}

/** The origin `req` was served under: its scheme (https when the socket is TLS) and its Host header. */
export function servedOrigin(req: IncomingMessage): string | null {
  const host = req.headers.host;
  if (host === undefined || host === '') return null;
  const scheme = (req.socket as Partial<TLSSocket>).encrypted === true ? 'https' : 'http';
  return normalizeOrigin(`${scheme}://${host}`);
}

/**
 * Whether the page that sent `req` may use the WebSocket: no Origin header, the origin it was served
 * under, or one of `allowed` (already normalized). Anything else, "null" included, is refused.
 */
export function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  // Version 8 of the draft (ws still accepts it) sent the origin as Sec-WebSocket-Origin.
  const origin = req.headers.origin ?? req.headers['sec-websocket-origin'];
  if (origin === undefined) return true;
  if (Array.isArray(origin)) return false;
  const normalized = normalizeOrigin(origin);
  if (normalized === null) return false;
  return normalized === servedOrigin(req) || allowed.includes(normalized);
}
