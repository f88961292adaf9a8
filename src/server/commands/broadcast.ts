// {"status":"broadcast","text":"..."}: message every user but yourself (online now, or at their next login).
import { sendBroadcast } from '../chat/messaging.js';
import { command } from './command.js';

export const broadcast = command({
  status: 'broadcast',
  needsName: true,
  stores: 'message',
  flood: true,
  speaks: true,
  resendable: true,
  handle(ctx, request) {
    const { message, delivered } = sendBroadcast(ctx.chat, ctx.session, request.text, ctx.clientRef);
    ctx.sent(message, `,"delivered":${delivered}`);
  },
});
