// {"status":"members","receiver":"<room>"[,"after":"<next>"][,"limit":<n>]}: a page of a room's members
// (by name) and who of them is online; `next` in the reply asks for the following page (issue #11.6).
import { DEFAULT_PAGE_LIMIT } from '../../protocol/requests.js';
import { listMembers } from '../chat/lookups.js';
import { command } from './command.js';

export const members = command({
  status: 'members',
  needsName: true,
  inMemory: true,
  // A read costs the server work too: charged like a message, one page per token (issue #11.6).
  flood: true,
  handle(ctx, request) {
    const { room, members, next } = listMembers(ctx.chat, request.receiver, {
      after: request.after,
      limit: request.limit ?? DEFAULT_PAGE_LIMIT,
    });
    ctx.ok({ receiver: room, members, ...(next !== undefined ? { next } : {}) });
  },
});
