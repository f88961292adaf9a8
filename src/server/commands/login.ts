// {"status":"login","sender":"<name>","password":"<password>"} or {...,"token":"<token>"}: log in to an
// account. A password login's reply carries a new session token for reconnecting. Logging in where
// the name is already online closes the other connection (it is usually one that died unnoticed).
import { nameKey } from '../../protocol/names.js';
import { goOnline } from '../chat/login.js';
import { command } from './command.js';
import { welcome } from './welcome.js';

export const login = command({
  status: 'login',
  needsName: false,
  async handle(ctx, request) {
    const account = await ctx.accounts.logIn(ctx.conn, request.sender, {
      password: request.password,
      token: request.token,
    });
    if (!account) return;
    ctx.chat.presence
      .byName(nameKey(account.user.name))
      ?.close('replaced', `${account.user.name} logged in from another connection; this one is closed`);
    const login = await goOnline(ctx.chat, ctx.conn, account.user, request.since, true);
    if (!login) return;
    login.session.tokenId = account.tokenId;
    welcome(ctx, login, { role: account.user.role, ...(account.token ? { token: account.token } : {}) });
  },
});
