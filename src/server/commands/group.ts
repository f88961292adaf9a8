// {"status":"group","receiver":"<room>","text":"..."}: message a room you are a member of.
import { sendGroup } from '../chat/messaging.js';
import { command } from './command.js';

export const group = command({
  status: 'group',
  needsName: true,
  stores: 'message',
  flood: true,
  speaks: true,
  resendable: true,
  handle(ctx, request) {
    const sent = sendGroup(ctx.chat, ctx.session, request.receiver, request.text, ctx.clientRef);
    // A promise when the store tells the message's id only after its commit (#15).
    if (sent instanceof Promise) return sent.then(({ message }) => ctx.sent(message, ''));
    ctx.sent(sent.message, '');
  },
});
