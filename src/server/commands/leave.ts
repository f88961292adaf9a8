// {"status":"leave","receiver":"<room>"}: leave a room; the last member to leave deletes it.
import { leaveRoom } from '../chat/membership.js';
import { command } from './command.js';

export const leave = command({
  status: 'leave',
  needsName: true,
  // Issue #11.14: the members are told (see join). A muted user stays in their rooms until the mute ends.
  speaks: true,
  flood: true,
  handle(ctx, request) {
    const { room, deleted } = leaveRoom(ctx.chat, ctx.session, request.receiver);
    ctx.ok({ receiver: room.name, deleted, text: deleted ? `you left ${room.name}; it had no other members and was deleted` : `you left ${room.name}` });
  },
});
