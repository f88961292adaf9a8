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
    if (request.room === undefined) {
      kickUser(ctx.chat, ctx.session, request.receiver, request.text);
      ctx.ok({ receiver: request.receiver, text: `${request.receiver} was kicked` });
      return;
    }
    const room = request.room;
    const reply = () => ctx.ok({ receiver: request.receiver, text: `${request.receiver} was removed from ${room}` });
    // A promise when the event waits for its commit (#15).
    const kicked = kickFromRoom(ctx.chat, ctx.session, room, request.receiver, request.text);
    if (kicked instanceof Promise) return kicked.then(reply);
    reply();
  },
});
