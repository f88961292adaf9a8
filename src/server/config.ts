/**
 * `classchat serve` settings: command-line flags, then CLASSCHAT_* environment variables, then
 * defaults. Every limit is here with its default, so docs and tests have one place to look.
 */
import { parseArgs } from 'node:util';
import type { LogFormat } from './log.js';

export interface ServerConfig {
  host: string;
  port: number;
  /** Directory of the SQLite database. */
  dataDir: string;
  logLevel: string;
  logFormat: LogFormat;
  /** SQLite durability: normal survives a process crash, full also a power loss (slower). */
  sync: 'normal' | 'full';
  /** PEM files: when set, the TCP port speaks TLS instead of plain TCP (issue #4). */
  tls?: { certFile: string; keyFile: string };
  limits: {
    maxLineBytes: number;
    maxDiscardBytes: number;
    maxOutputBytes: number;
    maxTextBytes: number;
    offlineDeliveryLimit: number;
    offlineDeliveryBytes: number;
    /** A TLS client that has not finished its handshake by then is cut off (issue #4). */
    tlsHandshakeMs: number;
  };
}

export const DEFAULT_PORT = 5555;

export const DEFAULT_LIMITS: ServerConfig['limits'] = {
  maxLineBytes: 64 * 1024,
  maxDiscardBytes: 1024 * 1024,
  maxOutputBytes: 4 * 1024 * 1024,
  maxTextBytes: 16 * 1024,
  offlineDeliveryLimit: 10_000,
  offlineDeliveryBytes: 1024 * 1024,
  tlsHandshakeMs: 10_000,
};

export const SERVE_USAGE = `usage: classchat serve [options]
  --host HOST          address to listen on (default 127.0.0.1; 0.0.0.0 for the whole network)  [CLASSCHAT_HOST]
  --port PORT          TCP port (default ${DEFAULT_PORT}; 0 picks a free one)                      [CLASSCHAT_PORT]
  --data DIR           directory for the SQLite database (default ./classchat-data)         [CLASSCHAT_DATA]
  --log-level LEVEL    fatal, error, warn, info (default) or debug (one line per message)   [CLASSCHAT_LOG_LEVEL]
  --log-format FORMAT  pretty (default) or json                                             [CLASSCHAT_LOG_FORMAT]
  --sync MODE          normal (default: survives a crash of the server) or full (also a power loss) [CLASSCHAT_SYNC]
  --tls-cert FILE      serve TLS with this PEM certificate (make one with: classchat cert)  [CLASSCHAT_TLS_CERT]
  --tls-key FILE       the certificate's PEM private key; both or neither                   [CLASSCHAT_TLS_KEY]`;

export class ConfigError extends Error {}

export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig & { help: boolean } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        data: { type: 'string' },
        'log-level': { type: 'string' },
        'log-format': { type: 'string' },
        sync: { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const port = Number(values.port ?? env.CLASSCHAT_PORT ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be 0-65535, not ${values.port ?? env.CLASSCHAT_PORT}`);
  const logFormat = values['log-format'] ?? env.CLASSCHAT_LOG_FORMAT ?? 'pretty';
  if (logFormat !== 'pretty' && logFormat !== 'json') throw new ConfigError('--log-format must be pretty or json');
  const logLevel = values['log-level'] ?? env.CLASSCHAT_LOG_LEVEL ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) throw new ConfigError(`unknown --log-level ${logLevel}`);
  const sync = values.sync ?? env.CLASSCHAT_SYNC ?? 'normal';
  if (sync !== 'normal' && sync !== 'full') throw new ConfigError('--sync must be normal or full');
  const certFile = values['tls-cert'] ?? env.CLASSCHAT_TLS_CERT;
  const keyFile = values['tls-key'] ?? env.CLASSCHAT_TLS_KEY;
  if ((certFile === undefined) !== (keyFile === undefined)) throw new ConfigError('--tls-cert and --tls-key go together: give both or neither');
  return {
    help: values.help === true,
    host: values.host ?? env.CLASSCHAT_HOST ?? '127.0.0.1',
    port,
    dataDir: values.data ?? env.CLASSCHAT_DATA ?? './classchat-data',
    logLevel,
    logFormat,
    sync,
    tls: certFile !== undefined && keyFile !== undefined ? { certFile, keyFile } : undefined,
    limits: { ...DEFAULT_LIMITS },
  };
}
