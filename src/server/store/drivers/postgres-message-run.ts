/**
 * A run of message inserts as ONE PostgreSQL statement (#15, throughput): the PostgreSQL driver sends
 * consecutive `insertMessage` writes of a batch together instead of one round trip each, and a batch
 * that is only such a run as that single statement, in a transaction of its own (no BEGIN, lock and
 * COMMIT round trips). The commit-order lock is then held for one statement and its commit, not for a
 * round trip per message, and commits being serial cluster-wide is what bounds throughput.
 *
 * Each row is numbered as the one-row insert in queries.ts (NUMBERED_INSERTS.commit.insertMessage)
 * numbers it: the id from the counter row, the seq from its conversation's row, both locked until the
 * commit; a message to a conversation deleted meanwhile takes no id and gives no row. Within the run,
 * ids and each conversation's seqs follow the run's order.
 *
 * The statement takes the commit-order lock itself, in its first CTE (`lock`), before any row it writes:
 * the conversations' UPDATE joins that CTE, so no conversation row is updated before the counter row is
 * locked, and the lock order stays the one every batch keeps (counter first: no deadlock between
 * nodes). Inside a transaction that holds the lock already, taking it again costs nothing. (A run
 * whose conversations are all gone writes no conversation row; its counter update locks the counter.)
 */
import type { WriteResult } from './driver.js';

/** A queued `insertMessage` write, as far as the run needs it: its parameters. */
interface RunWrite {
  readonly params: readonly unknown[];
}

/** The query whose consecutive writes are sent as one run. */
export const RUN_QUERY = 'insertMessage';

/** The run's prepared statement's name (a test proxy recognises the statement by it). */
export const RUN_STATEMENT = 'messageRun';

/**
 * The parameters of one `insertMessage` (CommitNumbering.append, numbering.ts), in order, with their
 * types: each becomes one array parameter of the run's statement.
 */
const COLUMNS = [
  ['conv_id', 'bigint'],
  ['kind', 'text'],
  ['event', 'text'],
  ['sender_id', 'bigint'],
  ['sender', 'text'],
  ['receiver', 'text'],
  ['text', 'text'],
  ['ts', 'text'],
  ['client_ref', 'text'],
  ['file_id', 'bigint'],
] as const;

const names = COLUMNS.map(([name]) => name).join(', ');
const arrays = COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
/** What the insert writes after the id, and from where: the conversation, its seq, then the rest. */
const rest = COLUMNS.slice(1).map(([name]) => name);
const inserted = ['conv_id', 'seq', ...rest].join(', ');
const picked = ['r.conv_id', 'r.seq', ...rest.map((name) => `r.${name}`)].join(', ');

/**
 * Rows in, `(ord, id, seq)` out for each numbered row, `ord` being its 1-based place in the run.
 * `counts` gives each conversation its seqs in one update; `numbered` ranks the rows that got one.
 */
export const MESSAGE_RUN_SQL = `WITH lock AS (SELECT value FROM counters WHERE name = 'next_message_id' FOR UPDATE),
  input AS (SELECT * FROM unnest(${arrays}) WITH ORDINALITY AS i (${names}, ord)),
  counts AS (SELECT conv_id, count(*) AS n FROM input GROUP BY conv_id),
  s AS (UPDATE conversations c SET last_seq = c.last_seq + counts.n FROM counts, lock WHERE c.id = counts.conv_id
    RETURNING c.id, c.last_seq - counts.n AS base),
  numbered AS (SELECT i.*, s.base + row_number() OVER (PARTITION BY i.conv_id ORDER BY i.ord) AS seq,
    row_number() OVER (ORDER BY i.ord) AS rank FROM input i JOIN s ON s.id = i.conv_id),
  n AS (UPDATE counters SET value = value + (SELECT count(*) FROM numbered) WHERE name = 'next_message_id'
    RETURNING value - (SELECT count(*) FROM numbered) AS base),
  stored AS (INSERT INTO messages (id, ${inserted}) SELECT n.base + r.rank - 1, ${picked} FROM numbered r, n)
SELECT r.ord, n.base + r.rank - 1 AS id, r.seq FROM numbered r, n`;

/** The run's parameters: one array per column, the writes' values in order. */
export function runParams(run: readonly RunWrite[]): unknown[][] {
  const columns: unknown[][] = COLUMNS.map(() => new Array<unknown>(run.length));
  run.forEach((w, i) => {
    for (let c = 0; c < columns.length; c++) columns[c]![i] = w.params[c];
  });
  return columns;
}

/** Each write's result, as the one-row insert gives it: its `{ id, seq }` row, or no row and no change. */
export function runResults(run: readonly RunWrite[], rows: readonly { ord: number; id: number; seq: number }[]) {
  const results: WriteResult[] = run.map(() => ({ changes: 0, lastInsertRowid: 0 }));
  for (const { ord, id, seq } of rows) results[ord - 1] = { changes: 1, lastInsertRowid: id, row: { id, seq } };
  return results;
}
