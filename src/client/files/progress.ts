/**
 * A transfer's progress as one line: percentage, a bar, bytes, speed and time left. Speed is measured
 * over the last few seconds rather than since the start, so the time left follows a network that
 * speeds up or slows down. Redraws are throttled: a terminal redrawn on every 45 KiB chunk would spend
 * more time drawing than the transfer takes.
 */
import { formatBytes } from '../../protocol/file-names.js';

/** Shortest time between two progress lines, in ms (the first and the last are always shown). */
export const REDRAW_MS = 100;
/** How far back the speed is measured, in ms. */
const SPEED_WINDOW_MS = 3000;
const BAR_WIDTH = 20;

/** One progress line and what it says, for a screen to show or to skip. */
export interface ProgressReport {
  text: string;
  /** 0 to 100. */
  percent: number;
  done: boolean;
}

export class ProgressMeter {
  private readonly samples: { at: number; bytes: number }[] = [];
  private lastShown = -Infinity;
  private readonly started: number;

  /** `label`: e.g. "upload notes.pdf"; `total`: bytes; `now`: a clock in ms (tests pass their own). */
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  /**
   * Records that `bytes` of the total are done. Returns the report to show, or null when the last one
   * was shown less than REDRAW_MS ago (`force` shows it anyway, e.g. at a pause or the end).
   */
  update(bytes: number, force = false): ProgressReport | null {
    const at = this.now();
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - this.samples[0]!.at > SPEED_WINDOW_MS) this.samples.shift();
    const done = bytes >= this.total;
    if (!force && !done && at - this.lastShown < REDRAW_MS) return null;
    this.lastShown = at;
    return { text: this.line(bytes, at), percent: this.percent(bytes), done };
  }

  /** Bytes per second over the recent window; 0 until there are two samples apart in time. */
  speed(): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at <= first.at) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.at - first.at);
  }

  private percent(bytes: number): number {
    return this.total === 0 ? 100 : Math.min(100, Math.floor((bytes * 100) / this.total));
  }

  private line(bytes: number, at: number): string {
    const percent = this.percent(bytes);
    const filled = Math.round((percent * BAR_WIDTH) / 100);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
    const amounts = `${formatBytes(bytes)} of ${formatBytes(this.total)}`;
    if (bytes >= this.total)
      return `${this.label} ${String(percent).padStart(3)}% ${bar} ${amounts} in ${formatDuration((at - this.started) / 1000)}`;
    const speed = this.speed();
    const left = speed > 0 ? `${formatDuration((this.total - bytes) / speed)} left` : 'time left unknown';
    return `${this.label} ${String(percent).padStart(3)}% ${bar} ${amounts}  ${formatBytes(Math.round(speed))}/s  ${left}`;
  }
}

/** "0:07", "12:30", "1:02:03": a duration in seconds as a clock reads. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
