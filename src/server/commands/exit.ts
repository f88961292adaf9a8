// {"status":"exit"}: end the session cleanly; the user goes offline and contacts are told. A password
// account's session token is revoked (issue #4: a token outlives a dropped connection, not a goodbye);
// a claimed name's token is kept, since it is the name's only credential (issue #11.1).
import { command } from './command.js';

export const exit = command({
  status: 'exit',
  // Not inMemory (#15): revoking the token is a write. While the database cannot be reached the exit is
  // answered unavailable, so a student at a shared computer is not sent off with the token still valid.
  needsName: false,
  handle(ctx) {
    if (ctx.conn.session) ctx.accounts.revoke(ctx.conn.session);
    ctx.ok({ text: 'goodbye' });
    ctx.conn.leave('exit');
    ctx.conn.endAfterOutput();
  },
});
