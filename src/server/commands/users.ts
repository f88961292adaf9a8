// {"status":"users"[,"after":"<next>"][,"limit":<n>]}: a page of every known user (by name), online or
// not, with `admin: true` for admins; `next` in the reply asks for the following page (issue #12.5).
import { DEFAULT_PAGE_LIMIT } from '../../protocol/requests.js';
import { listUsers } from '../chat/lookups.js';
import { command } from './command.js';

export const users = command({
  status: 'users',
  needsName: true,
  // A read costs the server work too: charged like a message, one page per token (issue #11.6).
  flood: true,
  async handle(ctx, request) {
    ctx.ok(await listUsers(ctx.chat, { after: request.after, limit: request.limit ?? DEFAULT_PAGE_LIMIT }));
  },
});
