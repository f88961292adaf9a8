// The --compare runner (#16): every workload R rounds per side, the side going first swapped every round.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runAlternately, sidesOfRound } from '../../bench/compare.js';
import type { Result, Workload } from '../../bench/workload.js';

test('#16 rounds alternate which side goes first (ABBA)', () => {
  assert.deepEqual(sidesOfRound(1), ['current', 'ref']);
  assert.deepEqual(sidesOfRound(2), ['ref', 'current']);
  assert.deepEqual(sidesOfRound(3), ['current', 'ref']);
});

test('#16 runAlternately runs each workload on both sides every round, in ABBA order, one at a time', async () => {
  const workload = (name: string) => ({ name }) as Workload;
  const order: string[] = [];
  let running = 0;
  const runs = await runAlternately([workload('direct'), workload('idle')], 3, async (w, side, round) => {
    assert.equal(running++, 0, 'never two runs at once');
    order.push(`${w.name} ${round} ${side}`);
    await new Promise((resolve) => setImmediate(resolve));
    running--;
    return { workload: w.name, params: {}, ok: true, problems: [] } satisfies Result;
  });
  const expected = [
    'direct 1 current',
    'direct 1 ref',
    'direct 2 ref',
    'direct 2 current',
    'direct 3 current',
    'direct 3 ref',
    'idle 1 current',
    'idle 1 ref',
    'idle 2 ref',
    'idle 2 current',
    'idle 3 current',
    'idle 3 ref',
  ];
  assert.deepEqual(order, expected);
  assert.deepEqual(
    runs.map((r) => `${r.workload} ${r.round} ${r.side}`),
    expected,
  );
});
