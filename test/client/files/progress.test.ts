// A transfer's progress line (issue #5): percentage, bar, bytes, speed over the last seconds, time left;
// redraws throttled, the first and last always shown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, ProgressMeter, REDRAW_MS } from '../../../src/client/files/progress.js';

test('the line has the percentage, the amounts, the speed and the time left', () => {
  let now = 0;
  const meter = new ProgressMeter('upload notes.pdf', 2_000_000, () => now);
  assert.match(
    meter.update(0)!.text,
    /^upload notes\.pdf {3}0% \[-{20}\] 0 B of 2\.0 MB {2}0 B\/s {2}time left unknown$/,
  );
  now = 1000;
  const half = meter.update(1_000_000)!;
  assert.equal(half.percent, 50);
  assert.equal(half.done, false);
  assert.equal(half.text, 'upload notes.pdf  50% [##########----------] 1.0 MB of 2.0 MB  1.0 MB/s  0:01 left');
  now = 2500;
  const end = meter.update(2_000_000)!;
  assert.equal(end.done, true);
  assert.equal(end.text, 'upload notes.pdf 100% [####################] 2.0 MB of 2.0 MB in 0:03');
});

test('redraws are throttled, but a forced update and the end are always shown', () => {
  let now = 0;
  const meter = new ProgressMeter('download a', 1000, () => now);
  assert.ok(meter.update(0));
  now = REDRAW_MS / 2;
  assert.equal(meter.update(100), null);
  assert.ok(meter.update(200, true));
  assert.equal(meter.update(300), null);
  assert.ok(meter.update(1000));
  now += REDRAW_MS;
  assert.ok(meter.update(400));
});

test('speed follows the last few seconds, not the average since the start', () => {
  let now = 0;
  const meter = new ProgressMeter('x', 100_000_000, () => now);
  meter.update(0);
  for (let s = 1; s <= 10; s++) {
    now = s * 1000;
    meter.update(s * 100_000); // slow: 100 kB/s
  }
  for (let s = 11; s <= 15; s++) {
    now = s * 1000;
    meter.update(1_000_000 + (s - 10) * 1_000_000); // then 1 MB/s
  }
  assert.ok(meter.speed() > 900_000, `speed ${meter.speed()}`);
});

test('an empty file is complete at once', () => {
  const meter = new ProgressMeter('upload empty', 0, () => 0);
  const report = meter.update(0)!;
  assert.equal(report.percent, 100);
  assert.equal(report.done, true);
});

test('durations read like a clock', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(7.2), '0:08');
  assert.equal(formatDuration(750), '12:30');
  assert.equal(formatDuration(3723), '1:02:03');
});
