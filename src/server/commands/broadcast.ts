// {"status":"broadcast","text":"..."}: message every user but yourself (online now, or at their next login).
import { sendBroadcast, type Sent } from '../chat/messaging.js';
import { command, type Context } from './command.js';

export const broadcast = command({
  status: 'broadcast',
  needsName: true,
  stores: 'message',
  flood: true,
  speaks: true,
  resendable: true,
  handle(ctx, request) {
    const sent = sendBroadcast(ctx.chat, ctx.session, request.text, ctx.clientRef);
    // A promise when the store tells the message's id only after its commit (#15).
    if (sent instanceof Promise) return sent.then((s) => reply(ctx, s));
    reply(ctx, sent);
  },
});

function reply(ctx: Context<'broadcast'>, { message, delivered }: Sent): void {
  ctx.sent(message, `,"delivered":${delivered}`);
}
