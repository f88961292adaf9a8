/**
 * `classchat migrate` (#15): applies the store's schema and exits, so an operator can prepare a
 * PostgreSQL database before starting several nodes on it (each server also migrates at start, under
 * a lock, so this is a convenience and a check of the URL, not a required step).
 */
import { parseCommandLine, readCommandLine, UsageError } from '../cli-args.js';
import { BadStoreUrl, openStore, parseStoreUrl, redact, type StoreChoice } from './store/open-store.js';

export const MIGRATE_USAGE = `usage: classchat migrate [options]
  --store URL   sqlite: (default, in --data) or postgres://user@host/db        [CLASSCHAT_STORE]
  --data DIR    the data directory of a SQLite store (default ./classchat-data)  [CLASSCHAT_DATA]`;

const MIGRATE_OPTIONS = { store: { type: 'string' }, data: { type: 'string' } } as const;

/** Runs `classchat migrate`; resolves with the exit code (2 for bad arguments, 1 when the database refuses). */
export async function migrate(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = readCommandLine('classchat migrate', MIGRATE_USAGE, () => {
    const { values, help } = parseCommandLine(argv, MIGRATE_OPTIONS);
    let store: StoreChoice;
    try {
      store = parseStoreUrl(values.store ?? env.CLASSCHAT_STORE);
    } catch (err) {
      if (err instanceof BadStoreUrl) throw new UsageError(err.message);
      throw err;
    }
    return { help, store, dataDir: values.data ?? env.CLASSCHAT_DATA ?? './classchat-data' };
  });
  if (typeof args === 'number') return args;
  const where = args.store.kind === 'postgres' ? redact(args.store.url) : args.dataDir;
  try {
    await (await openStore({ store: args.store, dataDir: args.dataDir })).close();
  } catch (err) {
    process.stderr.write(`classchat migrate: ${where}: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`the ClassChat schema in ${where} is up to date\n`);
  return 0;
}
