// The query table's translation for PostgreSQL (#15): placeholders are numbered by position, which is
// only right while no `?` sits inside a string literal; inserts that answer with an id say RETURNING id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { POSTGRES, preparedQueries, SQLITE } from '../../../src/server/store/dialect.js';
import { RETURNS_ID } from '../../../src/server/store/drivers/driver.js';
import { QUERY_NAMES, queries } from '../../../src/server/store/queries.js';

test('#15 no query holds a ? inside a string literal, so numbering placeholders by position is right', () => {
  for (const [name, sql] of [...Object.entries(queries(SQLITE)), ...Object.entries(queries(POSTGRES))]) {
    for (const literal of sql.match(/'[^']*'/g) ?? []) assert.ok(!literal.includes('?'), `${name}: ${literal}`);
  }
});

test('#15 PostgreSQL gets $1..$n for every ?, its own token id, and RETURNING id exactly where an id is returned', () => {
  const sqlite = preparedQueries(SQLITE);
  const postgres = preparedQueries(POSTGRES);
  // Before translation: the numbered inserts are PostgreSQL's own text (Dialect.numbering).
  const written = queries(POSTGRES);
  for (const name of QUERY_NAMES) {
    const marks = written[name].split('?').length - 1;
    const numbered = [...postgres[name].matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(
      numbered,
      Array.from({ length: marks }, (_, i) => i + 1),
      name,
    );
    assert.ok(!postgres[name].includes('?'), name);
    assert.equal(postgres[name].endsWith(' RETURNING id'), RETURNS_ID.has(name), name);
    assert.ok(!/\browid\b/.test(postgres[name]), `${name} uses SQLite's rowid`);
  }
  assert.match(sqlite.findUserByToken, /t\.rowid AS "tokenId"/);
  assert.match(postgres.deleteToken, /WHERE id = \$1/);
});
