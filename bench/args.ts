/** The bench's command line: `npm run bench -- [--only a,b] [--quick] [...]`. */
import { parseCommandLine, UsageError } from '../src/cli-args.js';

export interface BenchArgs {
  only: string[] | null;
  quick: boolean;
  timeoutS: number;
  stallS: number;
  json: string | null;
  profileDir: string | null;
  serverArgs: string[];
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [options]
  --only a,b        run only these workloads (fanout, fanout-ws, fanout-low, direct, direct-low, idle, file)
  --quick           smaller counts, for development (not for the README)
  --timeout S       hard limit per workload, seconds (default 120)
  --stall S         abort a workload after S seconds without progress (default 10)
  --json FILE       also write every result as JSON
  --profile DIR     run each server with node --cpu-prof, profiles into DIR
                    (summarise one with: node dist/bench/cpuprofile.js FILE)
  --server-args "A B"  extra arguments for 'classchat serve', for diagnostics only
                    (e.g. "--sync full", or "--data :memory:" to take the disk out)`;

const BENCH_OPTIONS = {
  only: { type: 'string' },
  quick: { type: 'boolean' },
  timeout: { type: 'string' },
  stall: { type: 'string' },
  json: { type: 'string' },
  profile: { type: 'string' },
  'server-args': { type: 'string' },
} as const;

/** The bench's options; throws UsageError for a bad flag or value. */
export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values, help } = parseCommandLine(argv, BENCH_OPTIONS);
  const seconds = (v: string | undefined, d: number, flag: string) => {
    const n = v === undefined ? d : Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} must be a positive number of seconds`);
    return n;
  };
  return {
    only: values.only
      ? values.only
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : null,
    quick: values.quick === true,
    timeoutS: seconds(values.timeout, 120, 'timeout'),
    stallS: seconds(values.stall, 10, 'stall'),
    json: values.json ?? null,
    profileDir: values.profile ?? null,
    serverArgs: values['server-args'] ? values['server-args'].split(/\s+/).filter(Boolean) : [],
    help,
  };
}
