// {"status":"fetch","file":<id>,"offset":<bytes>[,"length":<bytes>]}: up to 256 KiB of a file, base64.
// Fetches may be pipelined; a download resumes by fetching from the bytes it has.
import { FETCH_CHUNK_BYTES } from '../../protocol/requests.js';
import { command, type OkText, type RefText } from './command.js';

export const fetch = command({
  status: 'fetch',
  needsName: true,
  async handle(ctx, request) {
    const { file, data } = await ctx.files.read(
      ctx.session,
      request.file,
      request.offset,
      request.length ?? FETCH_CHUNK_BYTES,
    );
    const end = request.offset + data.length;
    // The reply is mostly the base64 data: it is written straight into one buffer of the exact size,
    // not joined into a string first (that copy was a fifth of a download's CPU time).
    // Typed by the map's `fetch` reply (issue #14); `data` is last, its text written after the head.
    const ref: RefText = ctx.ref === undefined ? '' : `,"ref":${JSON.stringify(ctx.ref)}`;
    const head: OkText<'fetch', ['file', 'offset', 'size', 'eof', 'data']> =
      `{"status":"ok"${ref},"file":${file.id},"offset":${request.offset},"size":${file.size},"eof":${end === file.size},"data":"`;
    const tail = '"}';
    const headBytes = Buffer.byteLength(head);
    const dataChars = Math.ceil(data.length / 3) * 4;
    const line = Buffer.allocUnsafe(headBytes + dataChars + tail.length);
    line.write(head, 0);
    line.write(data.toString('base64'), headBytes, 'latin1');
    line.write(tail, headBytes + dataChars, 'latin1');
    ctx.conn.sendReply(ctx.ref, line, true);
  },
});
