// {"status":"members","receiver":"<room>"}: a room's members and who of them is online.
import { listMembers } from '../chat/lookups.js';
import { command } from './command.js';

export const members = command({
  status: 'members',
  needsName: true,
  handle(ctx, request) {
    const { room, members } = listMembers(ctx.chat, request.receiver);
    ctx.ok({ receiver: room, members });
  },
});
