// {"status":"register","sender":"<name>"}: claim a name; the reply is followed by the messages that waited.
import { completeLogin, register as login } from '../chat/login.js';
import { command } from './command.js';

export const register = command({
  status: 'register',
  needsName: false,
  async handle(ctx, request) {
    const result = await login(ctx.chat, ctx.conn, request.sender);
    if (!result) return; // the connection closed while we looked the name up
    const { session, waiting, truncated } = result;
    const note = waiting.length > 0 ? `; ${waiting.length} message${waiting.length === 1 ? '' : 's'} waited for you` : '';
    const rooms = [...session.rooms].map((room) => room.name).sort();
    ctx.ok({ sender: session.name, text: `welcome, ${session.name}${note}`, waiting: waiting.length, rooms, ...(truncated ? { truncated } : {}) });
    for (const line of waiting) session.sendNow(line);
    completeLogin(ctx.chat, session);
  },
});
