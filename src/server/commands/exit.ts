// {"status":"exit"}: end the session cleanly; the name is freed, contacts are told, and the session
// token is revoked (issue #4: a token outlives a dropped connection, not a goodbye).
import { command } from './command.js';

export const exit = command({
  status: 'exit',
  needsName: false,
  handle(ctx) {
    if (ctx.conn.session) ctx.accounts.revoke(ctx.conn.session);
    ctx.ok({ text: 'goodbye' });
    ctx.conn.leave('exit');
    ctx.conn.endAfterOutput();
  },
});
