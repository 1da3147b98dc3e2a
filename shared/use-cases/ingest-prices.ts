/**
 * ingestPrices: one tick of price ingestion (Cloud Scheduler → HTTP, every minute).
 *
 * Reads every configured asset from each source (skipping sources whose circuit is open), validates and
 * aggregates per asset (shared/domain/prices/aggregation.ts holds the policy), publishes one
 * `market.prices.v1` message with the validated prices, raises `alerts.prices.v1` for assets without a usable
 * price, disagreeing sources and opened circuits, records the published prices in `market.prices`, and keeps
 * per-asset oracle state and the rolling daily closes VaR reads.
 *
 * Idempotent per minute: the tick id comes from the clock's minute, warehouse rows are keyed
 * `${tickId}:${asset}` and alert ids `${tickId}:${asset}:${kind}`, so a retried tick repeats the same ids and
 * downstream de-duplication absorbs it. Any failure to publish or persist throws, so the scheduler retries.
 */
import type { PriceAlertV1, MarketPricesV1, MarketPriceRow } from '../contracts/schema-types';
import type { Clock } from '../ports/clock';
import type { DocumentStore } from '../ports/document-store';
import type { EventBus } from '../ports/event-bus';
import type { Logger } from '../ports/logger';
import type { TableRows } from '../contracts/schema-types';
import type { Warehouse } from '../ports/warehouse';
import {
  assetStateFromDocument,
  decideAssetPrice,
  type AssetDecision,
  type PriceAlertKind,
} from '../domain/prices/aggregation';
import {
  circuitFromDocument,
  permitCall,
  recordFailure,
  recordSuccess,
  type CircuitEvent,
  type CircuitState,
} from '../domain/prices/circuit-breaker';
import { assertPriceFeedConfig, type PriceFeedConfig } from '../domain/prices/config';
import {
  DAILY_CLOSES_COLLECTION,
  tickIdOf,
  tickMinute,
  upsertDailyClose,
  utcDate,
  type DailyClosesDoc,
} from '../domain/prices/ticks';

export { DAILY_CLOSES_COLLECTION, type DailyClosesDoc };
import type { PriceSource } from '../ports/price-source';
import { failAll, sourceFailure, type SourceName, type SourceResult } from '../domain/prices/types';
import { rulesFor, type ReadingRules, type Rejection } from '../domain/prices/validation';

export const PRICE_STATE_COLLECTION = 'priceState';
/** Circuit-breaker state per source, doc id = source name. Persisted so cold starts do not forget it. */
export const SOURCE_CIRCUIT_COLLECTION = 'priceSourceCircuits';

const PRICES_TOPIC = 'market.prices.v1';
const ALERTS_TOPIC = 'alerts.prices.v1';

export interface IngestPricesDeps {
  sources: PriceSource[];
  store: DocumentStore;
  bus: EventBus;
  warehouse: Warehouse;
  clock: Clock;
  logger: Logger;
  config: PriceFeedConfig;
}

export interface IngestOutcome {
  tickId: string;
  asOf: string;
  published: { asset: string; priceUsd: number; source: string; quality: string }[];
  unavailable: { asset: string; reasons: string[] }[];
  messageId?: string;
  /** Alert ids raised this tick (NO_USABLE_PRICE, SOURCES_DISAGREE, SOURCE_CIRCUIT_OPEN). */
  alertIds: string[];
  /** Each source's circuit after this tick. */
  circuits: Partial<Record<SourceName, CircuitState['status']>>;
  /** Sources not called this tick because their circuit was open. */
  skippedSources: SourceName[];
}

/** One line per rejection, machine reason first: `STALE: chainlink ETH: answer is 7200 s old (limit 4200 s)`. */
export function describeRejection(r: Rejection): string {
  return `${r.reason}${r.detail ? `(${r.detail})` : ''}: ${r.message}`;
}

export async function ingestPrices(deps: IngestPricesDeps): Promise<IngestOutcome> {
  const config = assertPriceFeedConfig(deps.config);
  const now = deps.clock.now();
  const minute = tickMinute(now);
  const tickId = tickIdOf(now);
  const asOf = minute.toISOString();
  const log = deps.logger.child({ tickId });
  const assets = config.assets.map((a) => a.asset);
  const alerts: PriceAlertV1[] = [];

  // 1. Sources, behind their circuit breakers.
  const circuitDocs = await deps.store.getMany(
    SOURCE_CIRCUIT_COLLECTION,
    deps.sources.map((s) => s.name),
  );
  const results = new Map<SourceName, Map<string, SourceResult>>();
  const circuits: IngestOutcome['circuits'] = {};
  const skippedSources: SourceName[] = [];
  await Promise.all(
    deps.sources.map(async (source) => {
      const wanted = config.assets
        .filter((a) => (source.name === 'chainlink' ? a.chainlink : a.pyth))
        .map((a) => a.asset);
      const before = circuitFromDocument(circuitDocs.get(source.name));
      if (wanted.length === 0) {
        results.set(source.name, new Map());
        circuits[source.name] = before.status;
        return;
      }
      const permit = permitCall(before, now);
      if (!permit.allowed) {
        skippedSources.push(source.name);
        circuits[source.name] = before.status;
        results.set(
          source.name,
          failAll(
            source.name,
            wanted,
            'circuit-open',
            'CIRCUIT_OPEN',
            `circuit open until ${before.retryAt}`,
          ),
        );
        return;
      }
      if (permit.event) logCircuit(log, source.name, permit.event, permit.state);
      const read = await guardedRead(source, wanted, now, config.sourceTimeoutMs);
      results.set(source.name, read);
      const failures = [...read.values()].filter((r) => !r.ok);
      const record =
        failures.length === wanted.length
          ? recordFailure(permit.state, now, config.circuitBreaker, summarise(failures))
          : recordSuccess(permit.state);
      circuits[source.name] = record.state.status;
      if (record.event) logCircuit(log, source.name, record.event, record.state);
      if (record.event === 'OPENED') {
        alerts.push({
          alertId: `${tickId}:${source.name}:SOURCE_CIRCUIT_OPEN`,
          tickId,
          asOf,
          asset: '*',
          kind: 'SOURCE_CIRCUIT_OPEN',
          reasons: [
            `${source.name} failed ${record.state.consecutiveFailures} reads in a row (${record.state.lastFailure}); ` +
              `not called again before ${record.state.retryAt}`,
          ],
        });
      }
      if (JSON.stringify(record.state) !== JSON.stringify(before)) {
        await deps.store.set(SOURCE_CIRCUIT_COLLECTION, source.name, {
          ...record.state,
          source: source.name,
        });
      }
    }),
  );

  // 2. Validate and aggregate per asset against its persisted oracle state.
  const stateDocs = await deps.store.getMany(PRICE_STATE_COLLECTION, assets);
  const decisions: AssetDecision[] = config.assets.map((assetConfig) => {
    const rules: Partial<Record<SourceName, ReadingRules>> = {};
    const assetResults: Partial<Record<SourceName, SourceResult>> = {};
    for (const source of deps.sources) {
      const r = rulesFor(assetConfig, source.name, config);
      if (!r) continue;
      rules[source.name] = r;
      const result = results.get(source.name)?.get(assetConfig.asset);
      if (result) assetResults[source.name] = result;
    }
    return decideAssetPrice({
      config: assetConfig,
      state: assetStateFromDocument(assetConfig, stateDocs.get(assetConfig.asset)),
      results: assetResults,
      rules,
      now,
      asOf: minute,
      tickId,
      continuityWindowSeconds: config.continuityWindowSeconds,
    });
  });

  const closeDate = utcDate(minute);
  const prices: MarketPricesV1['prices'] = [];
  const unavailable: IngestOutcome['unavailable'] = [];
  for (const d of decisions) {
    logDecision(log, d);
    const reasons = d.rejections.map(describeRejection);
    for (const kind of d.alerts) alerts.push(priceAlert(tickId, asOf, d.asset, kind, reasons));
    if (!d.published) {
      unavailable.push({ asset: d.asset, reasons });
      continue;
    }
    prices.push({
      asset: d.asset,
      priceUsd: d.published.price,
      source: d.published.source,
      quality: d.published.quality,
      publishedAt: d.published.publishedAt.toISOString(),
      ...(d.published.confidence !== undefined ? { confidenceUsd: d.published.confidence } : {}),
      dailyCloseDate: closeDate,
    });
  }

  // 3. Publish: prices first (risk depends on them), then alerts.
  let messageId: string | undefined;
  if (prices.length > 0) {
    const message: MarketPricesV1 = { tickId, asOf, prices };
    messageId = await deps.bus.publish(PRICES_TOPIC, message, { attributes: { tickId } });
  }
  for (const alert of alerts) {
    await deps.bus.publish(ALERTS_TOPIC, alert, {
      attributes: { alertId: alert.alertId, tickId, kind: alert.kind, asset: alert.asset },
    });
  }

  // 4. Record what was published; the warehouse de-duplicates on row_id.
  if (prices.length > 0) {
    const rows: TableRows['market.prices'][] = prices.map((p) => {
      const row: MarketPriceRow = {
        row_id: `${tickId}:${p.asset}`,
        tick_id: tickId,
        as_of: asOf,
        asset: p.asset,
        price_usd: p.priceUsd,
        source: p.source,
        quality: p.quality,
        published_at: p.publishedAt,
        confidence_usd: p.confidenceUsd ?? null,
      };
      return { ...row };
    });
    await deps.warehouse.insert('market.prices', rows);
  }

  // 5. Oracle state and daily closes, atomically; a tick never overwrites what a later tick wrote.
  await persistState(deps.store, decisions, prices, asOf, closeDate, config.dailyCloseLimit);

  const outcome: IngestOutcome = {
    tickId,
    asOf,
    published: prices.map((p) => ({
      asset: p.asset,
      priceUsd: p.priceUsd,
      source: p.source,
      quality: p.quality,
    })),
    unavailable,
    ...(messageId !== undefined ? { messageId } : {}),
    alertIds: alerts.map((a) => a.alertId),
    circuits,
    skippedSources,
  };
  log.info('price tick ingested', {
    published: prices.length,
    unavailable: unavailable.map((u) => u.asset),
    alerts: alerts.length,
    skippedSources,
    messageId,
  });
  return outcome;
}

/** A source read that can neither throw nor hang the tick; every requested asset gets an entry. */
async function guardedRead(
  source: PriceSource,
  assets: string[],
  now: Date,
  timeoutMs: number,
): Promise<Map<string, SourceResult>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Map<string, SourceResult>>((resolve) => {
    timer = setTimeout(
      () =>
        resolve(
          failAll(source.name, assets, 'unavailable', 'READ_TIMEOUT', `no answer within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
  });
  let read: Map<string, SourceResult>;
  try {
    read = await Promise.race([source.read(assets, now), timeout]);
  } catch (err) {
    read = failAll(
      source.name,
      assets,
      'unavailable',
      'READ_FAILED',
      `read failed: ${(err as Error)?.name ?? 'error'}`,
    );
  } finally {
    clearTimeout(timer);
  }
  for (const a of assets) {
    if (!read.has(a))
      read.set(a, sourceFailure(source.name, a, 'unavailable', 'NO_ANSWER', `no answer for ${a}`));
  }
  return read;
}

function summarise(failures: SourceResult[]): string {
  const reasons = [...new Set(failures.map((f) => (f.ok ? '' : f.reason)))];
  return reasons.slice(0, 3).join(', ');
}

function priceAlert(
  tickId: string,
  asOf: string,
  asset: string,
  kind: PriceAlertKind,
  reasons: string[],
): PriceAlertV1 {
  return { alertId: `${tickId}:${asset}:${kind}`, tickId, asOf, asset, kind, reasons };
}

function logCircuit(log: Logger, source: SourceName, event: CircuitEvent, state: CircuitState): void {
  const fields = {
    source,
    circuit: state.status,
    consecutiveFailures: state.consecutiveFailures,
    coolDownMs: state.coolDownMs,
    lastFailure: state.lastFailure,
  };
  if (event === 'OPENED') log.error('price source circuit opened: source skipped during cool-down', fields);
  else if (event === 'REOPENED') log.warn('price source trial read failed: circuit open again', fields);
  else if (event === 'TRIAL') log.info('price source circuit half-open: trial read', fields);
  else log.info('price source recovered: circuit closed', fields);
}

function logDecision(log: Logger, d: AssetDecision): void {
  for (const r of d.rejections) {
    log.warn('price reading rejected', {
      asset: d.asset,
      source: r.source,
      reason: r.reason,
      detail: r.detail,
      why: r.message,
    });
  }
  if (d.state.status !== d.previousStatus) {
    log.info('oracle status changed', { asset: d.asset, from: d.previousStatus, to: d.state.status });
  }
  if (!d.published) {
    log.error('no usable price: nothing published for this asset', {
      asset: d.asset,
      status: d.state.status,
      reasons: d.rejections.map((r) => `${r.source}:${r.reason}`),
    });
  }
}

async function persistState(
  store: DocumentStore,
  decisions: AssetDecision[],
  prices: MarketPricesV1['prices'],
  asOf: string,
  closeDate: string,
  limit: number,
): Promise<void> {
  await store.runTransaction(async (tx) => {
    // Firestore rule: every read before the first write.
    const stateDocs = new Map<string, Record<string, unknown> | undefined>();
    for (const d of decisions) stateDocs.set(d.asset, await tx.get(PRICE_STATE_COLLECTION, d.asset));
    const closeDocs = new Map<string, DailyClosesDoc | undefined>();
    for (const p of prices)
      closeDocs.set(p.asset, await tx.get<DailyClosesDoc>(DAILY_CLOSES_COLLECTION, p.asset));

    for (const d of decisions) {
      const current = stateDocs.get(d.asset);
      if (typeof current?.updatedAt === 'string' && current.updatedAt > asOf) continue;
      tx.set(PRICE_STATE_COLLECTION, d.asset, { ...d.state });
    }
    for (const p of prices) {
      const doc = closeDocs.get(p.asset);
      if (doc && doc.updatedAt > asOf) continue;
      const closes = upsertDailyClose(
        Array.isArray(doc?.closes) ? doc.closes : [],
        closeDate,
        p.priceUsd,
        limit,
      );
      tx.set(DAILY_CLOSES_COLLECTION, p.asset, { asset: p.asset, closes, updatedAt: asOf });
    }
  });
}
