/**
 * The measured phase shared by the windowed workloads: start every sender's window, wait until all is
 * received (or the guard aborts), stop the CPU meters at the last receipt, then wait a little longer so
 * that duplicates would show up.
 */
import { performance } from 'node:perf_hooks';
import { setBeforeFlush } from '../client.js';
import { BenchAbort } from '../guard.js';
import type { PartSeconds } from '../part-cpu.js';
import { CpuMeter, type CpuFigures } from '../proc.js';
import type { SendWindows } from '../send-windows.js';
import type { WorkloadContext } from '../workload.js';
import type { Problems } from './problems.js';

export interface Measured {
  senders: number;
  /** Resolves when everything expected has been received. */
  done: Promise<void>;
  received: () => number;
  expected: number;
  /** performance.now() of the last receipt, 0 if none. */
  lastReceipt: () => number;
  /** What one receipt is called in problems: "messages" or "deliveries". */
  unit: string;
}

export interface MeasuredCpu {
  cpu: CpuFigures;
  /** Per part (nodes, PostgreSQL, Redis), when the runner gave a part meter. */
  parts?: PartSeconds;
}

export async function measureWindows(
  ctx: WorkloadContext,
  windows: SendWindows,
  problems: Problems,
  m: Measured,
): Promise<MeasuredCpu> {
  const { guard } = ctx;
  guard.phase = 'measure';
  guard.progress = m.received;
  guard.touch();
  setBeforeFlush(windows.refill);
  const cpuMeter = new CpuMeter(ctx.serverPids);
  const partMeter = ctx.partMeter?.();
  for (let s = 0; s < m.senders; s++) windows.want(s);
  try {
    await guard.wait(m.done);
  } catch (err) {
    if (!(err instanceof BenchAbort)) throw err;
    problems.add(err.message);
  } finally {
    setBeforeFlush(null);
  }
  const cpu = cpuMeter.stop(m.lastReceipt() || performance.now());
  const parts = await partMeter?.stop();
  if (!guard.abortReason) {
    await guard.sleep(300); // anything more (duplicates) would show up now
    if (m.received() !== m.expected)
      problems.add(`${m.received() - m.expected} ${m.unit} more than expected (duplicates)`);
  }
  return parts ? { cpu, parts } : { cpu };
}
