/**
 * ioredis connections for the Redis bus and name registry (issue #15), made one way: reconnect forever
 * with capped, jittered backoff (Redis restarting must be survivable, and many nodes must not reconnect
 * in step), errors logged with the connection's role, and a close that leaves no socket or timer.
 */
import { Redis, type RedisStatus } from 'ioredis';
import type { Logger } from 'pino';

/** First reconnect delay; doubled per failed attempt up to `RECONNECT_MAX_MS`, plus up to 50 % jitter. */
export const RECONNECT_FIRST_MS = 50;
export const RECONNECT_MAX_MS = 2000;
/**
 * Commands wait through this many reconnect attempts (a few seconds with the backoff above), then fail:
 * publishes held without bound during a long outage would be memory without bound. A failed publish is a
 * jump in its sequence, which its receivers report as a gap.
 */
const RETRIES_PER_COMMAND = 5;
const QUIT_TIMEOUT_MS = 1000;

export function reconnectDelay(attempt: number): number {
  const base = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 + Math.random() / 2));
}

/**
 * A connection to `url` for `role` (e.g. "bus publish"). It connects at once and queues commands until
 * ready. `autoResubscribe` is off: the bus resubscribes itself, so it knows when the subscriptions are live.
 */
export function connectRedis(url: string, role: string, log: Logger): Redis {
  const client = new Redis(url, {
    retryStrategy: reconnectDelay,
    maxRetriesPerRequest: RETRIES_PER_COMMAND,
    autoResubscribe: false,
    connectionName: `classchat ${role}`,
  });
  let wasReady = false;
  let warned = false;
  client.on('ready', () => {
    if (wasReady) log.info({ role }, 'redis: reconnected');
    wasReady = true;
    warned = false;
  });
  client.on('error', (err: Error) => {
    // Every failed reconnect attempt errors: the first of an outage is the news, the rest are debug.
    if (warned) log.debug({ err, role }, 'redis: connection error');
    else log.warn({ err, role }, 'redis: connection error');
    warned = true;
  });
  return client;
}

/** Closes `client`: its pending replies first when connected (bounded), then the socket and timers. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'ready') await bounded(client.quit().catch(() => undefined));
  // Between reconnect attempts there is no socket: disconnect() only clears the pending attempt's timer,
  // and no 'end' follows. Otherwise the socket's close ends the client.
  const socketOpen = !['reconnecting', 'end'].includes(statusOf(client)); // QUIT may have ended it

  const ended = socketOpen ? new Promise<void>((resolve) => client.once('end', () => resolve())) : null;
  client.disconnect();
  if (ended) await bounded(ended);
}

function statusOf(client: Redis): RedisStatus {
  return client.status;
}

/** `promise`, or nothing after QUIT_TIMEOUT_MS (a dead server never answers QUIT). */
async function bounded(promise: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, QUIT_TIMEOUT_MS)))]);
  clearTimeout(timer);
}
