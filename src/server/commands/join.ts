// {"status":"join","receiver":"<room>"}: join an existing room.
import { joinRoom, type Joined } from '../chat/membership.js';
import { command, type Context } from './command.js';

export const join = command({
  status: 'join',
  needsName: true,
  stores: 'message',
  // Issue #11.14: the members are told; joining and leaving in a loop was a muted user's megaphone.
  speaks: true,
  flood: true,
  handle(ctx, request) {
    const joined = joinRoom(ctx.chat, ctx.session, request.receiver);
    // A promise when the store tells the event's seq only after its commit (#15).
    if (joined instanceof Promise) return joined.then((j) => reply(ctx, j));
    reply(ctx, joined);
  },
});

function reply(ctx: Context<'join'>, { room, message }: Joined): void {
  ctx.ok({
    receiver: room.name,
    members: [...room.members.values()].map((m) => m.name),
    seq: message.seq,
    text: `you joined ${room.name}`,
  });
}
