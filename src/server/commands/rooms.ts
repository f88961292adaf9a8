// {"status":"rooms"}: every room with its member count and how many are online.
import { listRooms } from '../chat/lookups.js';
import { command } from './command.js';

export const rooms = command({
  status: 'rooms',
  needsName: true,
  handle(ctx) {
    ctx.ok({ rooms: listRooms(ctx.chat) });
  },
});
