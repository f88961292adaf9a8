// {"status":"chunk","file":<id>,"offset":<bytes so far>,"data":"<base64>"}: the next bytes of an upload.
// The reply carries the new `offset`; the last chunk's reply also `done: true` and the message that
// announced the file (or `corrupt` when the bytes do not match the SHA-256).
import { ChatError } from '../../protocol/errors.js';
import { UPLOAD_CHUNK_BYTES } from '../../protocol/requests.js';
import { encodeSentReply } from '../chat/encode.js';
import type { Accepted } from '../files/files.js';
import { command, type Context } from './command.js';

export const chunk = command({
  status: 'chunk',
  needsName: true,
  stores: 'file',
  // Issue #11.14: the last chunk announces the file, so a user muted mid-upload is refused here too
  // (the upload stays unfinished and resumes after the mute).
  speaks: true,
  // Not `flood`: chunks are paced by the connection (one written at a time) and bounded by the quota.
  async handle(ctx, request) {
    const data = Buffer.from(request.data, 'base64');
    if (data.length > UPLOAD_CHUNK_BYTES)
      throw new ChatError('too_large', `a chunk carries at most ${UPLOAD_CHUNK_BYTES} bytes`);
    sendChunkReply(ctx, request.file, await ctx.files.chunk(ctx.session, ctx.conn, request.file, request.offset, data));
  },
});

/** `offset` while the upload goes on; with the last chunk, `done` and the announcing message's ids. */
export function sendChunkReply(ctx: Context, fileId: number, accepted: Accepted): void {
  if (!accepted.sent) {
    ctx.ok({ file: fileId, offset: accepted.offset });
    return;
  }
  const queued = 'queued' in accepted.sent && accepted.sent.queued ? ',"queued":true' : '';
  ctx.conn.send(
    encodeSentReply(
      ctx.ref,
      accepted.sent.message,
      `,"file":${fileId},"offset":${accepted.offset},"done":true${queued}`,
    ),
  );
}
