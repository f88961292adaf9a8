/** Uploading and downloading files over a TestClient, as the protocol describes (docs/protocol.md, Files). */
import type { MessageClient } from './message-client.js';
import { createHash, randomBytes } from 'node:crypto';
import type { Obj, TestClient } from './client.js';

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Random bytes of a given size, with their hash. */
export function randomFile(size: number): { bytes: Buffer; sha256: string } {
  const bytes = randomBytes(size);
  return { bytes, sha256: sha256(bytes) };
}

/** Sends `upload` and returns the ok reply (file, offset, chunk_bytes). */
export function startUpload(
  client: TestClient,
  receiver: string,
  name: string,
  bytes: Buffer,
  declaredSha = sha256(bytes),
): Promise<Obj> {
  return client.ok({ status: 'upload', receiver, name, size: bytes.length, sha256: declaredSha });
}

/**
 * Sends the chunks from `offset` up to `until` (default: the end), each waiting for its reply, and
 * returns the last reply (ok or error).
 */
export async function sendChunks(client: TestClient, started: Obj, bytes: Buffer, until = bytes.length): Promise<Obj> {
  let offset: number = started.offset;
  let reply: Obj = started;
  while (offset < until) {
    const data = bytes.subarray(offset, Math.min(offset + started.chunk_bytes, until));
    reply = await client.request({ status: 'chunk', file: started.file, offset, data: data.toString('base64') });
    if (reply.status !== 'ok') return reply;
    offset = reply.offset;
  }
  return reply;
}

/** Uploads a whole file; returns the last chunk's reply (done, msgid) or the error. */
export async function uploadFile(client: TestClient, receiver: string, name: string, bytes: Buffer): Promise<Obj> {
  const started = await startUpload(client, receiver, name, bytes);
  if (started.done) return started;
  return sendChunks(client, started, bytes);
}

/** Fetches a file from `offset` to its end over either transport; fails on any error reply. */
export async function downloadFile(client: MessageClient, file: number, offset = 0): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (;;) {
    const reply = await client.ok({ status: 'fetch', file, offset });
    const data = Buffer.from(reply.data, 'base64');
    parts.push(data);
    offset += data.length;
    if (reply.eof) return Buffer.concat(parts);
    if (data.length === 0) throw new Error(`fetch of file ${file} returned no data at ${offset} before eof`);
  }
}
