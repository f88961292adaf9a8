/** `classchat chat`: the terminal client. Interactive on a terminal; line by line from a pipe. */
import { parseArgs } from 'node:util';
import { DEFAULT_PORT } from '../server/config.js';
import { ConnectError } from './link.js';
import { Renderer } from './render.js';
import { InteractiveScreen, PlainScreen, type Screen } from './screen.js';
import { Session } from './session.js';

export const CHAT_USAGE = `usage: classchat chat [options]
  --host HOST    server address (default 127.0.0.1)           [CLASSCHAT_HOST]
  --port PORT    server port (default ${DEFAULT_PORT})                        [CLASSCHAT_PORT]
  --user NAME    your name (asked for when not given)
  --json         print every event as one JSON line (for scripts)
Type /help once connected for the commands.`;

export async function chat(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { host: { type: 'string' }, port: { type: 'string' }, user: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    process.stderr.write(`classchat chat: ${(err as Error).message}\n${CHAT_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(CHAT_USAGE + '\n');
    return 0;
  }
  const host = values.host ?? process.env.CLASSCHAT_HOST ?? '127.0.0.1';
  const port = Number(values.port ?? process.env.CLASSCHAT_PORT ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write(`classchat chat: --port must be 1-65535\n`);
    return 2;
  }

  const session = new Session({ host, port });
  try {
    await session.connect();
  } catch (err) {
    if (!(err instanceof ConnectError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 1;
  }

  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const color = interactive && !process.env.NO_COLOR && values.json !== true;
  const renderer = new Renderer(() => session.name, color);
  const screen: Screen = interactive && !values.json ? new InteractiveScreen(renderer, session) : new PlainScreen(renderer, values.json === true);
  session.on('output', (output) => screen.show(output));
  session.on('target', (target) => screen.setTarget(target));
  const ended = new Promise<number>((resolve) => session.on('end', resolve));

  // CLASSCHAT_PASSWORD serves scripts; it is used once, then the client asks.
  let presetPassword = process.env.CLASSCHAT_PASSWORD ?? null;
  const askPassword = (prompt: string) => {
    const preset = presetPassword;
    presetPassword = null;
    return preset !== null ? Promise.resolve(preset) : screen.askPassword(prompt);
  };
  const registered = await session.register(values.user ?? null, (reason) => screen.askName(reason), askPassword);
  if (!registered) {
    await session.finish();
    screen.close();
    return 1;
  }
  screen.setTarget(session.current);
  screen.run(
    (line) => session.handleLine(line),
    () => void session.finish(),
    () => void session.finish(),
  );
  const code = await ended;
  screen.close();
  return code;
}
