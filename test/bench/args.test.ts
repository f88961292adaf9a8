// The bench's command line (#15): `--nodes N` turns on the scaling run, with PostgreSQL and Redis from
// --store-url / --bus-url, else the environment, else the local defaults; without it the bench is unchanged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_BENCH_POSTGRES_URL, DEFAULT_BENCH_REDIS_URL, parseBenchArgs } from '../../bench/args.js';
import { UsageError } from '../../src/cli-args.js';

test('#15 bench without --nodes is the usual single-node run', () => {
  const args = parseBenchArgs(['--quick'], {});
  assert.equal(args.scaling, null);
  assert.equal(args.quick, true);
  assert.equal(args.timeoutS, 120);
});

test('#15 bench --nodes 3 takes the local PostgreSQL and Redis by default, the environment over them, the flags over both', () => {
  assert.equal(parseBenchArgs(['--nodes', '3'], {}).timeoutS, 300, 'PostgreSQL runs take longer');
  assert.equal(parseBenchArgs(['--nodes', '3', '--timeout', '60'], {}).timeoutS, 60);
  assert.deepEqual(parseBenchArgs(['--nodes', '3'], {}).scaling, {
    nodes: 3,
    storeUrl: DEFAULT_BENCH_POSTGRES_URL,
    busUrl: DEFAULT_BENCH_REDIS_URL,
  });
  const env = { CLASSCHAT_BENCH_POSTGRES_URL: 'postgres://e@db/x', CLASSCHAT_BENCH_REDIS_URL: 'redis://e:1' };
  assert.deepEqual(parseBenchArgs(['--nodes', '3'], env).scaling, {
    nodes: 3,
    storeUrl: 'postgres://e@db/x',
    busUrl: 'redis://e:1',
  });
  assert.deepEqual(
    parseBenchArgs(['--nodes', '2', '--store-url', 'postgresql://f@db/y', '--bus-url', 'rediss://f:2'], env).scaling,
    { nodes: 2, storeUrl: 'postgresql://f@db/y', busUrl: 'rediss://f:2' },
  );
});

test('#15 bench refuses a bad --nodes, a URL of the wrong kind, and the URLs without --nodes', () => {
  for (const n of ['1', '0', '2.5', 'three', '17'])
    assert.throws(() => parseBenchArgs(['--nodes', n], {}), UsageError, `--nodes ${n}`);
  assert.throws(
    () => parseBenchArgs(['--nodes', '3', '--store-url', 'mysql://db'], {}),
    /--store-url must be a postgres/,
  );
  assert.throws(() => parseBenchArgs(['--nodes', '3', '--bus-url', 'http://r'], {}), /--bus-url must be a redis/);
  assert.throws(() => parseBenchArgs(['--store-url', 'postgres://db'], {}), /go with --nodes/);
  assert.throws(() => parseBenchArgs(['--bus-url', 'redis://r'], {}), /go with --nodes/);
});

test('#16 bench --compare takes a git revision and 3 rounds by default; --rounds sets them', () => {
  assert.equal(parseBenchArgs(['--quick'], {}).compare, null);
  assert.deepEqual(parseBenchArgs(['--quick', '--compare', 'HEAD~3'], {}).compare, { ref: 'HEAD~3', rounds: 3 });
  assert.deepEqual(parseBenchArgs(['--compare', 'main', '--rounds', '5'], {}).compare, { ref: 'main', rounds: 5 });
  const withOnly = parseBenchArgs(['--compare', 'abc123', '--only', 'idle'], {});
  assert.deepEqual(withOnly.only, ['idle']);
  assert.deepEqual(withOnly.compare, { ref: 'abc123', rounds: 3 });
});

test('#16 bench refuses --rounds without --compare, bad rounds, a revision that looks like a flag, and --nodes with it', () => {
  assert.throws(() => parseBenchArgs(['--rounds', '3'], {}), /--rounds goes with --compare/);
  for (const n of ['0', '-1', '2.5', 'three', '51'])
    assert.throws(
      () => parseBenchArgs(['--compare', 'HEAD~1', `--rounds=${n}`], {}),
      /--rounds must be/,
      `--rounds ${n}`,
    );
  assert.throws(() => parseBenchArgs(['--compare=--output=x'], {}), /needs a git revision/);
  assert.throws(() => parseBenchArgs(['--compare', ''], {}), /needs a git revision/);
  assert.throws(() => parseBenchArgs(['--compare', 'HEAD~1', '--nodes', '3'], {}), /cannot be combined/);
});
