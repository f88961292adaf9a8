// {"status":"who"[,"after":"<next>"][,"limit":<n>]}: a page of the users online (by name), how many are
// online in all (`online`); `next` in the reply asks for the following page (issue #11.6).
import { DEFAULT_PAGE_LIMIT } from '../../protocol/requests.js';
import { whoIsOnline } from '../chat/lookups.js';
import { command } from './command.js';

export const who = command({
  status: 'who',
  needsName: true,
  inMemory: true,
  // A read costs the server work too: charged like a message, one page per token (issue #11.6).
  flood: true,
  handle(ctx, request) {
    const { users, total, next } = whoIsOnline(ctx.chat, {
      after: request.after,
      limit: request.limit ?? DEFAULT_PAGE_LIMIT,
    });
    const more = next !== undefined ? `, … (${total - users.length} more on the next pages)` : '';
    ctx.ok({
      users,
      online: total,
      text: `${total} online: ${users.join(', ')}${more}`,
      ...(next !== undefined ? { next } : {}),
    });
  },
});
