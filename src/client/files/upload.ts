/**
 * Sending a file (issue #5, docs/protocol.md "Upload"): hash it, announce it with `upload`, then send
 * `chunk`s in order with a window of them unacknowledged. The file is read one chunk at a time, and not
 * while the socket's write buffer is full, so memory stays at about window × chunk size whatever the
 * file's size. A dropped connection is resumed by announcing the same upload again: the server's reply
 * says how much it already has.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { UploadDone } from '../../protocol/messages.js';
import { UPLOAD_CHUNK_BYTES } from '../../protocol/requests.js';
import { pause, settle, TransferError, type Settled, type TransferContext, type TransferLink } from './context.js';
import { sha256File } from './hash.js';

/** Chunks sent and not yet acknowledged: enough to keep a 100 ms link busy at ~3 MB/s. */
export const UPLOAD_WINDOW = 8;

export interface UploadHooks {
  /** The file is hashed and announced; `offset` bytes are already on the server (a resume). */
  started?(info: { name: string; size: number; offset: number; file: number }): void;
  /** `bytes` of the file are acknowledged by the server. */
  progress?(bytes: number): void;
  /** The connection dropped; the upload resumes after the reconnect. */
  paused?(bytes: number): void;
}

export interface UploadResult {
  file: number;
  name: string;
  size: number;
  /** The server's final reply: `done`, with `msgid`, `seq`, `ts`, `receiver` of the file's message. */
  reply: UploadDone;
}

/** How one run of chunks on one connection ended. */
type RunEnd =
  { kind: 'done'; reply: UploadDone } | { kind: 'lost' } | { kind: 'restart'; offset: number; delayMs: number };

/** Uploads `file` to `receiver` (a user or a room); rejects with TransferError when the server refuses it. */
export async function upload(
  ctx: TransferContext,
  file: string,
  receiver: string,
  hooks: UploadHooks = {},
): Promise<UploadResult> {
  const stat = await fs.stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new TransferError(
      'no_file',
      err.code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file}: ${err.message}`,
    );
  });
  if (!stat.isFile()) throw new TransferError('no_file', `${file} is not a file`);
  const size = stat.size;
  const name = path.basename(file);
  const sha256 = await sha256File(file);
  const handle = await fs.open(file, 'r');
  // One id for every announcement of this upload: if the connection drops after the last chunk but
  // before its reply, the server recognises the repeat and answers with the finished file.
  const id = `up-${randomUUID()}`;
  try {
    let acked = 0;
    for (;;) {
      const link = await ctx.ready();
      const announced = await settle(link, { status: 'upload', receiver, name, size, sha256, id });
      if ('lost' in announced) continue; // ready() waits for the reconnect
      const reply = announced.reply;
      if (reply.status !== 'ok') {
        if (reply.code === 'rate_limited') {
          await pause(reply.retry_after_ms ?? 1000);
          continue;
        }
        throw new TransferError(reply.code ?? 'error', reply.text ?? 'the server refused the upload');
      }
      hooks.started?.({ name, size, offset: reply.offset ?? 0, file: reply.file });
      if (reply.done === true) return { file: reply.file, name, size, reply };
      const chunkBytes =
        Number.isInteger(reply.chunk_bytes) && reply.chunk_bytes > 0
          ? Math.min(reply.chunk_bytes, UPLOAD_CHUNK_BYTES)
          : UPLOAD_CHUNK_BYTES;
      let from: number = reply.offset ?? 0;
      for (;;) {
        const end = await sendChunks(link, handle, { file: reply.file, from, size, chunkBytes }, (bytes) => {
          acked = bytes;
          hooks.progress?.(bytes);
        });
        if (end.kind === 'done') return { file: reply.file, name, size, reply: end.reply };
        if (end.kind === 'lost') break;
        if (end.delayMs > 0) await pause(end.delayMs);
        from = end.offset;
      }
      hooks.paused?.(acked);
    }
  } finally {
    await handle.close();
  }
}

/** Sends chunks from `from` to the end over one connection, keeping UPLOAD_WINDOW unacknowledged. */
async function sendChunks(
  link: TransferLink,
  handle: fs.FileHandle,
  job: { file: number; from: number; size: number; chunkBytes: number },
  progress: (bytes: number) => void,
): Promise<RunEnd> {
  const inflight: Promise<Settled<'chunk'>>[] = [];
  let end: RunEnd | null = null;
  let acked = job.from;

  /** Reads the oldest reply; the first one that stops the run decides how it ends. */
  const takeOldest = async () => {
    const settled = await inflight.shift()!;
    if (end) return; // replies after a bad_offset or a drop are its consequences
    if ('lost' in settled) {
      end = { kind: 'lost' };
      return;
    }
    const reply = settled.reply;
    if (reply.status === 'ok') {
      acked = typeof reply.offset === 'number' ? reply.offset : acked;
      progress(acked);
      if (reply.done === true) end = { kind: 'done', reply };
      return;
    }
    if (reply.code === 'bad_offset' && typeof reply.offset === 'number')
      end = { kind: 'restart', offset: reply.offset, delayMs: 0 };
    else if (reply.code === 'rate_limited')
      end = { kind: 'restart', offset: acked, delayMs: reply.retry_after_ms ?? 1000 };
    else throw new TransferError(reply.code ?? 'error', reply.text ?? 'the server refused a chunk');
  };

  let next = job.from;
  while (!end && next < job.size) {
    if (inflight.length >= UPLOAD_WINDOW) {
      await takeOldest();
      continue;
    }
    // Backpressure (design.md 4.9): no more of the file is read while the socket cannot take it.
    await link.drained();
    if (link.closed) {
      end = { kind: 'lost' };
      break;
    }
    const length = Math.min(job.chunkBytes, job.size - next);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, next);
    if (bytesRead < length)
      throw new TransferError('changed', 'the file got shorter while it was being sent; send it again');
    inflight.push(settle(link, { status: 'chunk', file: job.file, offset: next, data: buffer.toString('base64') }));
    next += length;
  }
  while (inflight.length > 0) await takeOldest();
  if (end) return end;
  throw new TransferError('internal', 'the server acknowledged every chunk but did not confirm the file');
}
