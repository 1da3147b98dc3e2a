/**
 * A Platform of in-memory adapters for tests that serve a function's one wiring: memory store and bus, a manual
 * clock, logs captured in memory, secrets from a map. Anything else a test needs (a warehouse, maintenance) it
 * passes in; what it does not pass refuses to be used, so a test never depends on it by accident.
 */
import { DevKeyCipher } from '../../shared/adapters/local/dev-key-cipher';
import { MemoryDocumentStore } from './memory/memory-document-store';
import { MemoryEventBus } from './memory/memory-event-bus';
import { ManualClock } from '../../shared/platform/clocks';
import { StructuredLogger } from '../../shared/platform/logger';
import type { Platform } from '../../shared/ports/platform';
import type { Warehouse } from '../../shared/ports/warehouse';
import type { WarehouseMaintenance } from '../../shared/ports/warehouse-maintenance';
import { CapturingSink } from './capturing-sink';

const refuse = (what: string) => () => {
  throw new Error(`this test platform has no ${what}`);
};

export interface TestPlatform extends Platform {
  store: MemoryDocumentStore;
  bus: MemoryEventBus;
  clock: ManualClock;
  sink: CapturingSink;
  secretValues: Map<string, string>;
}

export function testPlatform(overrides: Partial<Platform> = {}): TestPlatform {
  const sink = new CapturingSink();
  const root = new StructuredLogger({ sink: sink.sink, projectId: 'test-platform' });
  const secretValues = new Map<string, string>();
  const noWarehouse: Warehouse = {
    insert: refuse('warehouse'),
    query: refuse('warehouse'),
    close: async () => {},
  };
  return {
    env: { ENVIRONMENT: 'local' },
    store: new MemoryDocumentStore(),
    bus: new MemoryEventBus(),
    warehouse: noWarehouse,
    clock: new ManualClock('2024-06-01T00:00:00Z'),
    secrets: {
      get: async (name) => {
        const v = secretValues.get(name);
        if (v === undefined) throw new Error(`secret ${name} is not set`);
        return v;
      },
    },
    logger: (functionName) => root.child({ functionName }),
    maintenance: () =>
      new Proxy({} as WarehouseMaintenance, { get: (_, method) => refuse(`maintenance ${String(method)}`) }),
    cipher: () => new DevKeyCipher({}),
    sink,
    secretValues,
    ...overrides,
  } as TestPlatform;
}
