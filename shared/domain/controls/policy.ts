/**
 * Risk policies as data: parsing (schema, then the checks a schema cannot express), resolving which rules
 * apply to one portfolio, and evaluating its metrics against them. Pure: the same inputs give the same
 * violations, which is what lets a pre-trade denial and a continuous violation be audited and replayed.
 *
 * Resolution: for each rule key — metric, kind, asset (per-asset metrics), confidence and horizon (VaR/ES) —
 * the rule of the most specific scope wins (portfolio, desk, global; naming an asset is more specific than
 * not), then the higher priority, then the lower policy and rule id (deterministic). Keying by kind keeps a
 * desk's soft warning from silencing the global hard limit on the same metric.
 */
import type { SchemaTypes } from '../../contracts/schema-types';
import { SchemaViolation, validate } from '../../contracts/validation';
import { DEFAULT_HYSTERESIS, type HysteresisPolicy } from '../margin/health-state-machine';
import type { RiskFigure } from '../risk/engine';
import type { RiskMetrics } from './metrics';

export type RiskPolicy = SchemaTypes['inputs/risk-policy'];
export type PolicyRule = RiskPolicy['rules'][number];
export type PolicyScope = RiskPolicy['scope'];
export type RuleKind = PolicyRule['kind'];
export type RuleMetric = PolicyRule['metric'];
export type Stage = 'continuous' | 'pre-trade';

export class RiskPolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid risk policy:\n  - ${problems.join('\n  - ')}`);
    this.name = 'RiskPolicyError';
  }
}

const PER_ASSET: ReadonlySet<RuleMetric> = new Set(['assetGrossUsd', 'assetBorrowUsd', 'assetGrossShare']);
const TAIL: ReadonlySet<RuleMetric> = new Set(['varUsd', 'esUsd', 'varShareOfEquity', 'esShareOfEquity']);

/** Every problem of a policy document at once: schema paths first, then the cross-field checks. */
export function parseRiskPolicy(document: unknown): RiskPolicy {
  let policy: RiskPolicy;
  try {
    policy = validate('inputs/risk-policy', document);
  } catch (err) {
    if (err instanceof SchemaViolation) throw new RiskPolicyError(err.problems);
    throw err;
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  policy.rules.forEach((r, i) => {
    const at = `/rules/${i}`;
    if (seen.has(r.ruleId)) problems.push(`${at}/ruleId '${r.ruleId}' is used by an earlier rule`);
    seen.add(r.ruleId);
    if (r.asset !== undefined && !PER_ASSET.has(r.metric))
      problems.push(`${at}/asset applies only to per-asset metrics (${[...PER_ASSET].join(', ')})`);
    const tail = TAIL.has(r.metric);
    if (tail && (r.confidence === undefined || r.horizonDays === undefined))
      problems.push(`${at} ${r.metric} needs confidence and horizonDays`);
    if (!tail && (r.confidence !== undefined || r.horizonDays !== undefined))
      problems.push(`${at} confidence and horizonDays apply only to ${[...TAIL].join(', ')}`);
  });
  const m = policy.margin;
  if (m && !(m.warning > m.marginCall && m.marginCall > m.liquidation))
    problems.push('/margin thresholds must decrease: warning > marginCall > liquidation');
  if (problems.length) throw new RiskPolicyError(problems);
  return policy;
}

/** Where a portfolio sits: the scopes whose policies and stops apply to it. */
export interface PortfolioScope {
  portfolioId: string;
  deskId: string;
}

export function scopeKey(scope: PolicyScope): string {
  if (scope.level === 'global') return 'global';
  if (scope.level === 'desk') return `desk:${scope.deskId}`;
  return `portfolio:${scope.portfolioId}`;
}

/** The scopes of a portfolio, widest first: global, its desk, itself. */
export function scopesOf(p: PortfolioScope): PolicyScope[] {
  return [
    { level: 'global' },
    { level: 'desk', deskId: p.deskId },
    { level: 'portfolio', portfolioId: p.portfolioId },
  ];
}

const LEVEL_RANK = { global: 0, desk: 1, portfolio: 2 } as const;

function applies(scope: PolicyScope, p: PortfolioScope): boolean {
  return (
    scope.level === 'global' ||
    (scope.level === 'desk' && scope.deskId === p.deskId) ||
    (scope.level === 'portfolio' && scope.portfolioId === p.portfolioId)
  );
}

/** Policies in force for a portfolio at `now`: enabled, effective, in one of its scopes; widest first. */
export function policiesFor(policies: readonly RiskPolicy[], p: PortfolioScope, now: Date): RiskPolicy[] {
  return policies
    .filter((x) => x.enabled && Date.parse(x.effectiveFrom) <= now.getTime() && applies(x.scope, p))
    .sort(
      (a, b) =>
        LEVEL_RANK[a.scope.level] - LEVEL_RANK[b.scope.level] ||
        (a.priority ?? 0) - (b.priority ?? 0) ||
        (a.policyId < b.policyId ? -1 : a.policyId > b.policyId ? 1 : 0),
    );
}

/** A rule together with the policy it came from (what a violation must name). */
export interface ScopedRule {
  rule: PolicyRule;
  policyId: string;
  policyVersion: number;
  scope: PolicyScope;
}

function ruleKey(r: PolicyRule): string {
  return [r.metric, r.kind, r.asset ?? '*', r.confidence ?? '', r.horizonDays ?? ''].join('|');
}

function specificity(s: ScopedRule): number[] {
  return [LEVEL_RANK[s.scope.level], s.rule.asset ? 1 : 0, s.rule.priority ?? 0];
}

function wins(a: ScopedRule, b: ScopedRule): boolean {
  const sa = specificity(a);
  const sb = specificity(b);
  for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return sa[i] > sb[i];
  const ka = `${a.policyId}/${a.rule.ruleId}`;
  const kb = `${b.policyId}/${b.rule.ruleId}`;
  return ka < kb;
}

/** The winning rule per key among the policies in force, for one stage; in a stable order. */
export function resolveRules(inForce: readonly RiskPolicy[], stage: Stage): ScopedRule[] {
  const best = new Map<string, ScopedRule>();
  for (const policy of inForce) {
    for (const rule of policy.rules) {
      if (rule.enabled === false) continue;
      if (rule.stages && !rule.stages.includes(stage)) continue;
      const candidate = {
        rule,
        policyId: policy.policyId,
        policyVersion: policy.version,
        scope: policy.scope,
      };
      const key = ruleKey(rule);
      const current = best.get(key);
      if (!current || wins(candidate, current)) best.set(key, candidate);
    }
  }
  return [...best.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

/**
 * One metric's value for a rule. A ratio over equity with no positive equity is not a number: it is reported
 * by state, and counts as unbounded in the risky direction (leverage with negative equity breaks any leverage
 * cap). A metric that could not be computed (no history for VaR or drawdown) is `unavailable`: continuous
 * evaluation skips it, a pre-trade check denies on it if the rule is hard (fail closed).
 */
export type MetricValue =
  | { kind: 'number'; value: number }
  | { kind: 'unbounded'; state: 'NEGATIVE_EQUITY' | 'ZERO_EQUITY' }
  | { kind: 'unavailable'; reason: string };

function num(value: number): MetricValue {
  return { kind: 'number', value };
}

function overEquity(m: RiskMetrics, value: number | null | undefined, what: string): MetricValue {
  if (m.equityState !== 'POSITIVE')
    return { kind: 'unbounded', state: m.equityState === 'ZERO' ? 'ZERO_EQUITY' : 'NEGATIVE_EQUITY' };
  return value === null || value === undefined ? { kind: 'unavailable', reason: `no ${what}` } : num(value);
}

/** The value(s) a rule reads from the metrics: one per asset for per-asset metrics, else one. */
export function metricValues(
  m: RiskMetrics,
  r: PolicyRule,
  figures: readonly RiskFigure[] | null,
): { asset?: string; value: MetricValue }[] {
  const tail = () =>
    m.tailShares.find((t) => t.confidence === r.confidence && t.horizonDays === r.horizonDays);
  const figure = () => figures?.find((f) => f.confidence === r.confidence && f.horizonDays === r.horizonDays);
  switch (r.metric) {
    case 'healthScore':
      // Nothing borrowed: infinitely healthy, so a minimum-health rule never fires.
      return [{ value: m.healthScore === null ? num(Number.MAX_VALUE) : num(m.healthScore) }];
    case 'leverage':
      return [{ value: m.leverage !== null ? num(m.leverage) : overEquity(m, null, 'leverage') }];
    case 'equityUsd':
      return [{ value: num(m.equityUsd) }];
    case 'collateralUsd':
      return [{ value: num(m.collateralUsd) }];
    case 'borrowUsd':
      return [{ value: num(m.borrowUsd) }];
    case 'collateralConcentration':
      return [{ value: num(m.concentration.collateral?.share ?? 0) }];
    case 'grossConcentration':
      return [{ value: num(m.concentration.gross?.share ?? 0) }];
    case 'drawdown':
    case 'maxDrawdown': {
      if (!m.drawdown)
        return [{ value: { kind: 'unavailable', reason: m.drawdownUnavailable ?? 'NO_HISTORY' } }];
      return [{ value: num(r.metric === 'drawdown' ? m.drawdown.current : m.drawdown.max) }];
    }
    case 'varUsd':
    case 'esUsd': {
      const f = figure();
      if (!f) return [{ value: { kind: 'unavailable', reason: 'no VaR/ES at this confidence and horizon' } }];
      return [{ value: num(r.metric === 'varUsd' ? f.varUsd : f.esUsd) }];
    }
    case 'varShareOfEquity':
    case 'esShareOfEquity': {
      const t = tail();
      const v = r.metric === 'varShareOfEquity' ? t?.varShare : t?.esShare;
      if (m.equityState === 'POSITIVE' && !t)
        return [{ value: { kind: 'unavailable', reason: 'no VaR/ES at this confidence and horizon' } }];
      return [{ value: overEquity(m, v, 'VaR/ES share') }];
    }
    case 'assetGrossUsd':
    case 'assetBorrowUsd':
    case 'assetGrossShare': {
      const gross = m.notional.reduce((s, n) => s + n.grossUsd, 0);
      return m.notional
        .filter((n) => r.asset === undefined || n.asset === r.asset)
        .map((n) => ({
          asset: n.asset,
          value: num(
            r.metric === 'assetGrossUsd'
              ? n.grossUsd
              : r.metric === 'assetBorrowUsd'
                ? n.borrowUsd
                : gross > 0
                  ? n.grossUsd / gross
                  : 0,
          ),
        }));
    }
  }
}

function breaches(value: MetricValue, operator: PolicyRule['operator'], threshold: number): boolean {
  if (value.kind === 'unavailable') return false;
  // Unbounded ratios are +∞: they break every upper limit and no lower one.
  const v = value.kind === 'unbounded' ? Number.POSITIVE_INFINITY : value.value;
  switch (operator) {
    case '<':
      return v < threshold;
    case '<=':
      return v <= threshold;
    case '>':
      return v > threshold;
    case '>=':
      return v >= threshold;
  }
}

export interface Violation {
  policyId: string;
  policyVersion: number;
  ruleId: string;
  kind: RuleKind;
  scope: PolicyScope;
  metric: RuleMetric;
  asset?: string;
  operator: PolicyRule['operator'];
  threshold: number;
  /** The metric's value; null when it is not a number (see `valueState`). */
  value: number | null;
  valueState?: 'NEGATIVE_EQUITY' | 'ZERO_EQUITY';
}

export interface Unevaluated {
  policyId: string;
  ruleId: string;
  kind: RuleKind;
  metric: RuleMetric;
  reason: string;
}

export interface PolicyEvaluation {
  violations: Violation[];
  /** Rules whose metric could not be computed: skipped continuously, a denial pre-trade when hard. */
  unevaluated: Unevaluated[];
}

/** Evaluates one portfolio's metrics against the resolved rules. */
export function evaluateRules(
  metrics: RiskMetrics,
  figures: readonly RiskFigure[] | null,
  rules: readonly ScopedRule[],
): PolicyEvaluation {
  const violations: Violation[] = [];
  const unevaluated: Unevaluated[] = [];
  // A per-asset metric may have a general rule and one naming the asset under the same key otherwise: for
  // that asset only the more specific of the two applies.
  const perAssetKey = (r: PolicyRule) => `${r.metric}|${r.kind}`;
  const named = new Map<string, ScopedRule>();
  for (const s of rules)
    if (s.rule.asset !== undefined) named.set(`${perAssetKey(s.rule)}|${s.rule.asset}`, s);
  const general = new Map<string, ScopedRule>();
  for (const s of rules)
    if (PER_ASSET.has(s.rule.metric) && s.rule.asset === undefined) general.set(perAssetKey(s.rule), s);
  const overridden = (s: ScopedRule, asset: string | undefined): boolean => {
    if (asset === undefined || !PER_ASSET.has(s.rule.metric)) return false;
    const rival =
      s.rule.asset === undefined
        ? named.get(`${perAssetKey(s.rule)}|${asset}`)
        : general.get(perAssetKey(s.rule));
    return rival !== undefined && wins(rival, s);
  };
  for (const s of rules) {
    const r = s.rule;
    for (const { asset, value } of metricValues(metrics, r, figures)) {
      if (overridden(s, asset)) continue;
      if (value.kind === 'unavailable') {
        unevaluated.push({
          policyId: s.policyId,
          ruleId: r.ruleId,
          kind: r.kind,
          metric: r.metric,
          reason: value.reason,
        });
        continue;
      }
      if (!breaches(value, r.operator, r.threshold)) continue;
      violations.push({
        policyId: s.policyId,
        policyVersion: s.policyVersion,
        ruleId: r.ruleId,
        kind: r.kind,
        scope: s.scope,
        metric: r.metric,
        ...(asset !== undefined ? { asset } : {}),
        operator: r.operator,
        threshold: r.threshold,
        value: value.kind === 'number' ? value.value : null,
        ...(value.kind === 'unbounded' ? { valueState: value.state } : {}),
      });
    }
  }
  return { violations, unevaluated };
}

/** The most specific policy setting among those in force (e.g. margin thresholds, breaker, price age). */
export function mostSpecific<K extends 'margin' | 'breaker' | 'prices'>(
  inForce: readonly RiskPolicy[],
  key: K,
): NonNullable<RiskPolicy[K]> | undefined {
  let found: NonNullable<RiskPolicy[K]> | undefined;
  // inForce is widest first, so the last one that sets it is the most specific.
  for (const p of inForce) if (p[key] !== undefined) found = p[key] as NonNullable<RiskPolicy[K]>;
  return found;
}

/**
 * The margin thresholds and recovery band a portfolio is judged by: the most specific policy in force that
 * sets them, else today's defaults (also when no policy could be read: margin monitoring never stops).
 */
export function marginPolicyFor(
  policies: readonly RiskPolicy[] | null,
  p: PortfolioScope,
  now: Date,
): HysteresisPolicy {
  const m = policies ? mostSpecific(policiesFor(policies, p, now), 'margin') : undefined;
  if (!m) return DEFAULT_HYSTERESIS;
  return {
    thresholds: { warning: m.warning, marginCall: m.marginCall, liquidation: m.liquidation },
    recoveryBand: m.recoveryBand,
  };
}

/**
 * The circuit breakers a portfolio's hard events count toward: each of its scopes whose own policies in force
 * configure one (a desk policy's breaker counts the desk's events, a global one everybody's), and its own scope
 * for a breaker set `per: portfolio` at any level (the most specific such setting wins).
 */
export function breakersFor(
  inForce: readonly RiskPolicy[],
  p: PortfolioScope,
): { scope: PolicyScope; config: NonNullable<RiskPolicy['breaker']> }[] {
  const own: PolicyScope = { level: 'portfolio', portfolioId: p.portfolioId };
  const found = new Map<string, { scope: PolicyScope; config: NonNullable<RiskPolicy['breaker']> }>();
  // Widest first, so a more specific scope's setting replaces a wider one counting in the same place.
  for (const scope of scopesOf(p)) {
    const key = scopeKey(scope);
    const config = mostSpecific(
      inForce.filter((x) => scopeKey(x.scope) === key),
      'breaker',
    );
    if (!config) continue;
    const target = config.per === 'portfolio' ? own : scope;
    found.set(scopeKey(target), { scope: target, config });
  }
  return [...found.values()];
}
