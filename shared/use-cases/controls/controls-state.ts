/**
 * What a checkRisk instance decides with, held in memory so the hot path reads no database for it: the policies
 * (PolicyCache, re-read every few seconds), the kill-switch state (polled every 200 ms; a stop engaged anywhere
 * reaches this instance within one poll), the latest prices (the market state document computePortfolioRisk
 * keeps, polled every second) and the VaR engine over the daily closes (rebuilt rarely). Each piece carries
 * when it was last confirmed, and the decision fails closed when one is too old: the stop state after
 * `stopsMaxStalenessMs`, a price after its policy's `prices.maxAgeSeconds`, the policies after PolicyCache's
 * maxAgeMs. Timers are unref()ed so they never keep a process alive; start() and stop() belong to the wiring
 * and to tests.
 */
import type { RiskPolicy } from '../../domain/controls/policy';
import type { PreTradeContext, PricePoint } from '../../domain/controls/pre-trade';
import type { StopRecord } from '../../domain/controls/stops';
import type { RiskComputeConfig } from '../../domain/risk/config';
import { RiskEngine } from '../../domain/risk/engine';
import type { PriceHistory } from '../../domain/risk/history';
import type { Clock } from '../../ports/clock';
import type { DocumentStore } from '../../ports/document-store';
import type { Logger } from '../../ports/logger';
import { MARKET_STATE, type MarketState } from '../market-state';
import { loadHistory, logHistoryGaps } from '../risk-history';
import { readStops } from './controls-store';
import { PolicyCache } from './policy-cache';

/** `work`'s result if it settles within `ms`, else `fallback()` (the work goes on in the background). */
async function within<T>(work: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback()), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ControlsStateOptions {
  stopsPollMs?: number;
  stopsMaxStalenessMs?: number;
  pricesPollMs?: number;
  policyRefreshMs?: number;
  /** How often the daily closes are re-read and the VaR engine rebuilt (they change once a day). */
  historyRefreshMs?: number;
  risk: Pick<RiskComputeConfig, 'riskParams' | 'drawdownWindowDays'>;
}

/** The in-memory part of a PreTradeContext. */
export type ControlsSnapshot = Omit<PreTradeContext, 'now' | 'portfolio' | 'reserved'>;

export class ControlsState {
  readonly policyCache: PolicyCache;
  private stops = new Map<string, StopRecord>();
  private stopsConfirmedAt: Date | null = null;
  private prices = new Map<string, PricePoint>();
  private pricesReadAt = Number.NEGATIVE_INFINITY;
  private stopsInFlight: Promise<void> | null = null;
  private pricesInFlight: Promise<void> | null = null;
  private history: PriceHistory | null = null;
  private engine: RiskEngine | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly stopsPollMs: number;
  private readonly stopsMaxStalenessMs: number;
  private readonly pricesPollMs: number;
  private readonly policyRefreshMs: number;
  private readonly historyRefreshMs: number;

  constructor(
    private readonly store: DocumentStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: ControlsStateOptions,
  ) {
    this.stopsPollMs = options.stopsPollMs ?? 200;
    this.stopsMaxStalenessMs = options.stopsMaxStalenessMs ?? 1000;
    this.pricesPollMs = options.pricesPollMs ?? 1000;
    this.policyRefreshMs = options.policyRefreshMs ?? 10_000;
    this.historyRefreshMs = options.historyRefreshMs ?? 3_600_000;
    this.policyCache = new PolicyCache(store, clock, logger, { refreshMs: this.policyRefreshMs });
  }

  /** Loads everything once, then keeps it fresh on timers. */
  async start(): Promise<void> {
    await this.refreshAll();
    const every = (ms: number, fn: () => Promise<void>) => {
      let running = false;
      const t = setInterval(() => {
        // A slow read must not pile up reads behind it.
        if (running) return;
        running = true;
        void fn().finally(() => (running = false));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.stopsPollMs, () => this.pollStops());
    every(this.pricesPollMs, () => this.pollPrices());
    // Half the refresh period: the cache is never due when a request asks, so a request never waits for a read.
    every(Math.max(1, Math.floor(this.policyRefreshMs / 2)), () => this.policyCache.refresh());
    every(this.historyRefreshMs, () => this.refreshHistory());
  }

  stop(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
  }

  async refreshAll(): Promise<void> {
    await Promise.all([this.pollStops(), this.pollPrices(), this.policyCache.refresh()]);
    await this.refreshHistory();
  }

  /** Never throws: a failed poll leaves stopsConfirmedAt as it was, so the state ages into a denial. */
  pollStops(): Promise<void> {
    this.stopsInFlight ??= this.readStops().finally(() => (this.stopsInFlight = null));
    return this.stopsInFlight;
  }

  pollPrices(): Promise<void> {
    this.pricesInFlight ??= this.readPrices().finally(() => (this.pricesInFlight = null));
    return this.pricesInFlight;
  }

  private async readStops(): Promise<void> {
    const asked = this.clock.now();
    try {
      this.stops = await readStops(this.store);
      // Confirmed as of when the read was issued: the state cannot be older than that.
      this.stopsConfirmedAt = asked;
    } catch (err) {
      this.logger.warn('kill-switch state could not be read', { detail: (err as Error).message });
    }
  }

  private async readPrices(): Promise<void> {
    const asked = this.clock.now().getTime();
    try {
      const market = await this.store.get<MarketState>(MARKET_STATE.collection, MARKET_STATE.id);
      const next = new Map<string, PricePoint>();
      for (const [asset, p] of Object.entries(market?.prices ?? {}))
        next.set(asset, { priceUsd: p.priceUsd, asOf: p.asOf });
      this.prices = next;
      this.pricesReadAt = asked;
    } catch (err) {
      // The prices kept carry their own asOf: they age into PRICE_STALE denials on their own.
      this.logger.warn('latest prices could not be read', { detail: (err as Error).message });
    }
  }

  /** Rebuilds the VaR engine over every priced asset; without one, VaR/ES rules deny (METRIC_UNAVAILABLE). */
  async refreshHistory(): Promise<void> {
    const assets = [...this.prices.keys()].sort();
    if (assets.length === 0) return;
    try {
      const history = await loadHistory(this.store, assets);
      const asOf = new Date(this.clock.now().getTime() - 86_400_000).toISOString().slice(0, 10);
      this.history = history;
      this.engine = new RiskEngine(history, this.options.risk.riskParams, asOf);
      logHistoryGaps(this.logger, this.engine, this.store, this.clock.now());
    } catch (err) {
      this.logger.warn('risk history unavailable; VaR/ES rules will deny', {
        detail: (err as Error).message,
      });
      this.engine = null;
    }
  }

  /**
   * The state a decision uses. Normally no read: the timers keep it fresh. But an instance whose CPU is throttled
   * between requests runs no timers while idle, so a piece about to exceed its bound is read now (one read shared
   * by concurrent requests) rather than denying the first request after a quiet spell.
   */
  async snapshot(): Promise<ControlsSnapshot> {
    const now = this.clock.now().getTime();
    const due: Promise<void>[] = [];
    if (
      this.stopsConfirmedAt === null ||
      now - this.stopsConfirmedAt.getTime() > this.stopsMaxStalenessMs - this.stopsPollMs
    )
      due.push(this.pollStops());
    if (now - this.pricesReadAt > 2 * this.pricesPollMs) due.push(this.pollPrices());
    // A read that hangs (a partition, not an error) must not hold the answer: wait no longer than the stop state
    // stays confirmed, then decide with what is held — stale pieces deny on their own, repay still passes.
    const budgetMs =
      this.stopsConfirmedAt === null
        ? this.stopsMaxStalenessMs
        : Math.max(0, this.stopsConfirmedAt.getTime() + this.stopsMaxStalenessMs - now);
    const policies: RiskPolicy[] | null = await within(
      Promise.all(due).then(() => this.policyCache.current()),
      budgetMs,
      () => this.policyCache.held(),
    );
    const engine = this.engine;
    return {
      prices: this.prices,
      policies,
      stops: this.stops,
      stopsConfirmedAt: this.stopsConfirmedAt,
      stopsMaxStalenessMs: this.stopsMaxStalenessMs,
      tail: engine ? (exposures) => engine.evaluate(exposures) : undefined,
      tailGaps: engine ? (exposures) => engine.gapsOf(exposures) : undefined,
      history: this.history,
      drawdownWindowDays: this.options.risk.drawdownWindowDays,
    };
  }
}
