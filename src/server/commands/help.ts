// {"status":"help"}: every request with an example; works before register.
import { COMMAND_HELP } from '../../protocol/commands.js';
import { command } from './command.js';

const TEXT = COMMAND_HELP.map((c) => `${c.status.padEnd(10)} ${c.summary}\n           ${c.example}`).join('\n');

export const help = command({
  status: 'help',
  needsName: false,
  inMemory: true,
  handle(ctx) {
    ctx.ok({ text: TEXT, commands: COMMAND_HELP });
  },
});
