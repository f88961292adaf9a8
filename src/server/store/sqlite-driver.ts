/**
 * better-sqlite3 is an optional dependency (issue #13): a student who installs ClassChat for the
 * terminal client must not need a native module built. `classchat serve` and `admin` ask here first,
 * so a missing or unbuilt driver is one line saying what to run instead of a stack trace from deep in
 * the store's imports.
 */

/** The package the SQLite store needs; package.json lists it under optionalDependencies. */
export const SQLITE_DRIVER = 'better-sqlite3';

/** Where to run npm, said the same way in both texts. */
const WHERE = 'where classchat is installed (with -g if it is installed globally)';

/**
 * Resolves with undefined when the driver loads and opens a database, or with one line saying why the
 * server cannot run and what to type. Loads the driver, so only commands that open the store call it.
 */
export async function sqliteDriverProblem(): Promise<string | undefined> {
  let Database;
  try {
    ({ default: Database } = await import('better-sqlite3'));
  } catch (err) {
    if (!isMissingPackage(err)) throw err;
    return (
      `the server needs the SQLite driver ${SQLITE_DRIVER}, which is not installed: ` +
      `run "npm install ${SQLITE_DRIVER}" ${WHERE}; "classchat chat" works without it`
    );
  }
  try {
    // The package can be there without its compiled addon (its install script failed, or npm did not
    // run it); the addon loads on the first open, so open a throwaway database to find out now.
    new Database(':memory:').close();
    return undefined;
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    return (
      `the server needs the SQLite driver ${SQLITE_DRIVER}, which is installed but does not load (${reason}): ` +
      `run "npm rebuild ${SQLITE_DRIVER}" ${WHERE}`
    );
  }
}

/** Node's error for an import of a package that is not in any node_modules above the importer. */
function isMissingPackage(err: unknown): boolean {
  return (
    (err as NodeJS.ErrnoException | undefined)?.code === 'ERR_MODULE_NOT_FOUND' &&
    (err as Error).message.includes(`'${SQLITE_DRIVER}'`)
  );
}
