// {"status":"broadcast","text":"..."}: message everyone online but yourself.
import { sendBroadcast } from '../chat/messaging.js';
import { command } from './command.js';

export const broadcast = command({
  status: 'broadcast',
  needsName: true,
  handle(ctx, request) {
    const { message, delivered } = sendBroadcast(ctx.chat, ctx.session, request.text);
    ctx.ok({ msgid: message.id, seq: message.seq, ts: message.ts, receiver: message.receiver, delivered });
  },
});
