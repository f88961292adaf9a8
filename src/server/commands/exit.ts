// {"status":"exit"}: end the session cleanly; the name is freed and contacts are told.
import { command } from './command.js';

export const exit = command({
  status: 'exit',
  needsName: false,
  handle(ctx) {
    ctx.ok({ text: 'goodbye' });
    ctx.conn.leave('exit');
    ctx.conn.endAfterOutput();
  },
});
