/**
 * Sending a file (issue #14, docs/protocol.md "Upload"): hash it (SHA-256: bytes.ts), announce it
 * with `upload`, then send `chunk`s in order, a few in flight. A dropped connection waits for the sign-in
 * and announces the same upload again: the server's reply says how many bytes it has. The announcement's
 * id is kept in localStorage for the file (name, size, time, receiver), so picking the same file again
 * after a reload resumes it too, and a last chunk whose reply was lost is answered as done, not sent twice.
 */
import type { ErrorReply, OkReplyOf, UploadDone } from '../../../src/protocol/messages.js';
import type { Link } from '../net/link.js';
import type { Session } from '../state/session.js';
import { randomHex, sha256Hex, toBase64 } from './bytes.js';
import { sleep, whenOnline } from './online.js';

/** Chunks sent and not yet acknowledged. */
const WINDOW = 4;
const IDS = 'classchat.uploads';

export interface UploadHooks {
  hashed(): void;
  progress(sent: number): void;
  paused(): void;
}

/** Thrown when the server refuses the upload in a way that retrying does not cure. */
export class UploadRefused extends Error {}

type Announce = OkReplyOf<'upload'> | ErrorReply;

/** Uploads `file` to `receiver` (a user or a room); resolves with the server's final reply. */
export async function uploadFile(
  session: Session,
  receiver: string,
  file: File,
  hooks: UploadHooks,
): Promise<UploadDone> {
  const sha256 = await sha256Hex(file);
  hooks.hashed();
  const memo = `${receiver.toLowerCase()}|${file.name}|${file.size}|${file.lastModified}|${sha256}`;
  const id = savedId(memo);
  for (;;) {
    const link = await whenOnline(session);
    if (link === null) throw new UploadRefused('signed out');
    let reply: Announce;
    try {
      reply = await link.request(
        { status: 'upload', receiver, name: file.name, size: file.size, sha256 },
        undefined,
        id,
      );
    } catch {
      hooks.paused();
      continue;
    }
    if (reply.status === 'error') {
      if (reply.retry_after_ms !== undefined) {
        await sleep(reply.retry_after_ms + 20);
        continue;
      }
      forgetId(memo);
      throw new UploadRefused(reply.text);
    }
    if (reply.done === true) {
      forgetId(memo);
      return reply;
    }
    hooks.progress(reply.offset);
    const end = await sendChunks(link, file, reply.file, reply.offset, reply.chunk_bytes, hooks);
    if (end.kind === 'done') {
      forgetId(memo);
      return end.reply;
    }
    if (end.kind === 'refused') {
      forgetId(memo);
      throw new UploadRefused(end.text);
    }
    if (end.kind === 'lost') hooks.paused();
    else await sleep(end.delayMs);
  }
}

type RunEnd =
  | { kind: 'done'; reply: UploadDone }
  | { kind: 'lost' }
  | { kind: 'again'; delayMs: number }
  | { kind: 'refused'; text: string };

/** Sends the bytes from `offset` with WINDOW chunks in flight; how the run ended. */
async function sendChunks(
  link: Link,
  file: File,
  fileId: number,
  offset: number,
  chunkBytes: number,
  hooks: UploadHooks,
): Promise<RunEnd> {
  const inflight: Promise<OkReplyOf<'chunk'> | ErrorReply>[] = [];
  let next = offset;
  for (;;) {
    while (inflight.length < WINDOW && next < file.size) {
      const bytes = new Uint8Array(await file.slice(next, next + chunkBytes).arrayBuffer());
      if (link.closed) return { kind: 'lost' };
      const reply = link.request({ status: 'chunk', file: fileId, offset: next, data: toBase64(bytes) });
      // Handled here too: when the run ends early (a drop, a refusal), the replies still in flight are dropped.
      reply.catch(() => undefined);
      inflight.push(reply);
      next += bytes.length;
    }
    const first = inflight.shift();
    if (!first) return { kind: 'again', delayMs: 0 };
    let reply: OkReplyOf<'chunk'> | ErrorReply;
    try {
      reply = await first;
    } catch {
      return { kind: 'lost' };
    }
    if (reply.status === 'error') {
      // The replies after a refusal are its consequences: drop them and announce again (the reply says where).
      if (reply.code === 'bad_offset' || reply.code === 'no_such_file') return { kind: 'again', delayMs: 0 };
      if (reply.retry_after_ms !== undefined) return { kind: 'again', delayMs: reply.retry_after_ms + 20 };
      return { kind: 'refused', text: reply.text };
    }
    if (reply.done === true) return { kind: 'done', reply };
    hooks.progress(reply.offset);
  }
}

function readIds(): Record<string, string> {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(IDS) ?? '{}');
    return typeof value === 'object' && value !== null ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** The request id this file's upload was announced with before (a resume), or a new one, kept. */
function savedId(memo: string): string {
  const ids = readIds();
  const id = ids[memo] ?? `up-${randomHex()}`;
  ids[memo] = id;
  localStorage.setItem(IDS, JSON.stringify(ids));
  return id;
}

function forgetId(memo: string): void {
  const ids = readIds();
  delete ids[memo];
  localStorage.setItem(IDS, JSON.stringify(ids));
}
