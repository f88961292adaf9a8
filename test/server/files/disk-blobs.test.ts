// The Blobs contract (blobs-suite.ts) on disk, the default with SQLite: one data directory per test.
import fs from 'node:fs';
import path from 'node:path';
import { DiskBlobs } from '../../../src/server/files/disk-blobs.js';
import { tempDataDir } from '../../helpers/server.js';
import { blobsSuite } from './blobs-suite.js';

blobsSuite('disk', () => {
  const dataDir = tempDataDir();
  const hashDir = path.join(dataDir, 'files', 'sha256');
  return Promise.resolve({
    open: () => Promise.resolve(DiskBlobs.forDataDir(dataDir)),
    storedHashes: () =>
      Promise.resolve(
        fs
          .readdirSync(hashDir)
          .flatMap((prefix) => fs.readdirSync(path.join(hashDir, prefix)))
          .sort(),
      ),
    drop: () => Promise.resolve(fs.rmSync(dataDir, { recursive: true, force: true })),
  });
});
