/**
 * CPU time of each part of a multi-node deployment over a window (#15, `--nodes`): the ClassChat nodes,
 * the PostgreSQL processes that worked for them, and redis-server. Read from /proc/<pid>/stat, so it
 * counts what the kernel charged each process, whatever the process is doing.
 *
 * PostgreSQL and Redis are shared with whatever else runs on the machine. For PostgreSQL the count is
 * narrowed to what this deployment caused: its own backends (found by the application_name the bench
 * puts in the store URL) plus the server's background processes (WAL writer, checkpointer, ...), which
 * work for every client. redis-server is one process: all of it is counted, others' use included.
 */
import fs from 'node:fs';
import pg from 'pg';
import { cpuSeconds } from './proc.js';

/** CPU seconds of each part over the window; null for a part the deployment does not use. */
export interface PartSeconds {
  nodes: number;
  postgres: number | null;
  redis: number | null;
}

export interface PartMeter {
  stop(): Promise<PartSeconds>;
}

export interface PartSources {
  nodePids: readonly number[];
  /** The PostgreSQL server to ask which backends are ours; none when the store is SQLite. */
  postgres: { adminUrl: string; applicationName: string } | null;
  /** Whether Redis is in use (a bus). */
  redis: boolean;
}

/** CPU seconds of every process whose name (comm) is `name`, by pid. */
export function cpuByProcessName(name: string): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, 'latin1').trim() !== name) continue;
    } catch {
      continue; // exited meanwhile
    }
    const s = cpuSeconds(pid);
    if (s !== null) out.set(pid, s);
  }
  return out;
}

/** The growth of `end` over `start`, over `pids` (all of `end` when none given); a pid new since `start` counts whole. */
function delta(start: Map<number, number>, end: Map<number, number>, pids?: ReadonlySet<number>): number {
  let total = 0;
  for (const [pid, s] of end) {
    if (pids && !pids.has(pid)) continue;
    total += Math.max(0, s - (start.get(pid) ?? 0));
  }
  return total;
}

/** The PostgreSQL processes that worked for this deployment: its backends and the shared background ones. */
async function postgresPidsFor(adminUrl: string, applicationName: string): Promise<Set<number>> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE application_name = $1 OR backend_type <> 'client backend'",
      [applicationName],
    );
    return new Set(rows.map((r) => r.pid));
  } finally {
    await client.end();
  }
}

export function startPartMeter(sources: PartSources): PartMeter {
  const nodes = () => {
    let total = 0;
    for (const pid of sources.nodePids) total += cpuSeconds(pid) ?? 0;
    return total;
  };
  const nodes0 = nodes();
  const pg0 = sources.postgres ? cpuByProcessName('postgres') : null;
  const redis0 = sources.redis ? cpuByProcessName('redis-server') : null;
  return {
    async stop() {
      // Read every counter first, at the end of the window; ask PostgreSQL which backends are ours after.
      const nodes1 = nodes();
      const pg1 = sources.postgres ? cpuByProcessName('postgres') : null;
      const redis1 = sources.redis ? cpuByProcessName('redis-server') : null;
      let postgres: number | null = null;
      if (sources.postgres && pg0 && pg1) {
        const ours = await postgresPidsFor(sources.postgres.adminUrl, sources.postgres.applicationName);
        postgres = delta(pg0, pg1, ours);
      }
      return {
        nodes: Math.max(0, nodes1 - nodes0),
        postgres,
        redis: redis0 && redis1 ? delta(redis0, redis1) : null,
      };
    },
  };
}
