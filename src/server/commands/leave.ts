// {"status":"leave","receiver":"<room>"}: leave a room; the last member to leave deletes it.
import { leaveRoom, type Left } from '../chat/membership.js';
import { command, type Context } from './command.js';

export const leave = command({
  status: 'leave',
  needsName: true,
  // Not muted (issue #11.14): a muted user may still leave a room, once, since join is muted and so
  // there is no leave/join loop; a mute must not keep someone in a room others put them in, nor keep
  // an owner from handing a room on (#11.13).
  flood: true,
  handle(ctx, request) {
    const left = leaveRoom(ctx.chat, ctx.session, request.receiver);
    // A promise when the event waits for its commit (#15).
    if (left instanceof Promise) return left.then((l) => reply(ctx, l));
    reply(ctx, left);
  },
});

function reply(ctx: Context<'leave'>, { room, deleted }: Left): void {
  ctx.ok({
    receiver: room.name,
    deleted,
    text: deleted ? `you left ${room.name}; it had no other members and was deleted` : `you left ${room.name}`,
  });
}
