// {"status":"delete","receiver":"<room>"}: the room's owner or an admin deletes it with its history.
import { removeRoom } from '../chat/moderation.js';
import { command } from './command.js';

export const deleteRoom = command({
  status: 'delete',
  needsName: true,
  // Issue #11.14: the room's online members are told.
  speaks: true,
  handle(ctx, request) {
    const room = removeRoom(ctx.chat, ctx.session, request.receiver);
    ctx.ok({ receiver: room.name, text: `${room.name} was deleted` });
  },
});
