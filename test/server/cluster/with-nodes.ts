// Nodes joined by a Redis bus on one fresh PostgreSQL schema (#15), for the cluster tests.
import { startServer, type StartOptions, type TestServer } from '../../helpers/server.js';
import { freshPostgresSchema, POSTGRES_SKIP, REDIS_SKIP, REDIS_URL, uniqueName } from '../../helpers/services.js';

export const CLUSTER_SKIP = POSTGRES_SKIP || REDIS_SKIP;

/** `count` servers on one fresh schema, joined by one Redis under a fresh prefix; `body` runs with them. */
export async function withNodes(
  count: number,
  body: (nodes: TestServer[], storeUrl: string) => Promise<void>,
  options: Partial<StartOptions> = {},
): Promise<void> {
  const schema = await freshPostgresSchema();
  const busPrefix = `${uniqueName('cluster')}:`;
  const nodes: TestServer[] = [];
  try {
    for (let i = 0; i < count; i++)
      nodes.push(await startServer({ ...options, store: schema.url, bus: REDIS_URL, busPrefix }));
    await body(nodes, schema.url);
  } finally {
    for (const node of nodes) await node.stop();
    await schema.drop();
  }
}
