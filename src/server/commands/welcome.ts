/** The reply every way of going online shares (register, login): welcome, then what waited. */
import type { WelcomeReply } from '../../protocol/messages.js';
import { completeLogin, disconnect, type Login } from '../chat/login.js';
import type { Context } from './command.js';

/** Replies with the welcome (and `extra`: the token and role an account login adds), then sends what waited. */
export function welcome(
  ctx: Context<'register' | 'login'>,
  login: Login,
  extra: Pick<WelcomeReply, 'token' | 'role'> = {},
): void {
  const { session, waiting, truncated } = login;
  const note = waiting.length > 0 ? `; ${waiting.length} message${waiting.length === 1 ? '' : 's'} waited for you` : '';
  const rooms = [...session.rooms].map((room) => room.name).sort();
  // #15: a welcome whose tick is not stored (a commit that could not reach the database) becomes
  // `unavailable`, so the session goes offline again unannounced (its `connect` events were in the same
  // tick, also dropped) and the client may simply log in again; its cursors stay where they were.
  const undo = () => {
    if (ctx.conn.session !== session) return;
    disconnect(ctx.chat, session, 'login not stored', { announce: false, advanceCursors: false });
    ctx.conn.session = null;
  };
  ctx.ok(
    {
      sender: session.name,
      text: `welcome, ${session.name}${note}`,
      waiting: waiting.length,
      rooms,
      ...(truncated ? { truncated } : {}),
      ...extra,
    },
    undo,
  );
  for (const line of waiting) session.sendNow(line);
  completeLogin(ctx.chat, session);
}
