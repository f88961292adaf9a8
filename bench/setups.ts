/**
 * Where a workload's servers run: the usual one node on SQLite, or (#15, `--nodes N`) one node on
 * PostgreSQL and N nodes on PostgreSQL joined by Redis. Each PostgreSQL run gets a schema of its own
 * (made before, dropped after; the nodes reach it through the URL's search_path) and each Redis run a
 * key and channel prefix of its own, so the runs never see each other or anything else on the services.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startPartMeter, type PartMeter } from './part-cpu.js';

/** One prepared place to run a workload: the serve arguments of each node, and how to clean up after. */
export interface Deployment {
  nodes: number;
  /** Arguments every node gets (before the bench's --server-args). */
  serverArgs: string[];
  /** Starts measuring each part's CPU, given the nodes' pids. */
  partMeter(nodePids: readonly number[]): PartMeter;
  /** Drops the schema, removes the Redis keys. */
  cleanup(): Promise<void>;
}

export interface Setup {
  /** As printed in the table: "1 node, SQLite". */
  name: string;
  prepare(): Promise<Deployment>;
}

/** The usual bench: one node, SQLite in its fresh data directory. */
export const SQLITE_ONE_NODE: Setup = {
  name: '1 node, SQLite',
  prepare: () =>
    Promise.resolve({
      nodes: 1,
      serverArgs: [],
      partMeter: (nodePids) => startPartMeter({ nodePids, postgres: null, redis: false }),
      cleanup: () => Promise.resolve(),
    }),
};

/** The three setups of `--nodes N`, in the order they run and print. */
export function scalingSetups(nodes: number, storeUrl: string, busUrl: string): Setup[] {
  return [
    SQLITE_ONE_NODE,
    { name: '1 node, PostgreSQL', prepare: () => prepare(1, storeUrl, null) },
    { name: `${nodes} nodes, PostgreSQL + Redis`, prepare: () => prepare(nodes, storeUrl, busUrl) },
  ];
}

async function prepare(nodes: number, storeUrl: string, busUrl: string | null): Promise<Deployment> {
  const name = `classchat_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(storeUrl, `CREATE SCHEMA ${name}`);
  const url = new URL(storeUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  // Names this deployment's backends in pg_stat_activity, so their CPU can be told from everyone else's.
  url.searchParams.set('application_name', name);
  const prefix = `${name}:`;
  const serverArgs = ['--store', url.toString()];
  if (busUrl) serverArgs.push('--bus', busUrl, '--bus-prefix', prefix);
  return {
    nodes,
    serverArgs,
    partMeter: (nodePids) =>
      startPartMeter({ nodePids, postgres: { adminUrl: storeUrl, applicationName: name }, redis: busUrl !== null }),
    cleanup: async () => {
      await adminQuery(storeUrl, `DROP SCHEMA IF EXISTS ${name} CASCADE`);
      if (busUrl) await deleteKeys(busUrl, prefix);
    },
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Removes what the nodes left under `prefix` (liveness keys expire anyway; names are released at stop). */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
