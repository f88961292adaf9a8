/**
 * PostgreSQL and Redis for the tests that need them (#15). Their addresses come from the environment:
 * CLASSCHAT_TEST_POSTGRES_URL and CLASSCHAT_TEST_REDIS_URL. `.ci/run` sets both and
 * CLASSCHAT_TEST_REQUIRE_SERVICES=1, so a missing service fails there; elsewhere those tests are
 * skipped with the reason.
 *
 * Each test gets its own room in the shared service, so test files running side by side never see each
 * other: a fresh PostgreSQL schema (through the connection's search_path), a fresh Redis key prefix.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_URL = process.env.CLASSCHAT_TEST_POSTGRES_URL;
export const REDIS_URL = process.env.CLASSCHAT_TEST_REDIS_URL;
const REQUIRED = process.env.CLASSCHAT_TEST_REQUIRE_SERVICES === '1';

function skipUnless(url: string | undefined, variable: string, what: string): string | false {
  if (url !== undefined && url !== '') return false;
  if (REQUIRED) throw new Error(`CLASSCHAT_TEST_REQUIRE_SERVICES=1 but ${variable} is not set`);
  return `${what} is not configured: set ${variable} (.ci/run sets it) to run this test`;
}

/** The `skip` of a test that needs PostgreSQL: false when it is configured, else why not. */
export const POSTGRES_SKIP = skipUnless(POSTGRES_URL, 'CLASSCHAT_TEST_POSTGRES_URL', 'PostgreSQL');
/** The `skip` of a test that needs Redis: false when it is configured, else why not. */
export const REDIS_SKIP = skipUnless(REDIS_URL, 'CLASSCHAT_TEST_REDIS_URL', 'Redis');

/** A name no other test run uses: letters, digits and `_`, safe in SQL identifiers and Redis keys. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export interface TestSchema {
  /** POSTGRES_URL with this schema as the connection's search_path: every table lands in it. */
  url: string;
  schema: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/** A new, empty PostgreSQL schema and a URL whose connections use it. Needs POSTGRES_URL. */
export async function freshPostgresSchema(): Promise<TestSchema> {
  if (!POSTGRES_URL) throw new Error('freshPostgresSchema needs CLASSCHAT_TEST_POSTGRES_URL');
  const schema = uniqueName('classchat_test');
  await adminQuery(`CREATE SCHEMA ${schema}`);
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), schema, drop: () => adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`) };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The rows of one query at `url`, on a connection of its own: what a test reads behind a store's back. */
export async function queryRows<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}
