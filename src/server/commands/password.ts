// {"status":"password","password":"<current>","new_password":"<new>"}: change the account's password.
// {"status":"password","new_password":"<new>"}: give a name that has no password its first one (a
// claimed name, issue #12.5). Either way every session token is revoked; the reply carries a new one
// for this client.
import { command } from './command.js';

export const password = command({
  status: 'password',
  needsName: true,
  async handle(ctx, request) {
    if (request.password === undefined) {
      const token = await ctx.accounts.setFirstPassword(ctx.conn, ctx.session, request.new_password);
      if (token === null) return; // the connection closed meanwhile
      ctx.ok({ token, text: `${ctx.session.name} now has a password: log in with it from now on` });
      return;
    }
    const token = await ctx.accounts.changePassword(ctx.conn, ctx.session, request.password, request.new_password);
    ctx.ok({ token, text: 'password changed; other sessions must log in again' });
  },
});
