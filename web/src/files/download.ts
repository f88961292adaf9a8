/**
 * Fetching a file over the WebSocket (issue #14, docs/protocol.md "Listing and download"): `files` for
 * its size and SHA-256, then `fetch` in pieces with a few in flight (no token in any URL: the socket is
 * signed in). A dropped connection waits for the sign-in and continues from the bytes already held. The
 * whole is checked against the server's SHA-256 before it is offered as a Blob URL.
 */
import type { ErrorReply, FileInfo, OkReplyOf } from '../../../src/protocol/messages.js';
import type { Session } from '../state/session.js';
import { fromBase64, sha256Hex } from './bytes.js';
import { sleep, whenOnline } from './online.js';

const PIECE = 256 * 1024;
const WINDOW = 4;

/** A downloaded, verified file: its Blob URL (kept for the page's life: previews and saves share it). */
export interface Fetched {
  url: string;
  info: FileInfo;
}

const done = new Map<number, Promise<Fetched>>();

/** Fetches file `fileId` once per page (later calls share the result); rejects with the reason it failed. */
export function fetchFile(session: Session, fileId: number, onProgress?: (got: number, size: number) => void) {
  let job = done.get(fileId);
  if (!job) {
    job = run(session, fileId, onProgress);
    done.set(fileId, job);
    job.catch(() => done.delete(fileId));
  }
  return job;
}

async function run(
  session: Session,
  fileId: number,
  onProgress?: (got: number, size: number) => void,
): Promise<Fetched> {
  const info = await fileInfo(session, fileId);
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let got = 0;
  while (got < info.size) {
    const link = await whenOnline(session);
    if (link === null) throw new Error('signed out');
    const inflight: Promise<OkReplyOf<'fetch'> | ErrorReply>[] = [];
    let next = got;
    try {
      for (;;) {
        while (inflight.length < WINDOW && next < info.size) {
          const reply = link.request({ status: 'fetch', file: fileId, offset: next, length: PIECE });
          reply.catch(() => undefined); // dropped unread when the connection goes
          inflight.push(reply);
          next += PIECE;
        }
        const first = inflight.shift();
        if (!first) break;
        const reply = await first;
        if (reply.status === 'error') throw new Error(reply.text);
        const bytes = fromBase64(reply.data);
        if (reply.offset !== got || bytes.length === 0) throw new Error('the server sent the file out of order');
        parts.push(bytes);
        got += bytes.length;
        onProgress?.(got, info.size);
        if (reply.eof) break;
      }
    } catch (err) {
      if (!link.closed) throw err;
      // The connection dropped: continue from `got` once signed in again.
    }
    if (got < info.size && !link.closed) throw new Error('the file ended early');
  }
  const blob = new Blob(parts);
  if (blob.size !== info.size) throw new Error('the file is not the size the server announced');
  const hash = await sha256Hex(blob);
  if (hash !== info.sha256) throw new Error('the file does not match its SHA-256: not saved');
  return { url: URL.createObjectURL(new Blob(parts, { type: mimeOf(info.name) })), info };
}

/** The file's listing (size, SHA-256), waiting out a flood refusal. */
async function fileInfo(session: Session, fileId: number): Promise<FileInfo> {
  for (;;) {
    const link = await whenOnline(session);
    if (link === null) throw new Error('signed out');
    let reply: OkReplyOf<'files'> | ErrorReply;
    try {
      reply = await link.request({ status: 'files', file: fileId });
    } catch {
      continue;
    }
    if (reply.status === 'error') {
      if (reply.retry_after_ms !== undefined) {
        await sleep(reply.retry_after_ms + 20);
        continue;
      }
      throw new Error(reply.text);
    }
    const info = reply.files.find((f) => f.file === fileId);
    if (!info) throw new Error('no such file');
    return info;
  }
}

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  bmp: 'image/bmp',
};

/** The image type for a file name, or '' (an SVG is not previewed: it can carry script). */
export function mimeOf(name: string): string {
  return IMAGE_TYPES[name.toLowerCase().split('.').pop() ?? ''] ?? '';
}

/** Saves a fetched file under its name (a Blob URL and a download link, clicked). */
export function save(fetched: Fetched): void {
  const a = document.createElement('a');
  a.href = fetched.url;
  a.download = fetched.info.name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}
