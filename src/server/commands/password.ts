// {"status":"password","password":"<current>","new_password":"<new>"}: change the account's password. Every
// session token is revoked; the reply carries a new one for this client.
import { command } from './command.js';

export const password = command({
  status: 'password',
  needsName: true,
  async handle(ctx, request) {
    const token = await ctx.accounts.changePassword(ctx.conn, ctx.session, request.password, request.new_password);
    ctx.ok({ token, text: 'password changed; other sessions must log in again' });
  },
});
