/**
 * The pre-trade decision, as one pure function: the portfolio as it would be after the action (and after the
 * actions already approved but not yet seen in a position update), valued at current prices, its metrics
 * evaluated against the pre-trade rules, and the kill switch. One decision path, so every denial names its
 * reasons the same way.
 *
 * Fails closed: anything that keeps the check from knowing — no policy, an unknown portfolio, a missing or
 * stale price, a stop state not confirmed recently, a metric a hard rule needs but that cannot be computed,
 * an exception anywhere — is a denial with its reason. Risk-reducing actions (repay, add collateral) are
 * approved in every state and without prices: they cannot add risk, and customers must be able to reduce
 * risk in a crash.
 */
import { contentId } from '../ids';
import { compareHistoryGaps, type HistoryGap, type RiskFigure } from '../risk/engine';
import type { PriceHistory } from '../risk/history';
import type { Position } from '../risk/margin';
import { computeRiskMetrics, type RiskMetrics } from './metrics';
import {
  evaluateRules,
  mostSpecific,
  policiesFor,
  resolveRules,
  type RiskPolicy,
  type ScopedRule,
  type Violation,
} from './policy';
import { effectiveStop, type StopRecord, type StopState } from './stops';

export const ACTIONS = ['borrow', 'withdraw', 'swapCollateral', 'trade', 'repay', 'addCollateral'] as const;
export type Action = (typeof ACTIONS)[number];

/** Actions that cannot add risk: approved in every stop state and without prices. */
export const RISK_REDUCING: ReadonlySet<Action> = new Set<Action>(['repay', 'addCollateral']);

export interface PreTradeRequest {
  requestId: string;
  portfolioId: string;
  action: Action;
  /** borrow, repay: the borrowed asset; withdraw, addCollateral: the collateral; swapCollateral: the asset
   * given up; trade: the asset borrowed and sold. */
  asset: string;
  amount: number;
  /** swapCollateral and trade: the collateral received. */
  toAsset?: string;
  toAmount?: number;
}

export interface PricePoint {
  priceUsd: number;
  asOf: string;
}

export interface PortfolioState {
  portfolioId: string;
  deskId: string;
  positions: Position[];
}

export interface PreTradeContext {
  now: Date;
  portfolio: PortfolioState | null;
  /** Approved actions on this portfolio not yet carried by a position update. */
  reserved: readonly PreTradeRequest[];
  prices: ReadonlyMap<string, PricePoint>;
  /** null: the policies could not be read (or none valid was ever loaded). */
  policies: readonly RiskPolicy[] | null;
  stops: ReadonlyMap<string, StopRecord>;
  /** When the stop state was last confirmed from the store; null if never. */
  stopsConfirmedAt: Date | null;
  stopsMaxStalenessMs: number;
  /** VaR/ES of net USD exposures, from the engine; called only when a rule needs it. May throw. */
  tail?: (exposures: { asset: string; netUsd: number }[]) => RiskFigure[];
  /** The missing daily closes the engine computed VaR around, of the assets these exposures hold. */
  tailGaps?: (exposures: { asset: string; netUsd: number }[]) => HistoryGap[];
  history?: PriceHistory | null;
  drawdownWindowDays?: number;
}

export const DENIAL_CODES = [
  'STOPPED',
  'HARD_LIMIT',
  'EMERGENCY_LIMIT',
  'PORTFOLIO_UNKNOWN',
  'PRICE_MISSING',
  'PRICE_STALE',
  'POLICY_UNAVAILABLE',
  'STOP_STATE_UNCONFIRMED',
  'METRIC_UNAVAILABLE',
  'INVALID_ACTION',
  'EVALUATION_ERROR',
  /** The portfolio, its reservations or the decision record could not be read or written. */
  'STORE_UNAVAILABLE',
] as const;
export type DenialCode = (typeof DENIAL_CODES)[number];

export interface DenialReason {
  code: DenialCode;
  message: string;
}

export interface PreTradeDecision {
  decisionId: string;
  requestId: string;
  portfolioId: string;
  deskId: string | null;
  action: Action;
  decision: 'APPROVE' | 'DENY';
  riskReducing: boolean;
  reasons: DenialReason[];
  /** Hard and emergency rules broken by the action (the denial's detail). */
  violations: Violation[];
  /** Soft rules broken, and hard ones the portfolio already broke that the action does not worsen. */
  warnings: Violation[];
  stop: { state: StopState; scopeKey: string | null; engagedBy: string | null; reason: string | null };
  post: { healthScore: number | null; leverage: number | null; equityUsd: number } | null;
  decidedAt: string;
  /** When VaR/ES was evaluated: the missing closes it was computed around, of assets held before or after. */
  historyGaps?: HistoryGap[];
}

class Denied extends Error {
  constructor(readonly reasons: DenialReason[]) {
    super(reasons.map((r) => r.message).join('; '));
  }
}

function deny(code: DenialCode, message: string): never {
  throw new Denied([{ code, message }]);
}

/** Positions after the action; throws INVALID_ACTION for a withdrawal or swap of more than is held. */
export function applyAction(positions: readonly Position[], req: PreTradeRequest): Position[] {
  const book = new Map<string, number>();
  const key = (side: Position['side'], asset: string) => `${side}\u0000${asset}`;
  for (const p of positions) book.set(key(p.side, p.asset), (book.get(key(p.side, p.asset)) ?? 0) + p.amount);
  const add = (side: Position['side'], asset: string, amount: number) =>
    book.set(key(side, asset), (book.get(key(side, asset)) ?? 0) + amount);
  const take = (side: Position['side'], asset: string, amount: number, clamp: boolean) => {
    const held = book.get(key(side, asset)) ?? 0;
    if (amount > held && !clamp)
      deny(
        'INVALID_ACTION',
        `${req.action} of ${amount} ${asset} exceeds the ${held} ${asset} held as ${side}`,
      );
    book.set(key(side, asset), Math.max(0, held - amount));
  };
  const to = () => {
    if (req.toAsset === undefined || req.toAmount === undefined)
      deny('INVALID_ACTION', `${req.action} needs toAsset and toAmount`);
    return { asset: req.toAsset, amount: req.toAmount };
  };
  switch (req.action) {
    case 'borrow':
      add('borrow', req.asset, req.amount);
      break;
    case 'withdraw':
      take('collateral', req.asset, req.amount, false);
      break;
    case 'swapCollateral': {
      const t = to();
      take('collateral', req.asset, req.amount, false);
      add('collateral', t.asset, t.amount);
      break;
    }
    case 'trade': {
      const t = to();
      add('borrow', req.asset, req.amount);
      add('collateral', t.asset, t.amount);
      break;
    }
    case 'repay':
      take('borrow', req.asset, req.amount, true);
      break;
    case 'addCollateral':
      add('collateral', req.asset, req.amount);
      break;
  }
  const out: Position[] = [];
  for (const [k, amount] of book) {
    const [side, asset] = k.split('\u0000') as [Position['side'], string];
    if (amount > 0) out.push({ asset, side, amount });
  }
  return out;
}

function assetsOf(positions: readonly Position[], req: PreTradeRequest): string[] {
  const s = new Set(positions.map((p) => p.asset));
  s.add(req.asset);
  if (req.toAsset) s.add(req.toAsset);
  return [...s].sort();
}

function currentPrices(
  ctx: PreTradeContext,
  assets: string[],
  maxAgeSeconds: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of assets) {
    const p = ctx.prices.get(a);
    if (!p || !(p.priceUsd > 0) || !Number.isFinite(p.priceUsd)) deny('PRICE_MISSING', `no price for ${a}`);
    const age = (ctx.now.getTime() - Date.parse(p.asOf)) / 1000;
    if (!(age <= maxAgeSeconds))
      deny('PRICE_STALE', `the ${a} price is ${Math.round(age)} s old (bound ${maxAgeSeconds} s)`);
    out[a] = p.priceUsd;
  }
  return out;
}

const needsTail = (rules: readonly ScopedRule[]) =>
  rules.some((r) => ['varUsd', 'esUsd', 'varShareOfEquity', 'esShareOfEquity'].includes(r.rule.metric));
const needsHistory = (rules: readonly ScopedRule[]) =>
  rules.some((r) => r.rule.metric === 'drawdown' || r.rule.metric === 'maxDrawdown');

function metricsOf(
  ctx: PreTradeContext,
  rules: readonly ScopedRule[],
  positions: Position[],
  prices: Record<string, number>,
): { metrics: RiskMetrics; figures: RiskFigure[] | null; gaps: HistoryGap[] } {
  const base = computeRiskMetrics({ positions, prices, figures: null, history: null, drawdownWindowDays: 1 });
  let figures: RiskFigure[] | null = null;
  let gaps: HistoryGap[] = [];
  if (needsTail(rules) && ctx.tail) {
    const exposures = base.notional.map((n) => ({ asset: n.asset, netUsd: n.netUsd }));
    figures = ctx.tail(exposures);
    gaps = ctx.tailGaps?.(exposures) ?? [];
  }
  if (!figures && !needsHistory(rules)) return { metrics: base, figures, gaps };
  const metrics = computeRiskMetrics({
    positions,
    prices,
    figures,
    history: needsHistory(rules) ? (ctx.history ?? null) : null,
    drawdownWindowDays: ctx.drawdownWindowDays ?? 30,
  });
  return { metrics, figures, gaps };
}

/** The gaps of both sides, once each, by asset then date. */
function mergeGaps(a: HistoryGap[], b: HistoryGap[]): HistoryGap[] {
  const byKey = new Map<string, HistoryGap>();
  for (const g of [...a, ...b]) byKey.set(`${g.asset}:${g.date}`, g);
  return [...byKey.values()].sort(compareHistoryGaps);
}

function sameBreach(a: Violation, b: Violation): boolean {
  return a.policyId === b.policyId && a.ruleId === b.ruleId && a.asset === b.asset;
}

/** True when the action leaves a rule's metric no worse than it was (for the rule's direction). */
function notWorse(before: Violation, after: Violation): boolean {
  const v = (x: Violation) => (x.value === null ? Number.POSITIVE_INFINITY : x.value);
  return after.operator === '<' || after.operator === '<=' ? v(after) >= v(before) : v(after) <= v(before);
}

/** Does the action take no risk on: no more borrowed, health no lower, tail risk no higher? */
function reducesRisk(
  pre: { metrics: RiskMetrics; figures: RiskFigure[] | null },
  post: { metrics: RiskMetrics; figures: RiskFigure[] | null },
): boolean {
  const h = (m: RiskMetrics) => m.healthScore ?? Number.POSITIVE_INFINITY;
  if (post.metrics.borrowUsd > pre.metrics.borrowUsd || h(post.metrics) < h(pre.metrics)) return false;
  const worst = (f: RiskFigure[] | null) => (f && f.length ? Math.max(...f.map((x) => x.varUsd)) : null);
  const a = worst(pre.figures);
  const b = worst(post.figures);
  return a === null || b === null || b <= a;
}

/** Decides one request. Never throws: every failure is a denial with its reason. */
export function decidePreTrade(req: PreTradeRequest, ctx: PreTradeContext): PreTradeDecision {
  const riskReducing = RISK_REDUCING.has(req.action);
  const decision: PreTradeDecision = {
    decisionId: contentId('ptd', req.requestId),
    requestId: req.requestId,
    portfolioId: req.portfolioId,
    deskId: ctx.portfolio?.deskId ?? null,
    action: req.action,
    decision: 'DENY',
    riskReducing,
    reasons: [],
    violations: [],
    warnings: [],
    stop: { state: 'ACTIVE', scopeKey: null, engagedBy: null, reason: null },
    post: null,
    decidedAt: ctx.now.toISOString(),
  };
  try {
    if (!(Number.isFinite(req.amount) && req.amount > 0))
      deny('INVALID_ACTION', `amount ${req.amount} must be a positive number`);
    if (ctx.portfolio) {
      const stop = effectiveStop(ctx.stops, ctx.portfolio);
      decision.stop = {
        state: stop.state,
        scopeKey: stop.imposedBy?.scopeKey ?? null,
        engagedBy: stop.imposedBy?.changedBy ?? null,
        reason: stop.imposedBy?.reason ?? null,
      };
    }
    if (riskReducing) {
      decision.decision = 'APPROVE';
      return decision;
    }
    if (
      ctx.stopsConfirmedAt === null ||
      ctx.now.getTime() - ctx.stopsConfirmedAt.getTime() > ctx.stopsMaxStalenessMs
    )
      deny('STOP_STATE_UNCONFIRMED', 'the kill-switch state could not be confirmed recently');
    if (decision.stop.state === 'HALTED')
      deny(
        'STOPPED',
        `${decision.stop.scopeKey} is HALTED by ${decision.stop.engagedBy}: ${decision.stop.reason}`,
      );
    if (!ctx.policies) deny('POLICY_UNAVAILABLE', 'no valid risk policy is loaded');
    if (!ctx.portfolio) deny('PORTFOLIO_UNKNOWN', `portfolio ${req.portfolioId} is unknown`);
    const portfolio = ctx.portfolio;
    const inForce = policiesFor(ctx.policies, portfolio, ctx.now);
    const rules = resolveRules(inForce, 'pre-trade');
    const maxAge = mostSpecific(inForce, 'prices')?.maxAgeSeconds ?? 180;

    const before = ctx.reserved
      .filter((r) => r.portfolioId === req.portfolioId)
      .reduce((p, r) => applyAction(p, r), portfolio.positions);
    const after = applyAction(before, req);
    const prices = currentPrices(ctx, assetsOf(before, req), maxAge);
    const pre = metricsOf(ctx, rules, before, prices);
    const post = metricsOf(ctx, rules, after, prices);
    const historyGaps = mergeGaps(pre.gaps, post.gaps);
    if (historyGaps.length) decision.historyGaps = historyGaps;
    decision.post = {
      healthScore: post.metrics.healthScore,
      leverage: post.metrics.leverage,
      equityUsd: post.metrics.equityUsd,
    };
    if (decision.stop.state === 'REDUCING' && !reducesRisk(pre, post))
      deny(
        'STOPPED',
        `${decision.stop.scopeKey} is REDUCING (only risk-reducing actions pass): ${decision.stop.reason}`,
      );

    const preEval = evaluateRules(pre.metrics, pre.figures, rules);
    const postEval = evaluateRules(post.metrics, post.figures, rules);
    const reasons: DenialReason[] = [];
    for (const u of postEval.unevaluated) {
      if (u.kind !== 'soft')
        reasons.push({
          code: 'METRIC_UNAVAILABLE',
          message: `${u.policyId}/${u.ruleId}: ${u.metric} unavailable (${u.reason})`,
        });
    }
    for (const v of postEval.violations) {
      const already = preEval.violations.find((b) => sameBreach(b, v));
      if (v.kind === 'soft' || (already && notWorse(already, v))) {
        decision.warnings.push(v);
        continue;
      }
      decision.violations.push(v);
      reasons.push({
        code: v.kind === 'emergency' ? 'EMERGENCY_LIMIT' : 'HARD_LIMIT',
        message: `${v.policyId}/${v.ruleId}: ${v.metric}${v.asset ? `[${v.asset}]` : ''} ${
          v.value === null ? (v.valueState ?? 'not a number') : v.value
        } ${v.operator} ${v.threshold}`,
      });
    }
    if (reasons.length) throw new Denied(reasons);
    decision.decision = 'APPROVE';
    return decision;
  } catch (err) {
    decision.decision = 'DENY';
    decision.reasons =
      err instanceof Denied
        ? err.reasons
        : [{ code: 'EVALUATION_ERROR', message: `the check failed: ${(err as Error).message}` }];
    return decision;
  }
}

/** Did the denial come from a hard rule (the breaker counts those)? */
export function isHardDenial(d: PreTradeDecision): boolean {
  return (
    d.decision === 'DENY' && d.reasons.some((r) => r.code === 'HARD_LIMIT' || r.code === 'EMERGENCY_LIMIT')
  );
}
