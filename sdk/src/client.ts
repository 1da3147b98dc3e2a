import { sleep as defaultSleep, type Sleep } from './backoff.js';
import type {
  AlertPage,
  CheckRiskRequest,
  CheckRiskResponse,
  DeskOverview,
  ExposureHistory,
  PortfolioView,
} from './generated/api-types.js';
import { sendWithRetries, type TokenSource, type Transport } from './http.js';
import { AlertSubscription, type SubscribeOptions, type Subscription } from './subscription.js';
import { optionalId, optionalNumberInRange, requireId } from './validate.js';

export interface RiskClientOptions {
  /** riskApi's URL, e.g. http://localhost:8080/riskApi. */
  baseUrl: string;
  /** checkRisk's URL (a separate function), e.g. http://localhost:8080/checkRisk. */
  checkRiskUrl?: string;
  /** `Bearer` token, or a function asked per request and per stream connection (tokens expire). */
  token: TokenSource;
  fetch?: typeof fetch;
  /** Per attempt, body included. Default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt for retryable failures. Default 2. */
  maxRetries?: number;
  /** Source of jitter in [0, 1); injectable for tests. */
  random?: () => number;
  sleep?: Sleep;
}

/** A portfolio's exposure per asset. */
export type PortfolioExposure = Pick<PortfolioView, 'portfolioId' | 'asOf' | 'exposures'>;
/** Margin health with the thresholds in force, liquidation prices, collateral and borrow. */
export type MarginHealthView = Pick<
  PortfolioView,
  'portfolioId' | 'asOf' | 'health' | 'liquidationPrices' | 'collateralUsd' | 'borrowUsd'
>;
/** The VaR/ES table (null before the portfolio has risk figures) with its method and lookback. */
export type VarView = Pick<PortfolioView, 'portfolioId' | 'asOf' | 'risk'>;

export interface ListAlertsOptions {
  deskId?: string;
  portfolioId?: string;
  /** After this position; without it (and without latest), from the oldest alert kept. */
  cursor?: string;
  /** The newest `limit` alerts instead (oldest first), with the cursor to stream from after them. */
  latest?: boolean;
  limit?: number;
}

/** A check whose requestId the SDK generates when omitted (once per call, reused on every retry). */
export type CheckRiskInput = Omit<CheckRiskRequest, 'requestId'> & { requestId?: string };

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function requireUrl(name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^https?:\/\//.test(value)) {
    throw new TypeError(`${name} must be an http(s) URL`);
  }
  return trimSlash(value);
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export class RiskClient {
  private readonly baseUrl: string;
  private readonly checkRiskUrl: string | undefined;
  private readonly transport: Transport;

  constructor(options: RiskClientOptions) {
    this.baseUrl = requireUrl('baseUrl', options.baseUrl);
    this.checkRiskUrl =
      options.checkRiskUrl === undefined ? undefined : requireUrl('checkRiskUrl', options.checkRiskUrl);
    if (typeof options.token !== 'function' && (typeof options.token !== 'string' || !options.token)) {
      throw new TypeError('token must be a non-empty string or a function returning one');
    }
    this.transport = {
      token: options.token,
      // Bound so a browser's fetch is not called with the client as `this` (an Illegal invocation).
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      timeoutMs: optionalNumberInRange('timeoutMs', options.timeoutMs, 1, 600_000) ?? 30_000,
      maxRetries: optionalNumberInRange('maxRetries', options.maxRetries, 0, 10, true) ?? 2,
      random: options.random ?? Math.random,
      sleep: options.sleep ?? defaultSleep,
    };
  }

  private get<T>(path: string): Promise<T> {
    return sendWithRetries<T>(this.transport, { method: 'GET', url: this.baseUrl + path });
  }

  /** Every portfolio of a desk by health, counts per state, collateral at risk under `shock` (default −0.2). */
  async getDeskOverview(deskId: string, options: { shock?: number } = {}): Promise<DeskOverview> {
    const id = encodeURIComponent(requireId('deskId', deskId));
    const shock = optionalNumberInRange('shock', options.shock, -0.99, 0);
    return this.get(`/desks/${id}${query({ shock })}`);
  }

  /** The portfolio's latest state: exposures, margin health, liquidation prices, VaR/ES, metrics. */
  async getPortfolio(portfolioId: string): Promise<PortfolioView> {
    return this.get(`/portfolios/${encodeURIComponent(requireId('portfolioId', portfolioId))}`);
  }

  async getPortfolioExposure(portfolioId: string): Promise<PortfolioExposure> {
    const { asOf, exposures } = await this.getPortfolio(portfolioId);
    return { portfolioId, asOf, exposures };
  }

  async getMarginHealth(portfolioId: string): Promise<MarginHealthView> {
    const { asOf, health, liquidationPrices, collateralUsd, borrowUsd } =
      await this.getPortfolio(portfolioId);
    return { portfolioId, asOf, health, liquidationPrices, collateralUsd, borrowUsd };
  }

  async getVar(portfolioId: string): Promise<VarView> {
    const { asOf, risk } = await this.getPortfolio(portfolioId);
    return { portfolioId, asOf, risk };
  }

  /** The last 24 hours, hour by hour and asset by asset. */
  async getExposureHistory(portfolioId: string): Promise<ExposureHistory> {
    const id = encodeURIComponent(requireId('portfolioId', portfolioId));
    return this.get(`/portfolios/${id}/exposure-history`);
  }

  /** One page of alerts after `cursor`; continue with the page's `cursor`. */
  async listAlerts(options: ListAlertsOptions = {}): Promise<AlertPage> {
    const params = {
      deskId: optionalId('deskId', options.deskId),
      portfolioId: optionalId('portfolioId', options.portfolioId),
      cursor: optionalId('cursor', options.cursor),
      latest: options.latest === undefined ? undefined : String(options.latest === true),
      limit: optionalNumberInRange('limit', options.limit, 1, 500, true),
    };
    if (options.latest === true && options.cursor !== undefined)
      throw new TypeError('latest and cursor exclude each other');
    return this.get(`/alerts${query(params)}`);
  }

  /** Streams alerts from `cursor` (or the oldest kept), reconnecting and resuming by itself until closed. */
  subscribeToAlerts(options: SubscribeOptions): Subscription {
    if (typeof options?.onAlert !== 'function') throw new TypeError('onAlert must be a function');
    const filters = {
      deskId: optionalId('deskId', options.deskId),
      portfolioId: optionalId('portfolioId', options.portfolioId),
    };
    optionalId('cursor', options.cursor);
    optionalNumberInRange('heartbeatTimeoutMs', options.heartbeatTimeoutMs, 1, 3_600_000);
    optionalNumberInRange('backoff.initialMs', options.backoff?.initialMs, 0, 3_600_000);
    optionalNumberInRange('backoff.maxMs', options.backoff?.maxMs, 0, 3_600_000);
    return new AlertSubscription(
      {
        url: `${this.baseUrl}/stream${query(filters)}`,
        token: this.transport.token,
        fetch: this.transport.fetch,
        random: this.transport.random,
        sleep: this.transport.sleep,
      },
      options,
    );
  }

  /**
   * The pre-trade decision (a DENY is an answer, not an error). Retried safely because `requestId` is the
   * idempotency key; a ServiceUnavailableError means "treat as denied, retry later with error.requestId".
   */
  async checkRisk(request: CheckRiskInput): Promise<CheckRiskResponse> {
    if (!this.checkRiskUrl) throw new TypeError('checkRisk needs the checkRiskUrl option');
    requireId('portfolioId', request?.portfolioId);
    requireId('action', request.action);
    requireId('asset', request.asset);
    if (!(typeof request.amount === 'number' && Number.isFinite(request.amount) && request.amount > 0)) {
      throw new TypeError('amount must be a positive number');
    }
    const requestId =
      request.requestId === undefined ? crypto.randomUUID() : requireId('requestId', request.requestId);
    const body: CheckRiskRequest = { ...request, requestId };
    return sendWithRetries<CheckRiskResponse>(this.transport, {
      method: 'POST',
      url: this.checkRiskUrl,
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': requestId },
      body: JSON.stringify(body),
      requestId,
    });
  }
}
