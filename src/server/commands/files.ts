// {"status":"files"[,"receiver":"<user|room>"][,"file":<id>]}: the finished files of a conversation, of
// all of yours, or one file, newest first.
import { command } from './command.js';

export const files = command({
  status: 'files',
  needsName: true,
  // A read costs the server work too: charged like a message (issue #11.6). The list is bounded (100).
  flood: true,
  async handle(ctx, request) {
    const list =
      request.file !== undefined
        ? [await ctx.files.describe(ctx.session, request.file)]
        : await ctx.files.list(ctx.session, request.receiver);
    ctx.ok({ ...(request.receiver !== undefined ? { receiver: request.receiver } : {}), files: list });
  },
});
