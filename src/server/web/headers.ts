/**
 * Headers on every HTTP response (issue #14). The app loads only its own files: no inline script, no
 * other origin, never framed. `connect-src 'self'` covers the WebSocket at the same host and port: CSP
 * level 3 lets 'self' match ws: for an http: page and wss: for an https: one (checked in Chromium).
 */

/** The Content-Security-Policy of every response. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** Sent with every response, files and errors alike. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/**
 * A whole HTTP/1.1 response as bytes, for the places that answer on a bare socket (a refused
 * WebSocket upgrade, a request Node's parser rejected): short plain text, then the connection closes.
 */
export function rawResponse(status: number, reason: string, text: string): string {
  const body = `${text}\n`;
  const headers = {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    Connection: 'close',
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return [`HTTP/1.1 ${status} ${reason}`, ...lines, '', body].join('\r\n');
}
