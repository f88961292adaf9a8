// {"status":"fetch","file":<id>,"offset":<bytes>[,"length":<bytes>]}: up to 256 KiB of a file, base64.
// Fetches may be pipelined; a download resumes by fetching from the bytes it has.
import { FETCH_CHUNK_BYTES } from '../../protocol/requests.js';
import { command } from './command.js';

export const fetch = command({
  status: 'fetch',
  needsName: true,
  async handle(ctx, request) {
    const { file, data } = await ctx.files.read(ctx.session, request.file, request.offset, request.length ?? FETCH_CHUNK_BYTES);
    const end = request.offset + data.length;
    // Built as one string: the data is most of the line, and JSON.stringify of it would only copy it.
    const head = ctx.ref === undefined ? '{"status":"ok"' : `{"status":"ok","ref":${JSON.stringify(ctx.ref)}`;
    ctx.conn.send(Buffer.from(`${head},"file":${file.id},"offset":${request.offset},"size":${file.size},"eof":${end === file.size},"data":"${data.toString('base64')}"}\n`, 'latin1'));
  },
});
