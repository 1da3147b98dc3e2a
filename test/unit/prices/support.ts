/** Test doubles shared by the price tests (unit and integration). */
import type { TableRows } from '../../../shared/contracts/schema-types';
import type { TableName } from '../../../shared/contracts/warehouse-tables';
import type { AssetFeedConfig, PriceFeedConfig } from '../../../shared/domain/prices/config';
import type { PriceSource } from '../../../shared/ports/price-source';
import type {
  RawReading,
  SourceFailure,
  SourceName,
  SourceResult,
} from '../../../shared/domain/prices/types';
import { checkRows, rowsOf } from '../../../shared/platform/warehouse-rows';
import type { Warehouse, WarehouseRow } from '../../../shared/ports/warehouse';

/** Validates rows like the real adapters and keeps the first row per row id, as BigQuery's insertId does. */
export class RecordingWarehouse implements Warehouse {
  readonly tables = new Map<string, Map<string, WarehouseRow>>();
  inserts = 0;

  async insert<T extends TableName>(table: T, typedRows: TableRows[T][]): Promise<void> {
    const rows = rowsOf(typedRows);
    const def = checkRows(table, rows);
    this.inserts++;
    let t = this.tables.get(table);
    if (!t) this.tables.set(table, (t = new Map()));
    for (const row of rows) {
      const id = String(row[def.rowIdColumn]);
      if (!t.has(id)) t.set(id, structuredClone(row));
    }
  }

  rows(table: TableName): WarehouseRow[] {
    return [...(this.tables.get(table)?.values() ?? [])];
  }

  async query<T extends WarehouseRow = WarehouseRow>(): Promise<T[]> {
    throw new Error('RecordingWarehouse does not run SQL');
  }

  async close(): Promise<void> {}
}

export function reading(
  source: SourceName,
  asset: string,
  price: number,
  publishTime: Date,
  extra: Partial<RawReading> = {},
): RawReading {
  return { ok: true, source, asset, price, publishTime, ...extra };
}

export function failure(
  source: SourceName,
  asset: string,
  kind: SourceFailure['kind'] = 'unavailable',
  reason = 'HTTP_500',
): SourceFailure {
  return { ok: false, source, asset, kind, reason, message: `injected ${reason}` };
}

export type Script = (asset: string, now: Date, call: number) => SourceResult | 'throw' | 'hang';

/** A PriceSource whose answers a test scripts per asset; counts the calls it receives. */
export class ScriptedSource implements PriceSource {
  calls = 0;
  constructor(
    readonly name: SourceName,
    public script: Script,
  ) {}

  async read(assets: string[], now: Date): Promise<Map<string, SourceResult>> {
    const call = this.calls++;
    const out = new Map<string, SourceResult>();
    for (const a of assets) {
      const r = this.script(a, now, call);
      if (r === 'throw') throw new Error('source exploded');
      if (r === 'hang') return new Promise(() => undefined);
      out.set(a, r);
    }
    return out;
  }
}

export function assetConfig(asset: string, overrides: Partial<AssetFeedConfig> = {}): AssetFeedConfig {
  return {
    asset,
    chainlink: {
      proxy: '0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419',
      decimals: 8,
      heartbeatSeconds: 3600,
    },
    pyth: {
      id: 'ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace',
      maxAgeSeconds: 60,
      maxConfidenceRatio: 0.01,
    },
    maxJumpRatio: 0.5,
    maxSourceDeviation: 0.05,
    ...overrides,
  };
}

export function feedConfig(
  assets: AssetFeedConfig[],
  overrides: Partial<PriceFeedConfig> = {},
): PriceFeedConfig {
  return {
    assets,
    chainlinkStalenessMarginSeconds: 300,
    maxFutureSkewSeconds: 60,
    continuityWindowSeconds: 900,
    circuitBreaker: { failureThreshold: 3, coolDownMs: 60_000, maxCoolDownMs: 8 * 60_000 },
    sourceTimeoutMs: 2_000,
    dailyCloseLimit: 800,
    ...overrides,
  };
}
