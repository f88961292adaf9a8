/**
 * A latency histogram in microseconds with constant-time `add`, so recording a million deliveries
 * costs no allocation. Buckets: 1 us below 1 ms, 10 us below 10 ms, 100 us below 100 ms, then 1 ms up
 * to 120 s: every percentile is within 1 % (or 1 us) of the true value.
 */

const FINE = 1000; // 0 .. 1 ms, 1 us wide
const MEDIUM = 900; // 1 .. 10 ms, 10 us wide
const COARSE = 900; // 10 .. 100 ms, 100 us wide
const LONG = 120_000; // 100 ms .. 120 s, 1 ms wide

export interface LatencySummary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export class Histogram {
  private readonly counts = new Float64Array(FINE + MEDIUM + COARSE + LONG);
  private n = 0;
  private sum = 0;
  private max = 0;

  get count(): number {
    return this.n;
  }

  add(us: number): void {
    const v = us < 0 ? 0 : us;
    let i: number;
    if (v < 1000) i = v | 0;
    else if (v < 10_000) i = FINE + (((v - 1000) / 10) | 0);
    else if (v < 100_000) i = FINE + MEDIUM + (((v - 10_000) / 100) | 0);
    else i = Math.min(FINE + MEDIUM + COARSE + (((v - 100_000) / 1000) | 0), this.counts.length - 1);
    this.counts[i] = this.counts[i]! + 1;
    this.n++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  /** The value at quantile q (0..1), as the middle of its bucket (capped at the maximum seen). */
  quantile(q: number): number {
    if (this.n === 0) return NaN;
    const target = q * this.n;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return Math.min(bucketMiddle(i), this.max);
    }
    return this.max;
  }

  summary(): LatencySummary {
    return {
      n: this.n,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      max: this.max,
      mean: this.n ? this.sum / this.n : NaN,
    };
  }
}

function bucketMiddle(i: number): number {
  if (i < FINE) return i + 0.5;
  if (i < FINE + MEDIUM) return 1000 + (i - FINE) * 10 + 5;
  if (i < FINE + MEDIUM + COARSE) return 10_000 + (i - FINE - MEDIUM) * 100 + 50;
  return 100_000 + (i - FINE - MEDIUM - COARSE) * 1000 + 500;
}

export function sum(a: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i]!;
  return total;
}
