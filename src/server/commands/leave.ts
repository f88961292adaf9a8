// {"status":"leave","receiver":"<room>"}: leave a room; the last member to leave deletes it.
import { leaveRoom } from '../chat/membership.js';
import { command } from './command.js';

export const leave = command({
  status: 'leave',
  needsName: true,
  // Not muted (issue #11.14): a muted user may still leave a room, once, since join is muted and so
  // there is no leave/join loop; a mute must not keep someone in a room others put them in, nor keep
  // an owner from handing a room on (#11.13).
  flood: true,
  handle(ctx, request) {
    const { room, deleted } = leaveRoom(ctx.chat, ctx.session, request.receiver);
    ctx.ok({
      receiver: room.name,
      deleted,
      text: deleted ? `you left ${room.name}; it had no other members and was deleted` : `you left ${room.name}`,
    });
  },
});
