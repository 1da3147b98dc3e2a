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
 * A tick that priced no asset at all still publishes its alerts and records its state, then reports failure
 * (`noAssetPriced`), so the Scheduler-facing handler answers 500 and the function error-rate alert sees it.
 */
import { FIRESTORE_COLLECTIONS } from '../contracts/firestore';
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
import type { CircuitState } from '../domain/prices/circuit-breaker';
import { assertPriceFeedConfig, type PriceFeedConfig } from '../domain/prices/config';
import {
  DAILY_CLOSES_COLLECTION,
  upsertDailyClose,
  utcDate,
  type DailyClosesDoc,
} from '../domain/prices/ticks';

import type { PriceSource } from '../ports/price-source';
import type { SourceName, SourceResult } from '../domain/prices/types';
import { rulesFor, type ReadingRules, type Rejection } from '../domain/prices/validation';
import { readSources, tickAt, type Tick } from './read-price-sources';

export const PRICE_STATE_COLLECTION = FIRESTORE_COLLECTIONS.prices.state;

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

/**
 * A tick that published no price at all failed: the HTTP face answers 500 (Scheduler retries, the error-rate
 * alert fires). A partly priced tick succeeded; its unpriced assets are NO_USABLE_PRICE alerts.
 */
export function noAssetPriced(outcome: Pick<IngestOutcome, 'published'>): boolean {
  return outcome.published.length === 0;
}

/** One line per rejection, machine reason first: `STALE: chainlink ETH: answer is 7200 s old (limit 4200 s)`. */
export function describeRejection(r: Rejection): string {
  return `${r.reason}${r.detail ? `(${r.detail})` : ''}: ${r.message}`;
}

export async function ingestPrices(deps: IngestPricesDeps): Promise<IngestOutcome> {
  const config = assertPriceFeedConfig(deps.config);
  const tick = tickAt(deps.clock.now());
  const log = deps.logger.child({ tickId: tick.tickId });
  const read = await readSources(deps, config, tick, log);
  const decided = await decidePrices(deps, config, tick, read.results, log);
  const alerts = [...read.alerts, ...decided.alerts];
  const messageId = await publishTick(deps.bus, tick, decided.prices, alerts);
  await recordTick(deps, config, tick, decided);

  const { tickId, asOf } = tick;
  const { prices, unavailable } = decided;
  const { circuits, skippedSources } = read;
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

interface Decided {
  decisions: AssetDecision[];
  prices: MarketPricesV1['prices'];
  unavailable: IngestOutcome['unavailable'];
  /** NO_USABLE_PRICE and SOURCES_DISAGREE alerts. */
  alerts: PriceAlertV1[];
  closeDate: string;
}

/** Decide: validate and aggregate per asset against its persisted oracle state (the domain holds the policy). */
async function decidePrices(
  deps: IngestPricesDeps,
  config: PriceFeedConfig,
  { now, minute, tickId, asOf }: Tick,
  results: Map<SourceName, Map<string, SourceResult>>,
  log: Logger,
): Promise<Decided> {
  const assets = config.assets.map((a) => a.asset);
  const alerts: PriceAlertV1[] = [];
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

  return { decisions, prices, unavailable, alerts, closeDate };
}

/** Publish: prices first (risk depends on them), then alerts. Returns the prices message id. */
async function publishTick(
  bus: EventBus,
  { tickId, asOf }: Tick,
  prices: MarketPricesV1['prices'],
  alerts: PriceAlertV1[],
): Promise<string | undefined> {
  let messageId: string | undefined;
  if (prices.length > 0) {
    const message: MarketPricesV1 = { tickId, asOf, prices };
    messageId = await bus.publish(PRICES_TOPIC, message, { attributes: { tickId } });
  }
  for (const alert of alerts) {
    await bus.publish(ALERTS_TOPIC, alert, {
      attributes: { alertId: alert.alertId, tickId, kind: alert.kind, asset: alert.asset },
    });
  }
  return messageId;
}

/** Persist: the published prices (the warehouse de-duplicates on row_id), then oracle state and daily closes. */
async function recordTick(
  deps: IngestPricesDeps,
  config: PriceFeedConfig,
  { tickId, asOf }: Tick,
  { decisions, prices, closeDate }: Decided,
): Promise<void> {
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

  // Atomically; a tick never overwrites what a later tick wrote.
  await persistState(deps.store, decisions, prices, asOf, closeDate, config.dailyCloseLimit);
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
