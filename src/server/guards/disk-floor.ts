/**
 * The free-disk floor (issue #11.12): a disk filled by chat traffic stopped the server. Below
 * `minFreeDiskBytes` free on the data directory's file system, requests that store something are
 * refused with `unavailable` (reads go on), and an operator sees it in the log. The free space is read
 * with statfs in the background at most once a second, never once per message.
 *
 * Only a store on this machine's disk has a floor here (#15): with PostgreSQL the messages and the file
 * bytes live in the database, whose disk PostgreSQL watches itself, and --data holds nothing that grows.
 * Measuring it anyway refused every write for a disk nothing was written to (`DiskFloor.none()`).
 */
import fs from 'node:fs';
import type { Logger } from 'pino';
import type { Limits } from '../limits.js';

/** How old a reading of the free space may be before the next request starts a new one. */
const REFRESH_MS = 1000;

export class DiskFloor {
  /** Free bytes for an unprivileged process at the last reading (Infinity until the first one). */
  private freeBytes = Number.POSITIVE_INFINITY;
  private readAt = Number.NEGATIVE_INFINITY;
  private reading = false;
  private wasBelow = false;

  /** A floor that never refuses: the store is not on this machine's disk. */
  static none(log: Logger): DiskFloor {
    return new DiskFloor(null, { minFreeDiskBytes: 0 }, log);
  }

  constructor(
    /** The directory whose file system holds the store; null when nothing stored is on this machine. */
    private readonly dir: string | null,
    /** Read on every check, so a changed floor applies at once. */
    private readonly limits: Pick<Limits, 'minFreeDiskBytes'>,
    private readonly log: Logger,
  ) {}

  /** Takes the first reading (at start-up, so the first request already sees a real one). */
  async start(): Promise<void> {
    if (this.dir !== null) await this.refresh();
  }

  /** True when storing must be refused; starts a new reading when the last is over a second old. */
  belowFloor(): boolean {
    if (this.dir === null) return false;
    if (!this.reading && performance.now() - this.readAt >= REFRESH_MS) void this.refresh();
    const below = this.freeBytes < this.limits.minFreeDiskBytes;
    if (below !== this.wasBelow) {
      this.wasBelow = below;
      const fields = { free: this.freeBytes, floor: this.limits.minFreeDiskBytes, dir: this.dir };
      if (below)
        this.log.error(
          fields,
          'free disk space is below the floor: requests that store something are refused until there is more',
        );
      else this.log.warn(fields, 'free disk space is above the floor again: storing resumes');
    }
    return below;
  }

  /** The free bytes at the last reading, for the refusal's text. */
  get free(): number {
    return this.freeBytes;
  }

  private async refresh(): Promise<void> {
    if (this.dir === null) return;
    this.reading = true;
    try {
      const stats = await fs.promises.statfs(this.dir);
      this.freeBytes = stats.bavail * stats.bsize;
    } catch (err) {
      // Keep the last reading: a failed statfs says nothing about the space left.
      this.log.error({ err, dir: this.dir }, 'reading the free disk space failed');
    } finally {
      this.reading = false;
      this.readAt = performance.now();
    }
  }
}
