/**
 * Fetching a file (issue #5, docs/protocol.md "Listing and download"): read its metadata with
 * `files`, `fetch` it in pieces with a few requests in flight into `<name>.<id>.part` in the target
 * directory, check the SHA-256, and only then give it its final name, one that does not overwrite
 * anything (save-path.ts). A dropped connection resumes from the bytes already in the part file; a
 * file whose bytes do not match is deleted, never saved.
 */
import fs from 'node:fs/promises';
import { safeFileName } from '../../protocol/file-names.js';
import type { FileInfo } from '../../protocol/messages.js';
import { FETCH_CHUNK_BYTES } from '../../protocol/requests.js';
import { pause, settle, TransferError, type Settled, type TransferContext, type TransferLink } from './context.js';
import { sha256File } from './hash.js';
import { claimSavePath, partPath } from './save-path.js';

/** Fetches in flight: each reply is up to 256 KiB, so a few keep the link busy without a large buffer. */
export const DOWNLOAD_WINDOW = 4;

export interface DownloadHooks {
  /** The metadata is read; `offset` bytes were already in the part file (a resume). */
  started?(info: FileInfo, offset: number): void;
  progress?(bytes: number): void;
  paused?(bytes: number): void;
}

export interface DownloadResult {
  info: FileInfo;
  /** Where it was saved. */
  path: string;
}

/** Part files being written by this process: a second /get of the same file must not write into the first's. */
const active = new Set<string>();

type RunEnd = { kind: 'done' } | { kind: 'lost' } | { kind: 'restart'; offset: number; delayMs: number };

/** Downloads file `fileId` into `dir` (created if missing); rejects with TransferError when it cannot. */
export async function download(
  ctx: TransferContext,
  fileId: number,
  dir: string,
  hooks: DownloadHooks = {},
): Promise<DownloadResult> {
  const info = await fetchInfo(ctx, fileId);
  await fs.mkdir(dir, { recursive: true });
  const part = partPath(dir, info.name, fileId);
  if (active.has(part)) throw new TransferError('busy', `file ${fileId} is already being downloaded into ${dir}`);
  active.add(part);
  try {
    const { handle, have } = await openPart(part, info.size);
    let got = have;
    try {
      hooks.started?.(info, have);
      while (got < info.size) {
        const link = await ctx.ready();
        const end = await fetchRange(link, handle, info, got, (bytes) => {
          got = bytes;
          hooks.progress?.(bytes);
        });
        if (end.kind === 'done') break;
        if (end.kind === 'lost') hooks.paused?.(got);
        else {
          if (end.delayMs > 0) await pause(end.delayMs);
          got = end.offset;
        }
      }
    } catch (err) {
      // The file is gone or not ours to read: a part file could never be finished.
      if (err instanceof TransferError && err.code !== 'cancelled') await fs.rm(part, { force: true });
      throw err;
    } finally {
      await handle.close();
    }
    const actual = await sha256File(part);
    if (actual !== info.sha256.toLowerCase()) {
      await fs.rm(part, { force: true });
      throw new TransferError(
        'corrupt',
        `the download of ${safeFileName(info.name)} was corrupt (its SHA-256 does not match) and was not saved`,
      );
    }
    const saved = await claimSavePath(dir, info.name);
    // rename replaces the empty file claimSavePath created for us, never someone else's.
    await fs.rename(part, saved);
    return { info, path: saved };
  } finally {
    active.delete(part);
  }
}

/** The file's metadata, asked again after a dropped connection; checked, since the server's word decides what is written. */
async function fetchInfo(ctx: TransferContext, fileId: number): Promise<FileInfo> {
  for (;;) {
    const link = await ctx.ready();
    const settled = await settle(link, { status: 'files', file: fileId });
    if ('lost' in settled) continue;
    const reply = settled.reply;
    if (reply.status !== 'ok')
      throw new TransferError(reply.code ?? 'error', reply.text ?? `cannot get file ${fileId}`);
    const info = Array.isArray(reply.files) ? reply.files.find((f) => f.file === fileId) : undefined;
    if (!info) throw new TransferError('no_such_file', `no file ${fileId} is available to you`);
    if (
      !Number.isSafeInteger(info.size) ||
      info.size < 0 ||
      typeof info.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/i.test(info.sha256) ||
      typeof info.name !== 'string'
    ) {
      throw new TransferError('bad_reply', `the server's description of file ${fileId} is not usable`);
    }
    return info;
  }
}

/** Opens the part file, keeping what an earlier attempt wrote (resume), unless it is longer than the file. */
async function openPart(part: string, size: number): Promise<{ handle: fs.FileHandle; have: number }> {
  try {
    return { handle: await fs.open(part, 'wx'), have: 0 };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // lstat, not stat: a symlink planted at the part name must not redirect the write elsewhere.
  const stat = await fs.lstat(part);
  if (!stat.isFile())
    throw new TransferError('bad_part', `${part} exists and is not a regular file; remove it and try again`);
  const handle = await fs.open(part, 'r+');
  if (stat.size > size) {
    await handle.truncate(0);
    return { handle, have: 0 };
  }
  return { handle, have: stat.size };
}

/** Fetches from `from` to the end over one connection, DOWNLOAD_WINDOW requests in flight, writing in order. */
async function fetchRange(
  link: TransferLink,
  handle: fs.FileHandle,
  info: FileInfo,
  from: number,
  progress: (bytes: number) => void,
): Promise<RunEnd> {
  const inflight: { offset: number; length: number; reply: Promise<Settled<'fetch'>> }[] = [];
  let end: RunEnd | null = null;
  let written = from;

  const takeOldest = async () => {
    const asked = inflight.shift()!;
    const settled = await asked.reply;
    if (end) return;
    if ('lost' in settled) {
      end = { kind: 'lost' };
      return;
    }
    const reply = settled.reply;
    if (reply.status !== 'ok') {
      if (reply.code === 'rate_limited')
        end = { kind: 'restart', offset: written, delayMs: reply.retry_after_ms ?? 1000 };
      else throw new TransferError(reply.code ?? 'error', reply.text ?? `the server refused to send file ${info.file}`);
      return;
    }
    const data = typeof reply.data === 'string' ? Buffer.from(reply.data, 'base64') : Buffer.alloc(0);
    if (reply.offset !== asked.offset || data.length > asked.length) {
      throw new TransferError('bad_reply', `the server sent bytes of file ${info.file} that were not asked for`);
    }
    if (data.length === 0)
      throw new TransferError('bad_reply', `the server sent no bytes of file ${info.file} at offset ${asked.offset}`);
    await handle.write(data, 0, data.length, asked.offset);
    written = asked.offset + data.length;
    progress(written);
    // A short piece leaves a gap before the pieces already asked for: ask again from where it ended.
    if (data.length < asked.length) end = { kind: 'restart', offset: written, delayMs: 0 };
  };

  let next = from;
  while (!end && next < info.size) {
    if (inflight.length >= DOWNLOAD_WINDOW) {
      await takeOldest();
      continue;
    }
    if (link.closed) {
      end = { kind: 'lost' };
      break;
    }
    const length = Math.min(FETCH_CHUNK_BYTES, info.size - next);
    inflight.push({
      offset: next,
      length,
      reply: settle(link, { status: 'fetch', file: info.file, offset: next, length }),
    });
    next += length;
  }
  while (inflight.length > 0) await takeOldest();
  return end ?? { kind: 'done' };
}
