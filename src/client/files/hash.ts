/** SHA-256 of a file, read as a stream so a 100 MiB file never sits in memory at once. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';

/** The lower-case hex SHA-256 of the file at `file`; rejects with the file system's error. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}
