/** The bench's command line: `npm run bench -- [--only a,b] [--quick] [--nodes 3] [--compare REF] [...]`. */
import { parseCommandLine, UsageError } from '../src/cli-args.js';

export interface BenchArgs {
  only: string[] | null;
  quick: boolean;
  timeoutS: number;
  stallS: number;
  json: string | null;
  profileDir: string | null;
  serverArgs: string[];
  /**
   * `--nodes N` (#15): fan-out and direct on one node with SQLite, one node on PostgreSQL, and N nodes on
   * PostgreSQL joined by Redis; null for the usual single-node bench.
   */
  scaling: { nodes: number; storeUrl: string; busUrl: string } | null;
  /**
   * `--compare REF` (#16): the git revision whose server runs alternately with this checkout's, and the
   * rounds of each workload; null for the usual run.
   */
  compare: { ref: string; rounds: number } | null;
  help: boolean;
}

export const DEFAULT_BENCH_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_BENCH_REDIS_URL = 'redis://127.0.0.1:6379';

export const USAGE = `usage: npm run bench -- [options]
  --only a,b        run only these workloads (fanout, fanout-ws, fanout-low, direct, direct-low, idle, file)
  --quick           smaller counts, for development (not for the README)
  --timeout S       hard limit per workload, seconds (default 120; 300 with --nodes)
  --stall S         abort a workload after S seconds without progress (default 10)
  --json FILE       also write every result as JSON
  --profile DIR     run each server with node --cpu-prof, profiles into DIR
                    (summarise one with: node dist/bench/cpuprofile.js FILE)
  --server-args "A B"  extra arguments for 'classchat serve', for diagnostics only
                    (e.g. "--sync full", or "--data :memory:" to take the disk out)
  --nodes N         the scaling run (#15, docs/scaling.md): fanout and direct on one node (SQLite),
                    one node (PostgreSQL) and N nodes (PostgreSQL + Redis), with the CPU per message
                    of the nodes, PostgreSQL and Redis; each run in a fresh schema and bus prefix
  --store-url URL   PostgreSQL for --nodes (default $CLASSCHAT_BENCH_POSTGRES_URL or
                    ${DEFAULT_BENCH_POSTGRES_URL})
  --bus-url URL     Redis for --nodes (default $CLASSCHAT_BENCH_REDIS_URL or ${DEFAULT_BENCH_REDIS_URL})
  --compare REF     regression guard (#16): build the server of git revision REF (a commit, a branch,
                    HEAD~3; cached in the temporary directory) and run it and this checkout's server
                    alternately, the same load generator driving both; prints per workload the medians,
                    min-max and current/ref ratios of throughput, p50/p99 latency and server CPU per
                    message, flagging what got worse beyond a threshold. Workloads fanout, direct,
                    fanout-low, direct-low unless --only. A slowdown is reported, not an error: the exit
                    code is 1 only if a run failed (lost or misordered messages), 2 if REF is unknown
                    or does not build
  --rounds N        with --compare: runs of each workload per side (default 3), the side that goes
                    first swapped every round (ABBA) so drift of a shared machine cancels out`;

const BENCH_OPTIONS = {
  only: { type: 'string' },
  quick: { type: 'boolean' },
  timeout: { type: 'string' },
  stall: { type: 'string' },
  json: { type: 'string' },
  profile: { type: 'string' },
  'server-args': { type: 'string' },
  nodes: { type: 'string' },
  'store-url': { type: 'string' },
  'bus-url': { type: 'string' },
  compare: { type: 'string' },
  rounds: { type: 'string' },
} as const;

/** The bench's options; throws UsageError for a bad flag or value. */
export function parseBenchArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchArgs {
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
    // PostgreSQL commits are far slower than SQLite's: the scaling run's workloads take longer.
    timeoutS: seconds(values.timeout, values.nodes !== undefined ? 300 : 120, 'timeout'),
    stallS: seconds(values.stall, 10, 'stall'),
    json: values.json ?? null,
    profileDir: values.profile ?? null,
    serverArgs: values['server-args'] ? values['server-args'].split(/\s+/).filter(Boolean) : [],
    scaling: scalingArgs(values, env),
    compare: compareArgs(values),
    help,
  };
}

function compareArgs(values: {
  compare?: string | undefined;
  rounds?: string | undefined;
  nodes?: string | undefined;
}): BenchArgs['compare'] {
  if (values.compare === undefined) {
    if (values.rounds !== undefined) throw new UsageError('--rounds goes with --compare');
    return null;
  }
  const ref = values.compare.trim();
  // A leading dash would reach git as an option, not a revision.
  if (!ref || ref.startsWith('-')) throw new UsageError(`--compare needs a git revision, not "${values.compare}"`);
  if (values.nodes !== undefined) throw new UsageError('--compare and --nodes cannot be combined');
  const rounds = values.rounds === undefined ? 3 : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50)
    throw new UsageError(`--rounds must be a whole number 1-50, not ${values.rounds}`);
  return { ref, rounds };
}

function scalingArgs(
  values: { nodes?: string | undefined; 'store-url'?: string | undefined; 'bus-url'?: string | undefined },
  env: NodeJS.ProcessEnv,
): BenchArgs['scaling'] {
  if (values.nodes === undefined) {
    if (values['store-url'] !== undefined || values['bus-url'] !== undefined)
      throw new UsageError('--store-url and --bus-url go with --nodes');
    return null;
  }
  const nodes = Number(values.nodes);
  // One node is the SQLite and PostgreSQL rows already; the N-node row needs at least two to cross.
  if (!Number.isInteger(nodes) || nodes < 2 || nodes > 16)
    throw new UsageError(`--nodes must be a whole number 2-16, not ${values.nodes}`);
  const storeUrl = values['store-url'] || env.CLASSCHAT_BENCH_POSTGRES_URL || DEFAULT_BENCH_POSTGRES_URL;
  const busUrl = values['bus-url'] || env.CLASSCHAT_BENCH_REDIS_URL || DEFAULT_BENCH_REDIS_URL;
  if (!/^postgres(ql)?:\/\//.test(storeUrl))
    throw new UsageError(`--store-url must be a postgres:// URL, not ${storeUrl}`);
  if (!/^rediss?:\/\//.test(busUrl)) throw new UsageError(`--bus-url must be a redis:// URL, not ${busUrl}`);
  return { nodes, storeUrl, busUrl };
}
