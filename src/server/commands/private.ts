// {"status":"private","receiver":"<user>","text":"..."}: message one user; queued while they are offline.
import { sendPrivate, type SentPrivate } from '../chat/messaging.js';
import { command, type Context } from './command.js';

export const privateMessage = command({
  status: 'private',
  needsName: true,
  stores: 'message',
  flood: true,
  speaks: true,
  resendable: true,
  handle(ctx, request) {
    const sent = sendPrivate(ctx.chat, ctx.session, request.receiver, request.text, ctx.clientRef);
    if (sent instanceof Promise) return sent.then((s) => reply(ctx, s));
    reply(ctx, sent);
  },
});

function reply(ctx: Context<'private'>, { message, queued }: SentPrivate): void {
  if (!queued) {
    ctx.sent(message, '');
    return;
  }
  const note = `${message.receiver} is offline; the message will be delivered when they return`;
  ctx.sent(message, `,"queued":true,"text":${JSON.stringify(note)}`);
}
