// {"status":"register","sender":"<name>"[,"password":"<password>"][,"invite":"<code>"]}: claim a name. With a password it
// creates the account that owns the name; without one, in claim mode (the default, issue #11.1), the
// first register claims the name. Either way the reply carries the token needed to use the name
// again. In open mode (the seeds) a name no account owns is taken with no token. The reply is
// followed by the messages that waited. With --signup closed or invite, a name the server does not
// know needs an account the instructor made, or an invite code (issue #11.4).
import { goOnline, register as takeName } from '../chat/login.js';
import { command } from './command.js';
import { welcome } from './welcome.js';

export const register = command({
  status: 'register',
  needsName: false,
  async handle(ctx, request) {
    if (request.password === undefined && ctx.accounts.mode === 'open') {
      const login = await takeName(ctx.chat, ctx.conn, request.sender, request.since);
      if (login) welcome(ctx, login);
      return;
    }
    const account =
      request.password === undefined
        ? await ctx.accounts.claim(ctx.conn, request.sender, request.invite)
        : await ctx.accounts.signUp(ctx.conn, request.sender, request.password, request.invite);
    const login = account && (await goOnline(ctx.chat, ctx.conn, account.user, request.since));
    if (!account || !login) return; // the connection closed meanwhile
    login.session.tokenId = account.tokenId;
    welcome(ctx, login, { token: account.token, role: account.user.role });
  },
});
