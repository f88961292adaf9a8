/** The reply every way of going online shares (register, login): welcome, then what waited. */
import { completeLogin, type Login } from '../chat/login.js';
import type { Context } from './command.js';

export function welcome(ctx: Context, login: Login, extra: Record<string, unknown> = {}): void {
  const { session, waiting, truncated } = login;
  const note = waiting.length > 0 ? `; ${waiting.length} message${waiting.length === 1 ? '' : 's'} waited for you` : '';
  const rooms = [...session.rooms].map((room) => room.name).sort();
  ctx.ok({
    sender: session.name,
    text: `welcome, ${session.name}${note}`,
    waiting: waiting.length,
    rooms,
    ...(truncated ? { truncated } : {}),
    ...extra,
  });
  for (const line of waiting) session.sendNow(line);
  completeLogin(ctx.chat, session);
}
