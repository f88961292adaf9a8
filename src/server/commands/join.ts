// {"status":"join","receiver":"<room>"}: join an existing room.
import { joinRoom } from '../chat/membership.js';
import { command } from './command.js';

export const join = command({
  status: 'join',
  needsName: true,
  stores: 'message',
  // Issue #11.14: the members are told; joining and leaving in a loop was a muted user's megaphone.
  speaks: true,
  flood: true,
  handle(ctx, request) {
    const { room, message } = joinRoom(ctx.chat, ctx.session, request.receiver);
    ctx.ok({
      receiver: room.name,
      members: [...room.members.values()].map((m) => m.name),
      seq: message.seq,
      text: `you joined ${room.name}`,
    });
  },
});
