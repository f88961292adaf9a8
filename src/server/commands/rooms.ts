// {"status":"rooms"[,"after":"<next>"][,"limit":<n>]}: a page of the rooms (by name) with their member
// counts and how many are online; `next` in the reply asks for the following page (issue #11.6).
import { DEFAULT_PAGE_LIMIT } from '../../protocol/requests.js';
import { listRooms } from '../chat/lookups.js';
import { command } from './command.js';

export const rooms = command({
  status: 'rooms',
  needsName: true,
  inMemory: true,
  // A read costs the server work too: charged like a message, one page per token (issue #11.6).
  flood: true,
  handle(ctx, request) {
    ctx.ok(listRooms(ctx.chat, { after: request.after, limit: request.limit ?? DEFAULT_PAGE_LIMIT }));
  },
});
