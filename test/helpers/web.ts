/**
 * HTTP and WebSocket clients for the tests of the server's web door (issue #14): one request per fresh
 * socket (no agent, so nothing is pooled between tests), a raw socket for what a well-behaved client
 * would never send, and a web app written to a temporary directory.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { withTimeout } from './expect.js';

const TIMEOUT_MS = 3000;

export interface WebApp {
  dir: string;
  index: Buffer;
  /** `/assets/app-abc123.js`, as Vite names a bundle by its content hash. */
  asset: Buffer;
  remove(): void;
}

/** A small built app in a temporary directory: index.html and one hashed, compressible script. */
export function writeWebApp(): WebApp {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'classchat-web-'));
  const index = Buffer.from(
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>ClassChat</title>\n' +
      '<script type="module" src="/assets/app-abc123.js"></script></head><body><div id="app"></div></body></html>\n',
  );
  const asset = Buffer.from(
    Array.from({ length: 200 }, (_, i) => `export const line${i} = 'the same words again and again ${i}';\n`).join(''),
  );
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), index);
  fs.writeFileSync(path.join(dir, 'assets', 'app-abc123.js'), asset);
  return { dir, index, asset, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpOptions {
  method?: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string;
  /** Over TLS, trusting this certificate. */
  ca?: Buffer;
}

/** One request on a fresh connection to 127.0.0.1:port; the body as received (not decoded). */
export function request(port: number, urlPath: string, options: HttpOptions = {}): Promise<HttpResult> {
  const transport = options.ca ? https : http;
  const result = new Promise<HttpResult>((resolve, reject) => {
    const req = transport.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
        ca: options.ca,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
  return withTimeout(result, TIMEOUT_MS, `${options.method ?? 'GET'} ${urlPath}`);
}

/** A raw TCP socket to the server, with everything it receives and a promise of its close. */
export async function rawSocket(
  port: number,
): Promise<{ socket: net.Socket; received: () => string; closed: Promise<void> }> {
  const socket = net.connect(port, '127.0.0.1');
  await withTimeout(new Promise((resolve) => socket.once('connect', resolve)), TIMEOUT_MS, 'a TCP connection');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => {}); // the server may reset it; the test looks at what arrived and the close
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => text, closed };
}

/** Sends `bytes` on a fresh socket and resolves with everything received until the server closes it. */
export async function exchange(port: number, bytes: string | Buffer): Promise<string> {
  const raw = await rawSocket(port);
  raw.socket.write(bytes);
  await withTimeout(raw.closed, TIMEOUT_MS, 'the server to close the socket');
  return raw.received();
}

/** How a WebSocket handshake ended: 101 (open), or the status of the refusal and its body. */
export interface Handshake {
  status: number;
  body: string;
  ws: WebSocket | null;
}

/** Tries `ws(s)://127.0.0.1:port/ws` with this Origin (none when undefined). */
export function handshake(port: number, origin: string | undefined, ca?: Buffer): Promise<Handshake> {
  const url = `${ca ? 'wss' : 'ws'}://127.0.0.1:${port}/ws`;
  const ws = new WebSocket(url, { origin, ca, perMessageDeflate: false });
  const outcome = new Promise<Handshake>((resolve, reject) => {
    ws.once('upgrade', (res) => resolve({ status: res.statusCode ?? 0, body: '', ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ws: null }));
    });
    ws.once('error', (err) => reject(err));
  });
  return withTimeout(outcome, TIMEOUT_MS, `the WebSocket handshake with Origin ${origin}`);
}
