// {"status":"exit"}: end the session cleanly; the name is freed and contacts are told.
import { disconnect } from '../chat/login.js';
import { command } from './command.js';

export const exit = command({
  status: 'exit',
  needsName: false,
  handle(ctx) {
    ctx.ok({ text: 'goodbye' });
    const session = ctx.conn.session;
    if (session) {
      disconnect(ctx.chat, session, 'exit');
      ctx.conn.session = null;
    }
    ctx.conn.endAfterOutput();
  },
});
