// The Store contract (store-suite.ts) on SQLite, the default store: one database file per test.
import fs from 'node:fs';
import { SqliteStore } from '../../../src/server/store/sqlite.js';
import { tempDataDir } from '../../helpers/server.js';
import { storeSuite } from './store-suite.js';

storeSuite('SQLite', async () => {
  const dataDir = tempDataDir();
  return {
    open: async () => new SqliteStore({ dataDir }),
    drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
});
