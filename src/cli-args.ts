/**
 * The start-up every command shares (`classchat serve`, `chat`, `admin`, `cert`, and `npm run bench`):
 * strict flag parsing with --help/-h, and one way to refuse a bad command line (issue #13: one helper,
 * not five copies). It sits beside cli.ts, above src/server and src/client, because commands of both
 * use it and neither may import the other (test/package/layering.test.ts); src/protocol is the wire's.
 * It imports nothing but node:util, so the terminal client stays free of the server's dependencies.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A bad command line: its message is one line, printed with the command's usage (exit code USAGE_EXIT). */
export class UsageError extends Error {}

/** The exit code of a refused command line (2, as most Unix tools use for usage errors). */
export const USAGE_EXIT = 2;

type Options = NonNullable<ParseArgsConfig['options']>;
type OptionValue<O extends Options[string]> = O['type'] extends 'string'
  ? O['multiple'] extends true
    ? string[]
    : string
  : O['multiple'] extends true
    ? boolean[]
    : boolean;

/** The flags given, by long name; absent when not given. */
export type Values<O extends Options> = { -readonly [K in keyof O]?: OptionValue<O[K]> };

/** A parsed command line: the flags, the other arguments, and whether --help (or -h) was asked for. */
export interface CommandLine<O extends Options> {
  values: Values<O>;
  positionals: string[];
  help: boolean;
}

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * Parses `argv` strictly against `options` plus --help/-h. An unknown flag, a flag without its value
 * or an argument the command does not take throws UsageError with node's one-line reason.
 */
export function parseCommandLine<const O extends Options>(
  argv: readonly string[],
  options: O,
  allowPositionals = false,
): CommandLine<O> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, ...HELP }, strict: true, allowPositionals });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // Strict parsing has checked every value against its option's type, which is what Values says.
  const values = parsed.values as Values<O & typeof HELP>;
  return { values, positionals: parsed.positionals, help: values.help === true };
}

/**
 * A command's start-up: `read` parses and checks the command line, throwing UsageError for what is
 * wrong with it. Returns what `read` returned, or the exit code when the command has nothing more to
 * do: 0 after printing the usage to stdout for --help; USAGE_EXIT after printing `<command>: <reason>`
 * and the usage to stderr for a UsageError. Other errors pass through.
 */
export function readCommandLine<T extends { help: boolean }>(
  command: string,
  usage: string,
  read: () => T,
): T | number {
  let args: T;
  try {
    args = read();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${command}: ${err.message}\n${usage}\n`);
    return USAGE_EXIT;
  }
  if (args.help) {
    process.stdout.write(usage + '\n');
    return 0;
  }
  return args;
}
