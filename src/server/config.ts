/**
 * `classchat serve` settings: command-line flags, then CLASSCHAT_* environment variables, then
 * defaults. The limits and their defaults are listed once, in limits.ts.
 */
import { parseCommandLine, UsageError } from '../cli-args.js';
import { DEFAULT_PORT } from '../protocol/wire.js';
import { addressList } from './guards/address-list.js';
import { DEFAULT_LIMITS, LIMIT_OPTIONS, type Limits } from './limits.js';
import type { LogFormat } from './log.js';
import { BadStoreUrl, parseStoreUrl, type StoreChoice } from './store/open-store.js';
import { normalizeOrigin } from './web/origin.js';

/**
 * claim (the default, issue #11.1): a name's first `register` claims it and gets a token, needed to use
 * it again; open: anyone may take any name no account owns (the seeds); accounts: everyone has a password.
 */
export type AuthMode = 'claim' | 'open' | 'accounts';
export const AUTH_MODES: readonly AuthMode[] = ['claim', 'open', 'accounts'];

/**
 * Who may bring a new name (issue #11.4): open, anyone; closed, nobody (only the users the instructor
 * made with `classchat admin add-user`, and names the server already knows); invite, whoever has a
 * code from `classchat admin invite`.
 */
export type SignupMode = 'open' | 'closed' | 'invite';
export const SIGNUP_MODES: readonly SignupMode[] = ['open', 'closed', 'invite'];

export interface ServerConfig {
  host: string;
  port: number;
  /** Directory of the SQLite database and uploaded files (with a PostgreSQL store, both are in the database). */
  dataDir: string;
  /** Where the chat state lives (#15): SQLite in dataDir when absent, or a PostgreSQL database. */
  store?: StoreChoice;
  /**
   * Where nodes meet (#15): absent, this server is the only one (local bus, and the database is locked
   * to it); a redis:// URL joins it to the other servers on the same PostgreSQL database and Redis.
   */
  bus?: string;
  /** Put before the bus's channels and the registry's keys: several clusters (or tests) on one Redis. */
  busPrefix?: string;
  logLevel: string;
  logFormat: LogFormat;
  /** SQLite durability: normal survives a process crash, full also a power loss (slower). */
  sync: 'normal' | 'full';
  /** Who may use a name: see AuthMode. */
  auth: AuthMode;
  /** Who may bring a new name: see SignupMode. */
  signup: SignupMode;
  /** log2 of scrypt's N for new password hashes (17 by OWASP; tests use less). */
  scryptCost: number;
  /** Addresses and CIDR ranges exempt from maxPerAddress (a classroom behind one NAT). */
  exempt: string[];
  /**
   * Addresses and CIDR ranges of trusted proxies (#15, HAProxy with send-proxy-v2): their connections
   * must start with a PROXY protocol header, whose client address counts instead of the proxy's.
   */
  proxyFrom?: string[];
  /** PEM files: when set, the TCP port speaks TLS instead of plain TCP (issue #4). */
  tls?: { certFile: string; keyFile: string };
  /** Origins besides the server's own whose pages may open the WebSocket (issue #14), normalized. */
  webOrigins?: string[];
  /** Where the web app's files are; by default dist/web beside the compiled server (tests pass their own). */
  webDir?: string;
  /**
   * Messages to run through a throwaway server before this one starts, so that V8 has compiled the
   * message path before the first client (issue #16, warm-up.ts); 0 or absent: none.
   */
  warmUp?: number;
  limits: Limits;
}

export const DEFAULT_SCRYPT_COST = 17;
/** Messages through a throwaway server at start (warm-up.ts): enough for V8 to compile the message path. */
export const DEFAULT_WARM_UP_MESSAGES = 2000;
export { DEFAULT_LIMITS };

/** CLASSCHAT_MAX_LINE_BYTES for --max-line-bytes. */
function envName(flag: string): string {
  return `CLASSCHAT_${flag.toUpperCase().replaceAll('-', '_')}`;
}

const LIMIT_USAGE = LIMIT_OPTIONS.map((o) => `  --${o.flag} N`.padEnd(32) + `${o.help} (default ${o.default})`).join(
  '\n',
);

export const SERVE_USAGE = `usage: classchat serve [options]
  --host HOST          address to listen on (default 127.0.0.1; 0.0.0.0 for the whole network)  [CLASSCHAT_HOST]
  --port PORT          TCP port (default ${DEFAULT_PORT}; 0 picks a free one)                      [CLASSCHAT_PORT]
  --data DIR           directory for the SQLite database and files (default ./classchat-data) [CLASSCHAT_DATA]
  --store URL          sqlite: (default: in --data) or postgres://user@host/db, which several
                       servers may share (apply its schema first with: classchat migrate)    [CLASSCHAT_STORE]
  --bus URL            redis://host:port: join the other servers on the same PostgreSQL --store
                       (default: none, this server alone)                                    [CLASSCHAT_BUS]
  --bus-prefix TEXT    put before the bus's channels and keys, so several clusters share one Redis
                       (every node of one cluster gives the same; default none)       [CLASSCHAT_BUS_PREFIX]
  --auth MODE          claim (default: a name's first user gets a token that is needed to use it again),
                       open (anyone may use any offline name and read its messages: trusted rooms only),
                       or accounts (everyone has a password)                                 [CLASSCHAT_AUTH]
  --signup MODE        who may bring a new name: open (default), closed (only users made with
                       classchat admin add-user) or invite (a code from classchat admin invite) [CLASSCHAT_SIGNUP]
  --exempt LIST        addresses or CIDR ranges without the per-address cap, comma-separated [CLASSCHAT_EXEMPT]
  --proxy-from LIST    addresses or CIDR ranges of load balancers (HAProxy send-proxy-v2) whose
                       connections start with a PROXY protocol header naming the client    [CLASSCHAT_PROXY_FROM]
  --web-origins LIST   other origins whose pages may open the WebSocket, comma-separated
                       (e.g. https://chat.example.edu; the server's own is always allowed)  [CLASSCHAT_WEB_ORIGINS]
  --scrypt-cost N      log2 of scrypt's N for password hashes (default ${DEFAULT_SCRYPT_COST})           [CLASSCHAT_SCRYPT_COST]
  --log-level LEVEL    fatal, error, warn, info (default) or debug (one line per message)   [CLASSCHAT_LOG_LEVEL]
  --log-format FORMAT  pretty (default) or json                                             [CLASSCHAT_LOG_FORMAT]
  --sync MODE          normal (default: survives a crash of the server) or full (also a power loss) [CLASSCHAT_SYNC]
  --tls-cert FILE      serve TLS with this PEM certificate (make one with: classchat cert)  [CLASSCHAT_TLS_CERT]
  --tls-key FILE       the certificate's PEM private key; both or neither                   [CLASSCHAT_TLS_KEY]
  --warm-up N          messages to send through a throwaway in-memory server at start, so the first
                       clients meet compiled code (default ${DEFAULT_WARM_UP_MESSAGES}, about 0.5 s; 0: none)   [CLASSCHAT_WARM_UP]

limits (docs/security.md says why each default; each also as CLASSCHAT_<FLAG>, e.g. CLASSCHAT_FLOOD_RATE):
${LIMIT_USAGE}`;

/**
 * A setting that cannot work. From the command line it is a UsageError (said with the usage); found
 * later at start-up (an unreadable --tls-cert), `classchat serve` says it in one line.
 */
export class ConfigError extends UsageError {}

const SERVE_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  data: { type: 'string' },
  store: { type: 'string' },
  bus: { type: 'string' },
  'bus-prefix': { type: 'string' },
  auth: { type: 'string' },
  signup: { type: 'string' },
  exempt: { type: 'string' },
  'proxy-from': { type: 'string' },
  'web-origins': { type: 'string' },
  'scrypt-cost': { type: 'string' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  sync: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'warm-up': { type: 'string' },
  ...Object.fromEntries(LIMIT_OPTIONS.map((o) => [o.flag, { type: 'string' as const }])),
} as const;

/** A comma-separated flag's items, trimmed, empty ones dropped. */
function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

/**
 * `classchat serve`'s flags over `env` over the defaults. Throws UsageError for a flag it does not
 * know, ConfigError (a UsageError too) for a value that cannot work.
 */
export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig & { help: boolean } {
  const { values, help } = parseCommandLine(argv, SERVE_OPTIONS);
  const flag = (name: string): string | undefined =>
    (values as Record<string, string | undefined>)[name] ?? env[envName(name)];
  const port = Number(flag('port') ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`--port must be 0-65535, not ${flag('port')}`);
  const logFormat = flag('log-format') ?? 'pretty';
  if (logFormat !== 'pretty' && logFormat !== 'json') throw new ConfigError('--log-format must be pretty or json');
  const logLevel = flag('log-level') ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel))
    throw new ConfigError(`unknown --log-level ${logLevel}`);
  const sync = flag('sync') ?? 'normal';
  if (sync !== 'normal' && sync !== 'full') throw new ConfigError('--sync must be normal or full');
  const auth = (flag('auth') ?? 'claim') as AuthMode;
  if (!AUTH_MODES.includes(auth)) throw new ConfigError('--auth must be claim, open or accounts');
  const signup = (flag('signup') ?? 'open') as SignupMode;
  if (!SIGNUP_MODES.includes(signup)) throw new ConfigError('--signup must be open, closed or invite');
  if (signup !== 'open' && auth === 'open')
    throw new ConfigError(`--signup ${signup} needs --auth claim or accounts: in open mode anyone may use any name`);
  const scryptCost = Number(flag('scrypt-cost') ?? DEFAULT_SCRYPT_COST);
  if (!Number.isInteger(scryptCost) || scryptCost < 1 || scryptCost > 20)
    throw new ConfigError('--scrypt-cost must be an integer 1-20');
  const exempt = list(flag('exempt'));
  const proxyFrom = list(flag('proxy-from'));
  for (const [name, entries] of [
    ['exempt', exempt],
    ['proxy-from', proxyFrom],
  ] as const) {
    try {
      addressList(entries);
    } catch (err) {
      throw new ConfigError(`--${name}: ${(err as Error).message}`);
    }
  }
  const webOrigins = list(flag('web-origins')).map((raw) => {
    const origin = normalizeOrigin(raw);
    if (origin === null)
      throw new ConfigError(`--web-origins: ${JSON.stringify(raw)} is not an origin like https://chat.example.edu`);
    return origin;
  });
  const limits = { ...DEFAULT_LIMITS };
  for (const option of LIMIT_OPTIONS) {
    const raw = flag(option.flag);
    if (raw === undefined) continue;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value < 0)
      throw new ConfigError(`--${option.flag} must be a number >= 0, not ${JSON.stringify(raw)}`);
    limits[option.key] = value;
  }
  // Issue #11.17: a prefix is a whole number of bits within the address.
  for (const [flag, value, max] of [
    ['ipv4-prefix', limits.ipv4Prefix, 32],
    ['ipv6-prefix', limits.ipv6Prefix, 128],
    ['loopback-one-host', limits.loopbackOneHost, 1],
  ] as const) {
    if (!Number.isInteger(value) || value > max)
      throw new ConfigError(`--${flag} must be a whole number 0-${max}, not ${value}`);
  }
  // Chat alone must never reach the cut-off: it is held to behindBytes plus one page (issue #11.11).
  if (limits.behindBytes + limits.catchUpPageBytes >= limits.maxOutputBytes) {
    throw new ConfigError(
      `--behind-bytes plus --catch-up-page-bytes must stay below --max-output-bytes (${limits.maxOutputBytes})`,
    );
  }
  let store: StoreChoice;
  try {
    store = parseStoreUrl(flag('store'));
  } catch (err) {
    if (err instanceof BadStoreUrl) throw new ConfigError(err.message);
    throw err;
  }
  const bus = flag('bus');
  if (bus !== undefined && bus !== '') {
    if (!/^rediss?:\/\//.test(bus)) throw new ConfigError(`--bus must be a redis:// URL, not ${JSON.stringify(bus)}`);
    // Nodes share what is stored through the database: SQLite is one process's file.
    if (store.kind !== 'postgres') throw new ConfigError('--bus needs a PostgreSQL --store that every node shares');
  }
  const busPrefix = flag('bus-prefix');
  if (busPrefix !== undefined && busPrefix !== '' && (bus === undefined || bus === ''))
    throw new ConfigError('--bus-prefix goes with --bus');
  const warmUp = Number(flag('warm-up') ?? DEFAULT_WARM_UP_MESSAGES);
  if (!Number.isInteger(warmUp) || warmUp < 0 || warmUp > 1_000_000)
    throw new ConfigError(`--warm-up must be a whole number of messages 0-1000000, not ${flag('warm-up')}`);
  const certFile = values['tls-cert'] ?? env.CLASSCHAT_TLS_CERT;
  const keyFile = values['tls-key'] ?? env.CLASSCHAT_TLS_KEY;
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new ConfigError('--tls-cert and --tls-key go together: give both or neither');
  return {
    help,
    host: flag('host') ?? '127.0.0.1',
    port,
    dataDir: flag('data') ?? './classchat-data',
    store,
    ...(bus !== undefined && bus !== '' && { bus }),
    ...(busPrefix !== undefined && busPrefix !== '' && { busPrefix }),
    logLevel,
    logFormat,
    sync,
    auth,
    signup,
    scryptCost,
    exempt,
    proxyFrom,
    webOrigins,
    limits,
    warmUp,
    tls: certFile !== undefined && keyFile !== undefined ? { certFile, keyFile } : undefined,
  };
}
