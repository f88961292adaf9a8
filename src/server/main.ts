/** `classchat serve`: runs the server until SIGINT or SIGTERM, then shuts down gracefully. */
import v8 from 'node:v8';
import { readCommandLine, USAGE_EXIT } from '../cli-args.js';
import { ConfigError, parseServeArgs, SERVE_USAGE } from './config.js';
import { createLogger } from './log.js';
import { ClassChatServer } from './server.js';
import { DatabaseInUse } from './store/database-in-use.js';
import { DataDirInUse } from './store/data-dir-lock.js';
import { ListenError } from './transports/listen-error.js';

export async function serve(argv: string[]): Promise<number> {
  const config = readCommandLine('classchat serve', SERVE_USAGE, () => parseServeArgs(argv));
  if (typeof config === 'number') return config; // --help, or a bad flag or value
  // A burst of logins makes V8 grow its young generation to tens of MB and keep it: measured at
  // 10,000 idle connections, 4.8 KiB of RSS each instead of 2.9 (issue #2 target: 4). Keeping the
  // young generation at its initial size costs more frequent, cheap scavenges (see README figures).
  // Unlike --max-semi-space-size, this flag is read when the space would grow, so it works from here.
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  const log = createLogger(config.logLevel, config.logFormat);
  let server: ClassChatServer;
  let failed = false;
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const exitAfterShutdown = () =>
    server.shutdown().then(
      () => finish(failed ? 1 : 0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        finish(1);
      },
    );
  try {
    // A storage failure (issue #11.12): the server is already shutting down; exit 1 once it is done.
    server = await ClassChatServer.start(config, log, () => {
      failed = true;
      void exitAfterShutdown();
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      // A bad --tls-cert or --tls-key: the operator's to fix, said in one line like the flag errors above.
      process.stderr.write(`classchat serve: ${err.message}\n`);
      return USAGE_EXIT;
    }
    if (err instanceof DataDirInUse || err instanceof DatabaseInUse || err instanceof ListenError) {
      // Issues #11.2 and #12.9: one line saying what to do, not a stack trace in a log record.
      process.stderr.write(`classchat serve: ${err.message}\n`);
      return 1;
    }
    log.fatal({ err }, 'cannot start');
    return 1;
  }
  let signals = 0;
  const stop = (signal: string) => {
    if (++signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    log.info({ signal }, 'signal received');
    void exitAfterShutdown();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return finished;
}
