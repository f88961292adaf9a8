// {"status":"group","receiver":"<room>","text":"..."}: message a room you are a member of.
import { sendGroup } from '../chat/messaging.js';
import { command } from './command.js';

export const group = command({
  status: 'group',
  needsName: true,
  handle(ctx, request) {
    const { message } = sendGroup(ctx.chat, ctx.session, request.receiver, request.text);
    ctx.ok({ msgid: message.id, seq: message.seq, ts: message.ts, receiver: message.receiver });
  },
});
