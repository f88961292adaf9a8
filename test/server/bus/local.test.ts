// Issue #15: the local bus and name registry pass the contracts every backend passes. A `LocalHub` and a
// `LocalNameTable` per cluster stand for what Redis shares between nodes.
import { pino } from 'pino';
import { LocalBus, LocalHub } from '../../../src/server/bus/local-bus.js';
import { LocalNameRegistry, LocalNameTable } from '../../../src/server/bus/local-name-registry.js';
import { busSuite } from './bus-suite.js';
import { registrySuite } from './registry-suite.js';

const log = pino({ level: 'silent' });
const hubs = new Map<string, LocalHub>();
const tables = new Map<string, LocalNameTable>();

function shared<T>(map: Map<string, T>, key: string, make: () => T): T {
  let value = map.get(key);
  if (!value) map.set(key, (value = make()));
  return value;
}

busSuite(
  'local',
  (cluster, nodeId) =>
    new LocalBus(
      nodeId,
      log,
      shared(hubs, cluster, () => new LocalHub()),
    ),
);
registrySuite(
  'local',
  (cluster, nodeId, timing) =>
    new LocalNameRegistry(
      nodeId,
      log,
      timing,
      shared(tables, cluster, () => new LocalNameTable()),
    ),
);
