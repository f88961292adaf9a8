// {"status":"chunk","file":<id>,"offset":<bytes so far>,"data":"<base64>"}: the next bytes of an upload.
// The reply carries the new `offset`; the last chunk's reply also `done: true` and the message that
// announced the file (or `corrupt` when the bytes do not match the SHA-256).
import { ChatError } from '../../protocol/errors.js';
import { UPLOAD_CHUNK_BYTES } from '../../protocol/requests.js';
import type { Sent } from '../chat/messaging.js';
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
    const accepted = await ctx.files.chunk(ctx.session, ctx.conn, request.file, request.offset, data);
    if (accepted.sent) replyDone(ctx, request.file, accepted.offset, accepted.sent);
    else ctx.ok({ file: request.file, offset: accepted.offset });
  },
});

/** The reply to an upload's last chunk (or an `upload` with nothing left to send): `done`, the announcing message's ids. */
export function replyDone(ctx: Context<'chunk' | 'upload'>, fileId: number, offset: number, sent: Sent): void {
  const queued = 'queued' in sent && sent.queued ? ',"queued":true' : '';
  ctx.sent(sent.message, `,"file":${fileId},"offset":${offset},"done":true${queued}`);
}
