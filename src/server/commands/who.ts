// {"status":"who"}: the users online.
import { whoIsOnline } from '../chat/lookups.js';
import { command } from './command.js';

export const who = command({
  status: 'who',
  needsName: true,
  handle(ctx) {
    const users = whoIsOnline(ctx.chat);
    ctx.ok({ users, text: `${users.length} online: ${users.join(', ')}` });
  },
});
