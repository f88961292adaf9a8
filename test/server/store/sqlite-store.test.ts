// The Store contract (store-suite.ts) on SQLite, the default store: one database file per test.
import fs from 'node:fs';
import { SqliteStore } from '../../../src/server/store/sqlite.js';
import { tempDataDir } from '../../helpers/server.js';
import { storeSuite } from './store-suite.js';

storeSuite('SQLite', () => {
  const dataDir = tempDataDir();
  return Promise.resolve({
    open: () => Promise.resolve(new SqliteStore({ dataDir })),
    drop: () => Promise.resolve(fs.rmSync(dataDir, { recursive: true, force: true })),
  });
});
