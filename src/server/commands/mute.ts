// {"status":"mute","receiver":"<user>","seconds":600[,"text":"<reason>"]}: an admin stops a user from
// sending messages for a time (seconds 0 lifts it). Lasts across reconnects and restarts.
import { muteUser } from '../chat/moderation.js';
import { command } from './command.js';

export const mute = command({
  status: 'mute',
  needsName: true,
  async handle(ctx, request) {
    const { name, until, undo } = await muteUser(
      ctx.chat,
      ctx.session,
      request.receiver,
      request.seconds,
      request.text,
    );
    ctx.ok(
      {
        receiver: name,
        until,
        text: until === null ? `${name} may send again` : `${name} is muted until ${until}`,
      },
      undo,
    );
  },
});
