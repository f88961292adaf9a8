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
    const { message } = sendGroup(ctx.chat, ctx.session, request.receiver, request.text, ctx.clientRef);
    ctx.sent(message, '');
  },
});
