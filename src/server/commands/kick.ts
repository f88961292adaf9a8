// {"status":"kick","receiver":"<user>"[,"room":"<room>"][,"text":"<reason>"}: without a room, an admin
// closes the user's connection; with a room, its owner or an admin removes the user from it.
import { kickFromRoom, kickUser } from '../chat/moderation.js';
import { command } from './command.js';

export const kick = command({
  status: 'kick',
  needsName: true,
  // Issue #11.14: the room (or the user's contacts) is told.
  speaks: true,
  handle(ctx, request) {
    if (request.room === undefined) kickUser(ctx.chat, ctx.session, request.receiver, request.text);
    else kickFromRoom(ctx.chat, ctx.session, request.room, request.receiver, request.text);
    ctx.ok({
      receiver: request.receiver,
      text:
        request.room === undefined
          ? `${request.receiver} was kicked`
          : `${request.receiver} was removed from ${request.room}`,
    });
  },
});
