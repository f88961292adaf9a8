// {"status":"register","sender":"<name>"[,"password":"<password>"]}: claim a name. With a password it
// creates the account that owns the name and the reply carries a session token. The reply is
// followed by the messages that waited.
import { goOnline, register as claim } from '../chat/login.js';
import { command } from './command.js';
import { welcome } from './welcome.js';

export const register = command({
  status: 'register',
  needsName: false,
  async handle(ctx, request) {
    if (request.password === undefined) {
      ctx.accounts.assertOpen(request.sender);
      const login = await claim(ctx.chat, ctx.conn, request.sender, request.since);
      if (login) welcome(ctx, login);
      return;
    }
    const account = await ctx.accounts.signUp(ctx.conn, request.sender, request.password);
    const login = account && (await goOnline(ctx.chat, ctx.conn, account.user, request.since));
    if (!account || !login) return; // the connection closed meanwhile
    login.session.tokenId = account.tokenId;
    welcome(ctx, login, { token: account.token, role: account.user.role });
  },
});
