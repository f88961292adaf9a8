// Nodes joined by a Redis bus on one fresh PostgreSQL schema (#15), for the cluster tests.
import { TestClient } from '../../helpers/client.js';
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

/**
 * One node per name (withNodes), `names[i]` registered on node i, in that order; `body` runs with the
 * users (typed as the names' tuple, so `[alice, bob]` needs no `!`) and the nodes. The users are
 * closed afterwards, before the nodes stop; whatever else `body` opens, it closes itself.
 */
export async function withOneUserPerNode<const Names extends readonly string[]>(
  names: Names,
  body: (users: { [K in keyof Names]: TestClient }, nodes: TestServer[], storeUrl: string) => Promise<void>,
  options: Partial<StartOptions> = {},
): Promise<void> {
  await withNodes(
    names.length,
    async (nodes, storeUrl) => {
      const users: TestClient[] = [];
      try {
        for (const [i, name] of names.entries()) users.push(await TestClient.as(nodes[i]!.port, name));
        await body(users as { [K in keyof Names]: TestClient }, nodes, storeUrl);
      } finally {
        for (const user of users) await user.close();
      }
    },
    options,
  );
}
