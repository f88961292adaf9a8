// {"status":"ping"}: answers at once; a client sends it to show it is there (the server pings the silent).
import { command } from './command.js';

export const ping = command({
  status: 'ping',
  needsName: false,
  inMemory: true,
  handle(ctx) {
    ctx.ok({ text: 'pong' });
  },
});
