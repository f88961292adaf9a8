// {"status":"upload","receiver":"<user|room>","name":"notes.pdf","size":<bytes>,"sha256":"<hex>"}: start
// sending a file, or resume an unfinished one (same receiver, size and SHA-256). The reply says which
// `file` id to send `chunk`s for, from which `offset`, and how large a chunk may be. The same request
// id and content as an upload that already finished gets that upload's last reply again.
import { UPLOAD_CHUNK_BYTES } from '../../protocol/requests.js';
import { replyDone } from './chunk.js';
import { command } from './command.js';

export const upload = command({
  status: 'upload',
  needsName: true,
  stores: 'file',
  flood: true,
  speaks: true,
  async handle(ctx, request) {
    const started = await ctx.files.start(
      ctx.session,
      ctx.conn,
      request,
      ctx.ref === undefined ? null : JSON.stringify(ctx.ref),
    );
    if ('repeated' in started) {
      // The reply the last chunk got, built the same way.
      replyDone(ctx, started.repeated.fileId!, request.size, { message: started.repeated, delivered: 0 });
      return;
    }
    const { file, offset } = started;
    // Nothing left to send (an empty file, or every byte already here): finish it now. With every byte
    // in, the chunk always finishes (or throws); were it not to, the reply below says where it stands.
    if (offset === file.size) {
      const accepted = await ctx.files.chunk(ctx.session, ctx.conn, file.id, offset, Buffer.alloc(0));
      if (accepted.sent) return replyDone(ctx, file.id, accepted.offset, accepted.sent);
    }
    ctx.ok({ file: file.id, offset, chunk_bytes: UPLOAD_CHUNK_BYTES, name: file.name });
  },
});
