/**
 * riskApi's reads: a desk's overview, a portfolio's latest state, its last 24 hours, and the alerts after a
 * cursor, each authorised per desk. The hot reads come from the views the risk path keeps in Firestore; only
 * the history reads the warehouse. Every body carries its as-of time. The HTTP function (functions/risk-api)
 * authenticates the caller, rate-limits and streams; here the answers are decided.
 */
import type {
  AlertPage,
  ApiError,
  DeskOverview,
  ExposureHistory,
  FeedAlert,
  PortfolioView,
} from '../contracts/schema-types';
import { deskOverview } from '../domain/risk/desk-overview';
import type { ShockSpec } from '../domain/risk/shock';
import type { Principal } from '../ports/caller-identity';
import type { Clock } from '../ports/clock';
import type { DocumentStore } from '../ports/document-store';
import type { Logger } from '../ports/logger';
import type { Warehouse } from '../ports/warehouse';
import {
  ALERT_FEED_RETENTION_DAYS,
  CursorError,
  FEED_SETTLE_MS,
  readAlertFeed,
  readLatestAlerts,
  type FeedEntry,
  type FeedPage,
} from './alert-feed';
import { readDeskViews, readPortfolioView } from './portfolio-views';
import { oneParam, type Query } from '../platform/query-params';
import { warehouseTimestamp } from '../platform/warehouse-rows';

/** Who may read which desk (from configuration). */
export interface DeskAccess {
  /** Reads every desk, and the alerts that belong to none (AML, operations, compliance cases). */
  readsAll(p: Principal): boolean;
  canRead(p: Principal, deskId: string): boolean;
}

export interface RiskApiDeps {
  store: DocumentStore;
  warehouse: Warehouse;
  clock: Clock;
  logger: Logger;
  access: DeskAccess;
  shock: ShockSpec;
  settleMs?: number;
}

export type ApiOutcome<T> =
  { kind: 'ok'; body: T } | { kind: 'error'; status: 400 | 403 | 404 | 410 | 503; body: ApiError };

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
export const MAX_ALERT_PAGE = 500;
const DEFAULT_ALERT_PAGE = 100;
/** Pages scanned for one listAlerts answer when most alerts belong to other desks. */
const MAX_SCANS = 5;

const invalid = (...problems: string[]): ApiOutcome<never> => ({
  kind: 'error',
  status: 400,
  body: { error: 'invalid request', code: 'INVALID_REQUEST', problems },
});
const forbidden = (what: string): ApiOutcome<never> => ({
  kind: 'error',
  status: 403,
  body: { error: `you may not read ${what}`, code: 'FORBIDDEN' },
});
const notFound = (what: string): ApiOutcome<never> => ({
  kind: 'error',
  status: 404,
  body: { error: `${what} not found`, code: 'NOT_FOUND' },
});

export function cursorRefusal(err: CursorError): ApiOutcome<never> {
  return err.code === 'CURSOR_EXPIRED'
    ? { kind: 'error', status: 410, body: { error: err.message, code: 'CURSOR_EXPIRED' } }
    : { kind: 'error', status: 400, body: { error: err.message, code: 'INVALID_CURSOR' } };
}

/** A query parameter given once at most, as text. */
export type { Query };
const one = oneParam;

function checkId(kind: string, id: string | undefined, problems: string[]): void {
  if (id !== undefined && !ID.test(id)) problems.push(`${kind} '${id.slice(0, 140)}' is not a valid id`);
}

export async function getDeskOverview(
  d: RiskApiDeps,
  p: Principal,
  deskId: string,
  q: Query,
): Promise<ApiOutcome<DeskOverview>> {
  const problems: string[] = [];
  checkId('deskId', deskId, problems);
  const raw = one(q, 'shock', problems);
  const fraction = raw === undefined ? d.shock.fraction : Number(raw);
  if (!(Number.isFinite(fraction) && fraction >= -0.99 && fraction <= 0))
    problems.push(`shock must be a number from -0.99 to 0 (got '${String(raw).slice(0, 40)}')`);
  if (problems.length) return invalid(...problems);
  if (!d.access.canRead(p, deskId)) return forbidden(`desk ${deskId}`);
  const views = await readDeskViews(d.store, deskId);
  return { kind: 'ok', body: deskOverview(deskId, views, { ...d.shock, fraction }, d.clock.now()) };
}

/** The portfolio's view, once the caller is known to be allowed its desk. */
async function readableView(
  d: RiskApiDeps,
  p: Principal,
  portfolioId: string,
): Promise<ApiOutcome<PortfolioView>> {
  const problems: string[] = [];
  checkId('portfolioId', portfolioId, problems);
  if (problems.length) return invalid(...problems);
  const view = await readPortfolioView(d.store, portfolioId);
  if (!view) return notFound(`portfolio ${portfolioId}`);
  if (!d.access.canRead(p, view.deskId)) return forbidden(`portfolio ${portfolioId} (desk ${view.deskId})`);
  return { kind: 'ok', body: view };
}

export async function getPortfolio(
  d: RiskApiDeps,
  p: Principal,
  portfolioId: string,
): Promise<ApiOutcome<PortfolioView>> {
  const o = await readableView(d, p, portfolioId);
  if (o.kind !== 'ok') return o;
  // The stored document is the view; anything the store adds is not part of the answer.
  const {
    portfolioId: id,
    deskId,
    tickId,
    asOf,
    positionsUpdatedAt,
    updatedAt,
    collateralUsd,
    borrowUsd,
  } = o.body;
  const { health, exposures, liquidationPrices, risk, metrics } = o.body;
  return {
    kind: 'ok',
    body: {
      portfolioId: id,
      deskId,
      tickId,
      asOf,
      ...(positionsUpdatedAt ? { positionsUpdatedAt } : {}),
      updatedAt,
      collateralUsd,
      borrowUsd,
      health,
      exposures,
      liquidationPrices,
      risk,
      ...(metrics ? { metrics } : {}),
    },
  };
}

interface HistoryRow {
  [key: string]: unknown;
  as_of_hour: unknown;
  asset: string;
  latest_as_of: unknown;
  tick_count: unknown;
  latest_price_usd: unknown;
  latest_net_exposure_usd: unknown;
  min_net_exposure_usd: unknown;
  max_net_exposure_usd: unknown;
  latest_collateral_usd: unknown;
  latest_borrow_usd: unknown;
  latest_health_score: unknown;
}

const iso = warehouseTimestamp;
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export const HISTORY_WINDOW_HOURS = 24;
/**
 * The hourly roll-up (a materialized view) for the 24 hours up to the portfolio's own latest valuation, not up to
 * the wall clock: the same as the rolling view in production, where the two coincide, and still a day of data
 * on the local stack, whose replay is dated in 2020. The bucket bound prunes the view's day partitions.
 */
const HISTORY_SQL =
  'SELECT as_of_hour, asset, latest_as_of, tick_count, latest_price_usd, latest_net_exposure_usd, ' +
  'min_net_exposure_usd, max_net_exposure_usd, latest_collateral_usd, latest_borrow_usd, latest_health_score ' +
  'FROM risk.recent_portfolio_exposures_mv WHERE portfolio_id = @portfolioId ' +
  'AND as_of_hour >= CAST(@fromHour AS TIMESTAMP) AND latest_as_of > CAST(@from AS TIMESTAMP) ' +
  'AND latest_as_of <= CAST(@to AS TIMESTAMP) ORDER BY as_of_hour, asset';

export async function getExposureHistory(
  d: RiskApiDeps,
  p: Principal,
  portfolioId: string,
): Promise<ApiOutcome<ExposureHistory>> {
  const o = await readableView(d, p, portfolioId);
  if (o.kind !== 'ok') return o;
  let rows: HistoryRow[];
  try {
    const to = Date.parse(o.body.asOf);
    const from = to - HISTORY_WINDOW_HOURS * 3_600_000;
    rows = await d.warehouse.query<HistoryRow>(HISTORY_SQL, {
      portfolioId,
      fromHour: new Date(from - 3_600_000).toISOString(),
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
    });
  } catch (err) {
    d.logger.error('exposure history unavailable', { portfolioId, error: err });
    return {
      kind: 'error',
      status: 503,
      body: {
        error: 'the warehouse is unavailable: retry later',
        code: 'UNAVAILABLE',
        retryAfterSeconds: 30,
      },
    };
  }
  const points = rows.map((r) => ({
    hour: iso(r.as_of_hour),
    asset: r.asset,
    latestAsOf: iso(r.latest_as_of),
    tickCount: num(r.tick_count),
    latestPriceUsd: num(r.latest_price_usd),
    latestNetExposureUsd: num(r.latest_net_exposure_usd),
    minNetExposureUsd: num(r.min_net_exposure_usd),
    maxNetExposureUsd: num(r.max_net_exposure_usd),
    latestCollateralUsd: num(r.latest_collateral_usd),
    latestBorrowUsd: num(r.latest_borrow_usd),
    latestHealthScore: numOrNull(r.latest_health_score),
  }));
  const asOf = points.reduce<string | null>(
    (m, x) => (m === null || x.latestAsOf > m ? x.latestAsOf : m),
    null,
  );
  return { kind: 'ok', body: { portfolioId, asOf, windowHours: HISTORY_WINDOW_HOURS, points } };
}

export interface AlertFilter {
  deskId?: string;
  portfolioId?: string;
}

/** Whether the caller may see this alert, and whether it passes the filter. */
export function alertVisible(d: RiskApiDeps, p: Principal, f: AlertFilter, e: FeedEntry): boolean {
  if (f.deskId !== undefined && e.deskId !== f.deskId) return false;
  if (f.portfolioId !== undefined && e.portfolioId !== f.portfolioId) return false;
  return d.access.readsAll(p) || (e.deskId !== null && d.access.canRead(p, e.deskId));
}

/** The answer's form of a recorded alert. */
export function feedAlertOf(e: FeedEntry & { cursor: string }): FeedAlert {
  return {
    cursor: e.cursor,
    alertId: e.alertId,
    source: e.source,
    kind: e.kind,
    severity: e.severity,
    subject: e.subject,
    deskId: e.deskId,
    portfolioId: e.portfolioId,
    recordedAt: e.recordedAt,
    alert: e.alert,
  } as FeedAlert;
}

/** The filter of a request, checked; the desk must be readable by the caller when named. */
export function alertFilter(
  d: RiskApiDeps,
  p: Principal,
  q: Query,
  problems: string[],
): AlertFilter | ApiOutcome<never> {
  const deskId = one(q, 'deskId', problems);
  const portfolioId = one(q, 'portfolioId', problems);
  checkId('deskId', deskId, problems);
  checkId('portfolioId', portfolioId, problems);
  if (problems.length) return invalid(...problems);
  if (deskId !== undefined && !d.access.canRead(p, deskId)) return forbidden(`desk ${deskId}`);
  return { deskId, portfolioId };
}

export function isOutcome<T>(x: unknown): x is ApiOutcome<T> {
  return typeof x === 'object' && x !== null && 'kind' in x;
}

export async function listAlerts(d: RiskApiDeps, p: Principal, q: Query): Promise<ApiOutcome<AlertPage>> {
  const problems: string[] = [];
  const filter = alertFilter(d, p, q, problems);
  if (isOutcome(filter)) return filter;
  const cursorText = one(q, 'cursor', problems);
  const limitText = one(q, 'limit', problems);
  const latest = one(q, 'latest', problems);
  if (latest !== undefined && latest !== 'true' && latest !== 'false')
    problems.push('latest must be true or false');
  if (latest === 'true' && cursorText !== undefined) problems.push('latest and cursor exclude each other');
  const limit = limitText === undefined ? DEFAULT_ALERT_PAGE : Number(limitText);
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= MAX_ALERT_PAGE))
    problems.push(`limit must be a whole number from 1 to ${MAX_ALERT_PAGE}`);
  if (cursorText !== undefined && cursorText.length > 256) problems.push('cursor is too long');
  if (problems.length) return invalid(...problems);
  const settleMs = d.settleMs ?? FEED_SETTLE_MS;
  const readAt = d.clock.now();
  if (latest === 'true') {
    // The newest settled alerts this caller may see: a window of up to MAX_SCANS pages, newest kept.
    const page = await readLatestAlerts({ ...d, settleMs }, limit * MAX_SCANS);
    const visible = page.entries.filter((e) => alertVisible(d, p, filter, e)).map(feedAlertOf);
    return {
      kind: 'ok',
      body: {
        asOf: new Date(readAt.getTime() - settleMs).toISOString(),
        // After the newest alert read, visible or not: what follows is exactly what a stream from here sends.
        cursor: page.cursor,
        retentionDays: ALERT_FEED_RETENTION_DAYS,
        alerts: visible.slice(Math.max(0, visible.length - limit)),
      },
    };
  }
  const alerts: FeedAlert[] = [];
  let cursor = cursorText ?? null;
  try {
    for (let scan = 0; scan < MAX_SCANS && alerts.length < limit; scan++) {
      const page: FeedPage = await readAlertFeed({ ...d, settleMs }, cursor, limit);
      for (const e of page.entries) {
        // Stop at the limit: the cursor must not pass an alert that was not returned.
        if (alerts.length === limit) break;
        if (alertVisible(d, p, filter, e)) alerts.push(feedAlertOf(e));
        cursor = e.cursor;
      }
      if (page.entries.length < limit) break;
    }
  } catch (err) {
    if (err instanceof CursorError) return cursorRefusal(err);
    throw err;
  }
  return {
    kind: 'ok',
    body: {
      asOf: new Date(readAt.getTime() - settleMs).toISOString(),
      cursor,
      retentionDays: ALERT_FEED_RETENTION_DAYS,
      alerts,
    },
  };
}
