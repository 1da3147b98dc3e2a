/**
 * computePortfolioRisk: keeps portfolios current from position events, and on every price tick fans out
 * one unit of work per shard; each shard invocation values its whole batch of portfolios, computes
 * margin health, liquidation prices, historical-simulation VaR/ES and the risk metrics (domain/controls/metrics:
 * leverage, concentration, drawdown...), publishes the results with each portfolio's desk as
 * risk.portfolio-risk.v1 batches (one delivery per shard, not per portfolio) and writes exposures, every VaR/ES
 * figure, liquidation prices and metrics to the warehouse, one insert per table. A portfolio that cannot be valued (an asset it holds has no price, or only a
 * stale one) is not skipped silently: it raises a PORTFOLIO_NOT_VALUED alert on alerts.prices.v1, which the
 * fan-out sends to the risk desk; its id is derived from tick, portfolio and unpriced assets, so a redelivery
 * or a revaluation at the same tick raises the same alert.
 *
 * A position update's updatedAt orders the updates of a portfolio, so one later than now plus the allowed skew
 * is refused before the portfolio is read (event-time-guard.ts): dead-lettered, operators alerted. Otherwise
 * it would be the newest and every real update after it would be ignored as stale, freezing the collateral.
 */
import { FIRESTORE_COLLECTIONS } from '../contracts/firestore';
import type { SchemaTypes } from '../contracts/schema-types';
import { bucketOf, bucketRange, contentId } from '../domain/ids';
import { RiskEngine, type Exposure } from '../domain/risk/engine';
import type { RiskComputeConfig } from '../domain/risk/config';
import type { PriceHistory } from '../domain/risk/history';
import { liquidationPrices, valuePortfolio } from '../domain/risk/margin';
import { deskOf } from '../domain/controls/desks';
import { computeRiskMetrics, type MetricsInput, type RiskMetrics } from '../domain/controls/metrics';
import type { DocumentStore } from '../ports/document-store';
import type { EventBus } from '../ports/event-bus';
import type { Logger } from '../ports/logger';
import type { TableRows } from '../contracts/schema-types';
import type { Warehouse } from '../ports/warehouse';
import { DEFAULT_EVENT_TIME_MAX_SKEW_SECONDS, latestAcceptedMs } from '../domain/event-time';
import { requireEventTimes, type EventTimeGuardDeps } from './event-time-guard';
import { MARKET_STATE, type LatestPrice, type MarketState } from './market-state';
import type { PriceQuality, PriceSource } from '../contracts/generated/types';
import { loadHistory, logHistoryGaps } from './risk-history';
import { SHARD_VALUED_LOG } from '../platform/log-messages';

type PricesMessage = SchemaTypes['messages/market.prices.v1'];
type PositionsMessage = SchemaTypes['messages/portfolio.positions.v1'];
type ShardWork = SchemaTypes['messages/risk.shard-work.v1'];
type PortfolioRisk = SchemaTypes['shared/portfolio-risk'];
type PortfolioRiskBatch = SchemaTypes['messages/risk.portfolio-risk.v1'];
type PriceAlert = SchemaTypes['messages/alerts.prices.v1'];

/**
 * Portfolios per risk.portfolio-risk.v1 message (the schema allows 500). With its metrics a portfolio of eight
 * assets is about 5 KB of JSON, so 100 keeps a message near 0.5 MB, well under 1 MB.
 */
export const RISK_BATCH_SIZE = 100;

export interface PortfolioDoc {
  [key: string]: unknown;
  portfolioId: string;
  /** Fixed hash bucket; a shard is a range of buckets (see domain/ids). */
  bucket: number;
  /** The desk of the last applied update ('default' without one); absent on documents stored before desks. */
  deskId?: string;
  updatedAt: string;
  positions: PositionsMessage['positions'];
  /** The checkRisk requests these positions include (from the update that set them). */
  appliedRequestIds?: string[];
}

export interface RiskDeps {
  store: DocumentStore;
  bus: EventBus;
  warehouse: Warehouse;
  logger: Logger;
  config: RiskComputeConfig;
}

export const COLLECTIONS = FIRESTORE_COLLECTIONS.risk;

/**
 * Applies a position update unless an equal or newer one was applied already (redelivery, reordering). One
 * dated in the future is refused (PermanentError, dead-lettered) and the portfolio is left as it was.
 */
export async function applyPositions(
  deps: RiskDeps & EventTimeGuardDeps,
  msg: PositionsMessage,
  delivery: { messageId?: string } = {},
): Promise<'applied' | 'stale'> {
  await requireEventTimes(deps, [
    {
      sourceTopic: 'portfolio.positions.v1',
      subjectKind: 'portfolio',
      subjectId: msg.portfolioId,
      field: 'updatedAt',
      value: msg.updatedAt,
      messageId: delivery.messageId ?? `${msg.portfolioId}@${msg.updatedAt}`,
    },
  ]);
  const latest = latestAcceptedMs(
    deps.clock.now().getTime(),
    deps.eventTimeMaxSkewSeconds ?? DEFAULT_EVENT_TIME_MAX_SKEW_SECONDS,
  );
  let replacedFuture: string | undefined;
  const applied = await deps.store.runTransaction(async (tx) => {
    const current = await tx.get<PortfolioDoc>(COLLECTIONS.portfolios, msg.portfolioId);
    const appliedAt = current ? Date.parse(current.updatedAt) : undefined;
    // A stored time the guard would refuse today (written before it existed) is no reference for ordering.
    const reference = appliedAt !== undefined && appliedAt > latest ? undefined : appliedAt;
    replacedFuture = reference === undefined && appliedAt !== undefined ? current?.updatedAt : undefined;
    if (reference !== undefined && reference >= Date.parse(msg.updatedAt)) return undefined;
    const doc: PortfolioDoc = {
      portfolioId: msg.portfolioId,
      bucket: bucketOf(msg.portfolioId),
      deskId: deskOf(msg.deskId),
      updatedAt: msg.updatedAt,
      positions: msg.positions,
      // checkRisk stops counting an approved action as reserved once the positions carry it.
      ...(msg.appliedRequestIds ? { appliedRequestIds: msg.appliedRequestIds } : {}),
    };
    tx.set(COLLECTIONS.portfolios, msg.portfolioId, doc);
    return doc;
  });
  if (!applied) {
    deps.logger.info('stale position update ignored', {
      portfolioId: msg.portfolioId,
      updatedAt: msg.updatedAt,
    });
    return 'stale';
  }
  if (replacedFuture)
    deps.logger.warn('positions dated in the future replaced', {
      portfolioId: msg.portfolioId,
      replacedUpdatedAt: replacedFuture,
      updatedAt: msg.updatedAt,
    });
  // Revalue at once at the latest prices, so a position change that breaches a threshold is seen now.
  const market = await deps.store.get<MarketState>(MARKET_STATE.collection, MARKET_STATE.id);
  if (market) {
    const latest = usableLatest(market, deps.config.maxPriceAgeMinutes).map(([asset, p]) => ({
      asset,
      ...p,
    }));
    await evaluateBatch(deps, [applied], tickOf(market.tickId, market.asOf, latest), null);
  }
  return 'applied';
}

/** A price tick: merge into the latest-price state, then publish one unit of work per shard. */
export async function fanOutTick(deps: RiskDeps, msg: PricesMessage): Promise<number> {
  const market = await deps.store.runTransaction(async (tx) => {
    const current = (await tx.get<MarketState>(MARKET_STATE.collection, MARKET_STATE.id)) ?? {
      asOf: '',
      tickId: '',
      prices: {},
    };
    const merged: MarketState = { ...current, prices: { ...current.prices } };
    for (const p of msg.prices) {
      const prev = merged.prices[p.asset];
      if (!prev || Date.parse(prev.asOf) <= Date.parse(msg.asOf)) {
        merged.prices[p.asset] = {
          priceUsd: p.priceUsd,
          asOf: msg.asOf,
          tickId: msg.tickId,
          source: p.source,
          quality: p.quality,
        };
      }
    }
    if (!current.asOf || Date.parse(current.asOf) <= Date.parse(msg.asOf)) {
      merged.asOf = msg.asOf;
      merged.tickId = msg.tickId;
    }
    tx.set(MARKET_STATE.collection, MARKET_STATE.id, merged);
    return merged;
  });
  // Work for this tick carries the prices usable at the tick's own time, even if a newer tick got in first.
  const atTick: MarketState = { ...market, asOf: msg.asOf, tickId: msg.tickId };
  const list = usableLatest(atTick, deps.config.maxPriceAgeMinutes).map(([asset, p]) => ({
    asset,
    priceUsd: p.priceUsd,
    asOf: p.asOf,
    ...(p.source ? { source: p.source } : {}),
    ...(p.quality ? { quality: p.quality } : {}),
  }));
  const { shardCount } = deps.config;
  await Promise.all(
    Array.from({ length: shardCount }, (_, shard) =>
      deps.bus.publish(
        'risk.shard-work.v1',
        { tickId: msg.tickId, asOf: msg.asOf, shard, shardCount, prices: list } satisfies ShardWork,
        { attributes: { tickId: msg.tickId, shard: String(shard) } },
      ),
    ),
  );
  return shardCount;
}

/** The latest prices no older than the allowed age at the market state's own time. */
function usableLatest(market: MarketState, maxAgeMinutes: number): [string, LatestPrice][] {
  const cutoff = Date.parse(market.asOf) - maxAgeMinutes * 60_000;
  return Object.entries(market.prices).filter(([, p]) => {
    const t = Date.parse(p.asOf);
    return t >= cutoff && t <= Date.parse(market.asOf);
  });
}

function tickOf(tickId: string, asOf: string, latest: ProvenancedPrice[]): Tick {
  return {
    tickId,
    asOf,
    prices: Object.fromEntries(latest.map((p) => [p.asset, p.priceUsd])),
    provenance: Object.fromEntries(latest.map((p) => [p.asset, p])),
  };
}

/** One shard at one tick: every portfolio of the shard, in one batch. */
export async function processShard(deps: RiskDeps, work: ShardWork): Promise<number> {
  const started = performance.now();
  // The message's shard count rules: a fan-out made before a configuration change still covers every bucket.
  const { from, to } = bucketRange(work.shard, work.shardCount);
  const docs = await deps.store.query<PortfolioDoc>(COLLECTIONS.portfolios, [
    { field: 'bucket', op: '>=', value: from },
    { field: 'bucket', op: '<', value: to },
  ]);
  const portfolios = docs.map((d) => d.data);
  const valued = await evaluateBatch(
    deps,
    portfolios,
    tickOf(work.tickId, work.asOf, work.prices),
    work.shard,
  );
  // Read by Cloud Monitoring (shard valuation time, portfolios valued per tick): see platform/log-messages.ts.
  deps.logger.info(SHARD_VALUED_LOG, {
    tickId: work.tickId,
    shard: work.shard,
    portfolios: portfolios.length,
    valued: valued.length,
    durationMs: Math.round(performance.now() - started),
  });
  return portfolios.length;
}

/** A price with where it came from, as far as it is known. */
interface ProvenancedPrice {
  asset: string;
  priceUsd: number;
  asOf?: string;
  source?: PriceSource;
  quality?: PriceQuality;
}

interface Tick {
  tickId: string;
  asOf: string;
  prices: Record<string, number>;
  /** Source, quality and tick of each price, shown beside each exposure. */
  provenance?: Record<string, ProvenancedPrice>;
}

/** The alert for a portfolio left unvalued at a tick; the same content always yields the same id. */
export function portfolioNotValuedAlert(
  portfolioId: string,
  tick: Pick<Tick, 'tickId' | 'asOf'>,
  unpriced: string[],
  maxPriceAgeMinutes: number,
  deskId?: string,
): PriceAlert {
  const assets = [...new Set(unpriced)].sort();
  return {
    alertId: contentId('pa', tick.tickId, portfolioId, 'PORTFOLIO_NOT_VALUED', assets.join(',')),
    tickId: tick.tickId,
    asOf: tick.asOf,
    asset: assets.join(','),
    kind: 'PORTFOLIO_NOT_VALUED',
    portfolioId,
    // Not part of the id: the desk is who may read it, not what happened.
    ...(deskId ? { deskId } : {}),
    reasons: assets.map((a) => `${a}: no price at this tick (none, or older than ${maxPriceAgeMinutes} min)`),
  };
}

function previousDay(iso: string): string {
  return new Date(Date.parse(iso.slice(0, 10)) - 86_400_000).toISOString().slice(0, 10);
}

function withProvenance<E extends { asset: string }>(e: E, p: ProvenancedPrice | undefined) {
  return {
    ...e,
    ...(p?.source ? { source: p.source } : {}),
    ...(p?.quality ? { quality: p.quality } : {}),
    ...(p?.asOf ? { priceAsOf: p.asOf } : {}),
  };
}

/** Values, scores and risks a batch of portfolios at one tick; publishes and records the results. */
export async function evaluateBatch(
  deps: RiskDeps,
  portfolios: PortfolioDoc[],
  tick: Tick,
  shard: number | null = null,
): Promise<PortfolioRisk[]> {
  const { logger, config } = deps;
  const valued: { doc: PortfolioDoc; msg: Omit<PortfolioRisk, 'metrics'>; exposures: Exposure[] }[] = [];
  const notValued: PriceAlert[] = [];
  for (const doc of portfolios) {
    const missing = [...new Set(doc.positions.map((p) => p.asset))].filter(
      (a) => tick.prices[a] === undefined,
    );
    if (missing.length) {
      const alert = portfolioNotValuedAlert(
        doc.portfolioId,
        tick,
        missing,
        config.maxPriceAgeMinutes,
        deskOf(doc.deskId),
      );
      logger.warn('portfolio skipped: no current price', {
        portfolioId: doc.portfolioId,
        assets: missing,
        tickId: tick.tickId,
        alertId: alert.alertId,
      });
      notValued.push(alert);
      continue;
    }
    const v = valuePortfolio(doc.positions, tick.prices);
    const msg: Omit<PortfolioRisk, 'metrics'> = {
      portfolioId: doc.portfolioId,
      deskId: deskOf(doc.deskId),
      tickId: tick.tickId,
      asOf: tick.asOf,
      positionsUpdatedAt: doc.updatedAt,
      collateralUsd: v.collateralUsd,
      borrowUsd: v.borrowUsd,
      healthScore: v.healthScore,
      exposures: v.exposures.map((e) => withProvenance(e, tick.provenance?.[e.asset])),
      liquidationPrices: liquidationPrices(doc.positions, tick.prices, config.thresholds),
      risk: null,
    };
    valued.push({ doc, msg, exposures: v.exposures.map((e) => ({ asset: e.asset, netUsd: e.netUsd })) });
  }
  // Before anything else can fail: a redelivery publishes the same alert ids again, which the fan-out absorbs.
  await Promise.all(
    notValued.map((a) =>
      deps.bus.publish('alerts.prices.v1', a, {
        attributes: { alertId: a.alertId, tickId: a.tickId, kind: a.kind, portfolioId: a.portfolioId ?? '' },
      }),
    ),
  );
  if (valued.length === 0) return [];

  // VaR/ES: one engine for the batch over every asset it holds, history up to the last completed day.
  const assets = [...new Set(valued.flatMap((x) => x.exposures.map((e) => e.asset)))].sort();
  const riskAsOf = previousDay(tick.asOf);
  // The same history serves the drawdowns, even when it is too short for the VaR lookback.
  let history: PriceHistory | null = null;
  let engine: RiskEngine | undefined;
  try {
    history = await loadHistory(deps.store, assets, tick.asOf);
    engine = new RiskEngine(history, config.riskParams, riskAsOf);
    // Per engine, not per portfolio: the flag on each output says whose VaR it touched.
    logHistoryGaps(logger, engine, deps.store, new Date(tick.asOf));
  } catch (err) {
    logger.warn('risk history unavailable for this batch; publishing valuation without VaR', {
      tickId: tick.tickId,
      detail: (err as Error).message,
    });
  }
  if (engine) {
    const usable = new Set(engine.assets);
    const eligible = valued.filter((x) => x.exposures.every((e) => e.netUsd === 0 || usable.has(e.asset)));
    // Not silently: the portfolios holding such an asset are published with risk null.
    const held = new Set(
      valued.flatMap((x) => x.exposures.filter((e) => e.netUsd !== 0).map((e) => e.asset)),
    );
    for (const asset of [...held].filter((a) => !usable.has(a)).sort())
      logger.warn('asset unusable for VaR; portfolios holding it are published without VaR', {
        asset,
        tickId: tick.tickId,
        detail: engine.unusableReason(asset),
      });
    const figures = engine.evaluateBatch(eligible.map((x) => x.exposures));
    eligible.forEach((x, i) => {
      // The missing closes VaR was computed around, of the assets this portfolio holds (README: Missing daily closes).
      const historyGaps = engine.gapsOf(x.exposures);
      x.msg.risk = {
        lookbackDays: config.riskParams.lookbackDays,
        scenarios: engine.scenarioCount,
        historyEnd: engine.historyEnd,
        quantileMethod: config.riskParams.quantileMethod,
        horizonMethod: config.riskParams.horizonMethod,
        ...(historyGaps.length ? { historyGaps } : {}),
        figures: figures[i],
      };
    });
  }

  const results: PortfolioRisk[] = valued.map(({ doc, msg }) => ({
    ...msg,
    metrics: metricsOf(deps, doc, tick, msg.risk?.figures ?? null, history, riskAsOf),
  }));

  const rows: TableRows['risk.portfolio_exposures'][] = [];
  for (const msg of results) {
    const var99 = msg.risk?.figures.find((f) => f.confidence === 0.99 && f.horizonDays === 1)?.varUsd ?? null;
    const es975 = msg.risk?.figures.find((f) => f.confidence === 0.975 && f.horizonDays === 1)?.esUsd ?? null;
    for (const e of msg.exposures) {
      rows.push({
        row_id: `${msg.portfolioId}:${msg.tickId}:${e.asset}`,
        portfolio_id: msg.portfolioId,
        tick_id: msg.tickId,
        as_of: msg.asOf,
        asset: e.asset,
        price_usd: e.priceUsd,
        net_amount: e.netAmount,
        net_exposure_usd: e.netUsd,
        collateral_usd: msg.collateralUsd,
        borrow_usd: msg.borrowUsd,
        health_score: msg.healthScore,
        var_99_1d_usd: var99,
        es_975_1d_usd: es975,
      });
    }
  }
  const batches: PortfolioRisk[][] = [];
  for (let i = 0; i < results.length; i += RISK_BATCH_SIZE)
    batches.push(results.slice(i, i + RISK_BATCH_SIZE));
  // The margin path first: rows written alongside would hold the publish back (building a warehouse request is
  // work on this thread), and a warehouse outage must not stop margin calls. The invocation still fails (and is
  // redelivered, idempotently on both sides) if either does.
  await Promise.all(
    batches.map((portfolios) =>
      deps.bus.publish(
        'risk.portfolio-risk.v1',
        { tickId: tick.tickId, asOf: tick.asOf, shard, portfolios } satisfies PortfolioRiskBatch,
        { attributes: { tickId: tick.tickId, shard: String(shard ?? '') } },
      ),
    ),
  );
  await Promise.all([
    deps.warehouse.insert('risk.portfolio_exposures', rows),
    recordRiskDetail(
      deps.warehouse,
      results,
      valued.map((x) => x.doc.updatedAt),
    ),
  ]);
  return results;
}

/**
 * The metrics of one valued portfolio. A metric that throws must not cost the portfolio its valuation, which
 * margin calls run on: the error is logged and the metrics are recomputed from the valuation alone (no
 * drawdown, no tail shares; `degraded` says why) rather than published as nothing. No alert is raised: the
 * portfolio is valued, and an error log is what operators watch for a bug. computeRiskMetrics throws only on
 * input valuePortfolio refuses, which the valuation already passed, so the second call does not throw.
 */
function metricsOf(
  deps: RiskDeps,
  doc: PortfolioDoc,
  tick: Tick,
  figures: MetricsInput['figures'],
  history: PriceHistory | null,
  historyEnd: string,
): RiskMetrics {
  const input: MetricsInput = {
    positions: doc.positions,
    prices: tick.prices,
    figures,
    history,
    drawdownWindowDays: deps.config.drawdownWindowDays,
    historyEnd,
  };
  try {
    return computeRiskMetrics(input);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    deps.logger.error('risk metrics failed; publishing those the valuation alone gives', {
      portfolioId: doc.portfolioId,
      tickId: tick.tickId,
      detail,
    });
    const basic = computeRiskMetrics({ ...input, figures: null, history: null, drawdownWindowDays: 1 });
    return { ...basic, degraded: detail.slice(0, 500) };
  }
}

/**
 * Every VaR/ES confidence × horizon, every liquidation price and the metrics, one insert per table. Row ids
 * name portfolio, tick and positions version, so a redelivery rewrites nothing while a revaluation after a
 * position change at the same tick is kept as its own row.
 */
async function recordRiskDetail(
  warehouse: Warehouse,
  results: PortfolioRisk[],
  positionsUpdatedAt: string[],
): Promise<void> {
  const figureRows: TableRows['risk.portfolio_risk_figures'][] = [];
  const liquidationRows: TableRows['risk.liquidation_prices'][] = [];
  const metricRows: TableRows['risk.portfolio_metrics'][] = [];
  results.forEach((msg, i) => {
    const m = msg.metrics;
    const key = `${msg.portfolioId}:${msg.tickId}:${positionsUpdatedAt[i]}`;
    const common = {
      portfolio_id: msg.portfolioId,
      desk_id: msg.deskId,
      tick_id: msg.tickId,
      as_of: msg.asOf,
      positions_updated_at: positionsUpdatedAt[i],
    };
    const risk = msg.risk;
    const gaps = risk?.historyGaps?.map((g) => `${g.asset}:${g.date}`).join(',') || null;
    risk?.figures.forEach((f, j) => {
      // tailShares follow the figures' order; degraded metrics have none.
      const share = m.tailShares[j];
      figureRows.push({
        row_id: `${key}:${f.confidence}:${f.horizonDays}`,
        ...common,
        confidence: f.confidence,
        horizon_days: f.horizonDays,
        var_usd: f.varUsd,
        es_usd: f.esUsd,
        var_share_of_equity: share?.varShare ?? null,
        es_share_of_equity: share?.esShare ?? null,
        lookback_days: risk.lookbackDays,
        scenarios: risk.scenarios,
        history_end: risk.historyEnd ?? null,
        quantile_method: risk.quantileMethod,
        horizon_method: risk.horizonMethod,
        history_gaps: gaps,
      });
    });
    const prices = new Map(msg.exposures.map((e) => [e.asset, e.priceUsd]));
    for (const l of msg.liquidationPrices) {
      liquidationRows.push({
        row_id: `${key}:${l.asset}:${l.side}`,
        ...common,
        asset: l.asset,
        side: l.side,
        price_usd: prices.get(l.asset) as number, // every position's asset has an exposure
        liquidation_price_usd: l.priceUsd,
      });
    }
    metricRows.push({
      row_id: key,
      ...common,
      collateral_usd: m.collateralUsd,
      borrow_usd: m.borrowUsd,
      equity_usd: m.equityUsd,
      equity_state: m.equityState,
      health_score: m.healthScore,
      leverage: m.leverage,
      collateral_concentration_asset: m.concentration.collateral?.asset ?? null,
      collateral_concentration_share: m.concentration.collateral?.share ?? null,
      gross_concentration_asset: m.concentration.gross?.asset ?? null,
      gross_concentration_share: m.concentration.gross?.share ?? null,
      drawdown_current: m.drawdown?.current ?? null,
      drawdown_max: m.drawdown?.max ?? null,
      drawdown_peak_usd: m.drawdown?.peakUsd ?? null,
      drawdown_trough_usd: m.drawdown?.troughUsd ?? null,
      drawdown_window_days: m.drawdown?.windowDays ?? null,
      drawdown_unavailable: m.drawdownUnavailable ?? null,
      degraded: m.degraded ?? null,
    });
  });
  await Promise.all([
    warehouse.insert('risk.portfolio_risk_figures', figureRows),
    warehouse.insert('risk.liquidation_prices', liquidationRows),
    warehouse.insert('risk.portfolio_metrics', metricRows),
  ]);
}
