/**
 * Where SQLite and PostgreSQL spell the shared queries differently (design §6), in one place rather
 * than as ifs through the store: the tokens' row id, the placeholders, and how an insert reports the
 * id it made. Everything else in queries.ts is SQL both take as written (ON CONFLICT ... excluded,
 * correlated UPDATEs, LIMIT).
 */
import { RETURNS_ID } from './drivers/driver.js';
import { queries, type QueryName } from './queries.js';

export interface Dialect {
  /** The tokens' row id: SQLite's implicit `rowid` (the table predates an id column), PostgreSQL's `id`. */
  readonly tokenId: string;
  /**
   * Who numbers messages and conversations (numbering.ts): `process` when one process owns the
   * database (SQLite: it counts, and the inserts carry the ids); `commit` when several nodes share it
   * (PostgreSQL: the inserts number their rows inside the commit's transaction, from counter rows it
   * holds locked until it commits, so message ids follow commit order across every node).
   */
  readonly numbering: 'process' | 'commit';
  /** The query `name` ready for the driver to prepare. */
  prepare(name: QueryName, sql: string): string;
}

/** SQLite: `?` placeholders as written; a new row's id comes from lastInsertRowid. */
export const SQLITE: Dialect = {
  tokenId: 'rowid',
  numbering: 'process',
  prepare: (_name, sql) => sql,
};

/** PostgreSQL: numbered placeholders; a new row's id comes back through RETURNING. */
export const POSTGRES: Dialect = {
  tokenId: 'id',
  numbering: 'commit',
  prepare: (name, sql) => numberPlaceholders(sql) + (RETURNS_ID.has(name) ? ' RETURNING id' : ''),
};

/** `?` → `$1`, `$2`, ... in order. The queries hold no `?` inside a string literal (a test checks). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Every query of the table in `dialect`, translated once. */
export function preparedQueries(dialect: Dialect): Record<QueryName, string> {
  const table = queries(dialect);
  return Object.fromEntries(
    (Object.keys(table) as QueryName[]).map((name) => [name, dialect.prepare(name, table[name])]),
  ) as Record<QueryName, string>;
}
