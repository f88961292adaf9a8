// {"status":"create","receiver":"<room>","members":["<user>",...]}: create a room; members are optional.
import { createRoom } from '../chat/membership.js';
import { command } from './command.js';

export const create = command({
  status: 'create',
  needsName: true,
  stores: 'message',
  // Issue #11.14: the members added are told (a muted user made others receive system messages).
  speaks: true,
  flood: true,
  async handle(ctx, request) {
    const { room, message } = await createRoom(ctx.chat, ctx.session, request.receiver, request.members ?? []);
    ctx.ok({
      receiver: room.name,
      members: [...room.members.values()].map((m) => m.name),
      seq: message.seq,
      text: message.text,
    });
  },
});
