/** `classchat chat`: the terminal client. Interactive on a terminal; line by line from a pipe. */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { parseCommandLine, readCommandLine } from '../cli-args.js';
import { DEFAULT_PORT } from '../protocol/wire.js';
import { ConnectError, type DialTarget } from './dial.js';
import { KnownServers, knownServersPath } from './known-servers.js';
import { Link } from './link.js';
import { Renderer } from './render.js';
import { InteractiveScreen } from './interactive-screen.js';
import { PlainScreen } from './plain-screen.js';
import type { Screen } from './screen.js';
import { SavedTokens, savedTokensPath } from './saved-tokens.js';
import { Session, type NameTokens, type Registration } from './session.js';
import { serverAddress, ServerTrust, type Notice } from './trust.js';

export const CHAT_USAGE = `usage: classchat chat [options]
  --host HOST    server address (default 127.0.0.1)           [CLASSCHAT_HOST]
  --port PORT    server port (default ${DEFAULT_PORT})                        [CLASSCHAT_PORT]
  --user NAME    your name (asked for when not given)
  --invite CODE  the invite code from your instructor, for a server that needs one to sign up
  --json         print every event as one JSON line (for scripts)
  --tls          connect with TLS (the server runs with --tls-cert)
  --ca FILE      trust this certificate (the server's cert.pem, from whoever runs it); implies --tls
  --insecure     connect even if the server's certificate cannot be verified (not private!); implies --tls
Type /help once connected for the commands.`;

const CHAT_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  user: { type: 'string' },
  invite: { type: 'string' },
  json: { type: 'boolean' },
  tls: { type: 'boolean' },
  ca: { type: 'string' },
  insecure: { type: 'boolean' },
} as const;

export async function chat(argv: string[]): Promise<number> {
  const args = readCommandLine('classchat chat', CHAT_USAGE, () => parseCommandLine(argv, CHAT_OPTIONS));
  if (typeof args === 'number') return args; // --help, or a bad flag
  const { values } = args;
  const host = values.host ?? process.env.CLASSCHAT_HOST ?? '127.0.0.1';
  const port = Number(values.port ?? process.env.CLASSCHAT_PORT ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write(`classchat chat: --port must be 1-65535\n`);
    return 2;
  }

  if (values.ca !== undefined && values.insecure) {
    process.stderr.write('classchat chat: --ca verifies the server and --insecure does not: give one of them\n');
    return 2;
  }
  let ca: Buffer | undefined;
  if (values.ca !== undefined) {
    try {
      ca = readCertificate(values.ca);
    } catch (err) {
      process.stderr.write(`classchat chat: ${(err as Error).message}\n`);
      return 2;
    }
  }
  const target: DialTarget = { host, port };
  if (values.tls || ca || values.insecure) target.tls = { ca, insecure: values.insecure === true };

  // Notices about the server's certificate: on the first connection the screen does not exist yet and
  // they go to stderr, beside any refusal; on a reconnect they go to the screen, which keeps the prompt whole.
  let liveScreen: Screen | null = null;
  const tell = (notice: Notice) => {
    if (liveScreen) liveScreen.show({ type: notice.warning ? 'error' : 'info', text: notice.text });
    else process.stderr.write(notice.text + '\n');
  };
  const trust = new ServerTrust(new KnownServers(knownServersPath()));
  const address = serverAddress(host, port);
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const session = new Session({
    tokens: nameTokens(new SavedTokens(savedTokensPath()), address),
    interactive: interactive && values.json !== true,
    ...(values.invite !== undefined ? { invite: values.invite } : {}),
    connect: async () => {
      const link = await Link.connect(target);
      if (link.certificate) for (const notice of trust.check(address, link.certificate)) tell(notice);
      return link;
    },
  });
  try {
    await session.connect();
  } catch (err) {
    if (!(err instanceof ConnectError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 1;
  }

  const color = interactive && !process.env.NO_COLOR && values.json !== true;
  const renderer = new Renderer(() => session.name, color);
  const screen: Screen =
    interactive && !values.json
      ? new InteractiveScreen(renderer, session)
      : new PlainScreen(renderer, values.json === true);
  liveScreen = screen;
  // A --json script learns from the exit code whether everything it asked for was done (issue #12.4):
  // any error line (a refused request, a usage error, a failed transfer) makes it 1.
  let failed = false;
  session.on('output', (output) => {
    if (output.type === 'error') failed = true;
    screen.show(output);
  });
  session.on('target', (target) => screen.setTarget(target));
  const ended = new Promise<number>((resolve) => session.on('end', resolve));

  // CLASSCHAT_PASSWORD serves scripts; it is used once (and as its own confirmation), then the client asks.
  let presetPassword = process.env.CLASSCHAT_PASSWORD ?? null;
  let lastPreset: string | null = null;
  const askPassword = (prompt: string, confirming = false) => {
    if (confirming && lastPreset !== null) return Promise.resolve(lastPreset);
    lastPreset = presetPassword;
    presetPassword = null;
    return lastPreset !== null ? Promise.resolve(lastPreset) : screen.askPassword(prompt);
  };
  const askInvite = (reason: string) => screen.askLine(`${reason}\ninvite code: `);
  let registration: Registration;
  try {
    registration = await session.register(values.user ?? null, {
      askName: (reason) => screen.askName(reason),
      askPassword,
      // Only a person is asked for a code; a script gives --invite or ends with the server's reason.
      ...(interactive && values.json !== true ? { askInvite } : {}),
    });
  } catch {
    // Most often a TLS server closing on a plain client's first line (a TLS client at a plain server
    // fails earlier, in dial.ts, with its own message).
    const hint = target.tls ? '' : '; if it serves TLS, add --tls (with --ca FILE)';
    process.stderr.write(`the server at ${address} closed the connection before answering${hint}\n`);
    registration = { registered: false, reason: null };
  }
  if (!registration.registered) {
    // A script's refusal goes to stderr, as a command's failure does (issue #12.4).
    if (registration.reason !== null) process.stderr.write(`classchat chat: ${registration.reason}\n`);
    await session.finish();
    screen.close();
    return 1;
  }
  failed = false; // what the sign-in dialogue said (a mistyped password asked again) is not a failed request
  screen.setTarget(session.current);
  screen.run(
    (line) => session.handleLine(line),
    () => void session.finish(),
    () => void session.interrupt(),
  );
  const code = await ended;
  screen.close();
  return code === 0 && failed && values.json === true ? 1 : code;
}

/**
 * The saved tokens of one server's names. A file that cannot be read or written costs only the
 * convenience (the user is told, and asked as if new), never the chat session.
 */
function nameTokens(saved: SavedTokens, address: string): NameTokens {
  const attempt = <T>(what: string, action: () => T): T | undefined => {
    try {
      return action();
    } catch (err) {
      process.stderr.write(`classchat chat: cannot ${what} ${saved.file}: ${(err as Error).message}\n`);
      return undefined;
    }
  };
  return {
    get: (name) => attempt('read', () => saved.get(address, name)),
    save: (name, token) => attempt('save the token of your name in', () => saved.set(address, name, token)),
    forget: (name) => attempt('update', () => saved.forget(address, name)),
  };
}

/** Reads a PEM certificate for --ca; throws an Error with a one-line message. */
function readCertificate(file: string): Buffer {
  let pem: Buffer;
  try {
    pem = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`cannot read --ca ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  try {
    new X509Certificate(pem);
  } catch {
    throw new Error(`--ca ${file} is not a PEM certificate`);
  }
  return pem;
}
