// Issue #15: the Redis bus and name registry pass the contracts the local ones pass, on the Redis of
// CLASSCHAT_TEST_REDIS_URL (skipped with the reason when it is not set). Each test's cluster is a fresh
// key and channel prefix, so test files running side by side never meet.
import { pino } from 'pino';
import { RedisBus } from '../../../src/server/bus/redis-bus.js';
import { RedisNameRegistry } from '../../../src/server/bus/redis-name-registry.js';
import { REDIS_SKIP, REDIS_URL } from '../../helpers/services.js';
import { busSuite } from './bus-suite.js';
import { registrySuite } from './registry-suite.js';

const log = pino({ level: 'silent' });
const url = REDIS_URL ?? '';

busSuite('redis', (cluster, nodeId) => new RedisBus({ url, nodeId, log, prefix: `${cluster}:` }), REDIS_SKIP);
registrySuite(
  'redis',
  (cluster, nodeId, timing) => new RedisNameRegistry({ url, nodeId, log, prefix: `${cluster}:`, timing }),
  REDIS_SKIP,
);
