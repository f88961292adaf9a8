/** A file as the `files` command shows it (issue #5). */
import type { FileRecord } from '../store/store.js';

const DAY_MS = 24 * 3_600_000;

/** A file as `files` lists it. */
export interface FileListing {
  file: number;
  name: string;
  size: number;
  sha256: string;
  sender: string;
  receiver: string;
  ts: string;
  expires: string;
}

/** How `files` shows a file: its expiry is `retentionDays` after it was uploaded. */
export function toListing(f: FileRecord, retentionDays: number): FileListing {
  return {
    file: f.id,
    name: f.name,
    size: f.size,
    sha256: f.sha256,
    sender: f.sender,
    receiver: f.receiver,
    ts: f.completedAt ?? f.createdAt,
    expires: new Date(Date.parse(f.createdAt) + retentionDays * DAY_MS).toISOString(),
  };
}
