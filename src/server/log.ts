/**
 * Structured logs (pino). For the operator's terminal, a compact readable line per event, like the
 * seeds' server windows; `--log-format json` writes pino's JSON lines for machines.
 */
import { pino, type Logger } from 'pino';

export type LogFormat = 'pretty' | 'json';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

export function createLogger(level: string, format: LogFormat, out: NodeJS.WritableStream = process.stdout): Logger {
  if (format === 'json') return pino({ level, base: undefined }, out);
  const color = 'isTTY' in out && out.isTTY === true && !process.env.NO_COLOR;
  return pino({ level, base: undefined }, { write: (line: string) => out.write(prettyLine(line, color)) });
}

/** `12:00:01.234 INFO  registered user=Alice online=3` */
export function prettyLine(json: string, color: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = Number(entry.level);
  const time = new Date(Number(entry.time)).toISOString().slice(11, 23);
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  const fields = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(' ');
  const label = color ? `\x1b[${COLORS[level] ?? '0'}m${name}\x1b[0m` : name;
  // pino's msg is a string; anything else is shown as a field value would be, never as [object Object].
  const msg = entry.msg === undefined ? '' : typeof entry.msg === 'string' ? entry.msg : formatValue(entry.msg);
  return `${time} ${label} ${msg}${fields ? ' ' + fields : ''}\n`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  if (value !== null && typeof value === 'object' && 'message' in value) {
    const err = value as { message: unknown; stack?: unknown };
    return JSON.stringify(typeof err.stack === 'string' ? err.stack : err.message);
  }
  return JSON.stringify(value);
}
