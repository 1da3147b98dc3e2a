import { DEFAULT_RISK_POLICY } from '../../../shared/domain/controls/default-policy';
import type { RiskMetrics } from '../../../shared/domain/controls/metrics';
import {
  breakersFor,
  evaluateRules,
  mostSpecific,
  parseRiskPolicy,
  policiesFor,
  resolveRules,
  RiskPolicyError,
  type PolicyRule,
  type RiskPolicy,
} from '../../../shared/domain/controls/policy';

const NOW = new Date('2020-03-12T12:00:00Z');
const P = { portfolioId: 'p-1', deskId: 'desk-a' };

function policy(over: Partial<RiskPolicy> & Pick<RiskPolicy, 'policyId'>): RiskPolicy {
  return {
    version: 1,
    scope: { level: 'global' },
    enabled: true,
    effectiveFrom: '2020-01-01T00:00:00Z',
    rules: [],
    ...over,
  };
}

function rule(over: Partial<PolicyRule> & Pick<PolicyRule, 'ruleId'>): PolicyRule {
  return { metric: 'leverage', operator: '>', threshold: 5, kind: 'hard', ...over };
}

/** A portfolio with 1,000 USD equity: 3,000 collateral (2,000 BTC, 1,000 ETH), 2,000 USDC borrowed. */
function metrics(over: Partial<RiskMetrics> = {}): RiskMetrics {
  return {
    collateralUsd: 3000,
    borrowUsd: 2000,
    equityUsd: 1000,
    equityState: 'POSITIVE',
    healthScore: 50,
    leverage: 2,
    concentration: { collateral: { asset: 'BTC', share: 2 / 3 }, gross: { asset: 'BTC', share: 0.4 } },
    notional: [
      { asset: 'BTC', collateralUsd: 2000, borrowUsd: 0, grossUsd: 2000, netUsd: 2000 },
      { asset: 'ETH', collateralUsd: 1000, borrowUsd: 0, grossUsd: 1000, netUsd: 1000 },
      { asset: 'USDC', collateralUsd: 0, borrowUsd: 2000, grossUsd: 2000, netUsd: -2000 },
    ],
    drawdown: { current: 0.1, max: 0.25, peakUsd: 1250, troughUsd: 937.5, windowDays: 30, observations: 31 },
    tailShares: [{ confidence: 0.99, horizonDays: 1, varShare: 0.3, esShare: 0.4 }],
    ...over,
  };
}

const FIGURES = [{ confidence: 0.99, horizonDays: 1, varUsd: 300, esUsd: 400 }];

function violated(m: RiskMetrics, rules: PolicyRule[]): string[] {
  const scoped = resolveRules([policy({ policyId: 'g', rules })], 'continuous');
  return evaluateRules(m, FIGURES, scoped).violations.map(
    (v) => `${v.ruleId}${v.asset ? `:${v.asset}` : ''}`,
  );
}

describe('risk policy documents', () => {
  it('accepts the built-in default policy', () => {
    expect(parseRiskPolicy(structuredClone(DEFAULT_RISK_POLICY))).toEqual(DEFAULT_RISK_POLICY);
  });

  it('names every problem at once, schema and cross-field', () => {
    const bad = policy({
      policyId: 'bad',
      rules: [
        rule({ ruleId: 'r1' }),
        rule({ ruleId: 'r1', metric: 'healthScore', asset: 'BTC' }),
        rule({ ruleId: 'r3', metric: 'varShareOfEquity', confidence: 0.99 }),
        rule({ ruleId: 'r4', metric: 'leverage', horizonDays: 1 }),
      ],
      margin: { warning: 30, marginCall: 50, liquidation: 15, recoveryBand: 2 },
    });
    let problems: string[] = [];
    try {
      parseRiskPolicy(bad);
    } catch (err) {
      expect(err).toBeInstanceOf(RiskPolicyError);
      problems = (err as RiskPolicyError).problems;
    }
    expect(problems).toEqual([
      "/rules/1/ruleId 'r1' is used by an earlier rule",
      '/rules/1/asset applies only to per-asset metrics (assetGrossUsd, assetBorrowUsd, assetGrossShare)',
      '/rules/2 varShareOfEquity needs confidence and horizonDays',
      '/rules/3 confidence and horizonDays apply only to varUsd, esUsd, varShareOfEquity, esShareOfEquity',
      '/margin thresholds must decrease: warning > marginCall > liquidation',
    ]);
  });

  it('reports schema problems with their paths', () => {
    const doc = { ...policy({ policyId: 'x' }), version: 0, rules: [{ ruleId: 'r', metric: 'vibes' }] };
    expect(() => parseRiskPolicy(doc)).toThrow(/\/version must be >= 1/);
    expect(() => parseRiskPolicy(doc)).toThrow(
      /\/rules\/0\/metric must be equal to one of the allowed values/,
    );
  });
});

describe('which rules apply to a portfolio', () => {
  const global = policy({ policyId: 'global', rules: [rule({ ruleId: 'lev', threshold: 5 })] });
  const desk = policy({
    policyId: 'desk-a',
    scope: { level: 'desk', deskId: 'desk-a' },
    rules: [rule({ ruleId: 'lev', threshold: 3 }), rule({ ruleId: 'lev-warn', threshold: 2, kind: 'soft' })],
  });
  const otherDesk = policy({
    policyId: 'desk-b',
    scope: { level: 'desk', deskId: 'desk-b' },
    rules: [rule({ ruleId: 'lev', threshold: 1 })],
  });
  const own = policy({
    policyId: 'p-1',
    scope: { level: 'portfolio', portfolioId: 'p-1' },
    rules: [rule({ ruleId: 'lev', threshold: 4 })],
  });

  const thresholds = (ps: RiskPolicy[], who = P) =>
    resolveRules(policiesFor(ps, who, NOW), 'continuous').map(
      (r) => `${r.policyId}/${r.rule.kind}:${r.rule.threshold}`,
    );

  it('takes the most specific scope per metric and kind', () => {
    expect(thresholds([global, desk, otherDesk])).toEqual(['desk-a/hard:3', 'desk-a/soft:2']);
    expect(thresholds([global, desk, otherDesk, own])).toEqual(['p-1/hard:4', 'desk-a/soft:2']);
    expect(thresholds([global, desk, otherDesk], { portfolioId: 'p-9', deskId: 'desk-c' })).toEqual([
      'global/hard:5',
    ]);
  });

  it('keeps the global hard limit when the desk sets only a soft one', () => {
    const soft = policy({ ...desk, rules: [rule({ ruleId: 'w', threshold: 2, kind: 'soft' })] });
    expect(thresholds([global, soft])).toEqual(['global/hard:5', 'desk-a/soft:2']);
  });

  it('breaks ties between equally specific rules by priority, then by id', () => {
    const a = policy({ policyId: 'a', rules: [rule({ ruleId: 'x', threshold: 7 })] });
    const b = policy({ policyId: 'b', rules: [rule({ ruleId: 'x', threshold: 6, priority: 1 })] });
    expect(thresholds([a, b])).toEqual(['b/hard:6']);
    const c = policy({ policyId: 'c', rules: [rule({ ruleId: 'x', threshold: 8 })] });
    expect(thresholds([c, a])).toEqual(['a/hard:7']);
  });

  it('prefers a rule naming the asset over a general one, for that asset only', () => {
    const ps = [
      policy({
        policyId: 'g',
        rules: [
          rule({ ruleId: 'gross', metric: 'assetGrossUsd', threshold: 1500 }),
          rule({ ruleId: 'gross-btc', metric: 'assetGrossUsd', threshold: 2500, asset: 'BTC' }),
        ],
      }),
    ];
    const rules = resolveRules(policiesFor(ps, P, NOW), 'continuous');
    expect(evaluateRules(metrics(), FIGURES, rules).violations.map((v) => `${v.ruleId}:${v.asset}`)).toEqual([
      'gross:USDC',
    ]);
  });

  it("lets a desk's general per-asset rule beat a global rule naming the asset", () => {
    const ps = [
      policy({
        policyId: 'g',
        rules: [rule({ ruleId: 'btc', metric: 'assetGrossUsd', threshold: 2500, asset: 'BTC' })],
      }),
      policy({
        policyId: 'd',
        scope: { level: 'desk', deskId: 'desk-a' },
        rules: [rule({ ruleId: 'any', metric: 'assetGrossUsd', threshold: 1500 })],
      }),
    ];
    const rules = resolveRules(policiesFor(ps, P, NOW), 'continuous');
    expect(
      evaluateRules(metrics(), FIGURES, rules).violations.map((v) => `${v.policyId}/${v.ruleId}:${v.asset}`),
    ).toEqual(['d/any:BTC', 'd/any:USDC']);
  });

  it('ignores disabled policies and rules, policies not yet effective, and rules of another stage', () => {
    const later = policy({
      policyId: 'later',
      effectiveFrom: '2020-03-12T12:00:01Z',
      rules: [rule({ ruleId: 'l' })],
    });
    const off = policy({ policyId: 'off', enabled: false, rules: [rule({ ruleId: 'o' })] });
    const mixed = policy({
      policyId: 'mixed',
      rules: [
        rule({ ruleId: 'disabled', enabled: false, metric: 'borrowUsd' }),
        rule({ ruleId: 'pre', stages: ['pre-trade'], metric: 'equityUsd' }),
        rule({ ruleId: 'both', metric: 'collateralUsd' }),
      ],
    });
    expect(policiesFor([later, off, mixed], P, NOW).map((p) => p.policyId)).toEqual(['mixed']);
    const ids = (stage: 'continuous' | 'pre-trade') =>
      resolveRules(policiesFor([later, off, mixed], P, NOW), stage).map((r) => r.rule.ruleId);
    expect(ids('continuous')).toEqual(['both']);
    expect(ids('pre-trade').sort()).toEqual(['both', 'pre']);
    // Effective at exactly its time.
    expect(policiesFor([later], P, new Date('2020-03-12T12:00:01Z'))).toHaveLength(1);
  });

  it('takes margin, breaker and price settings from the most specific policy that sets them', () => {
    const d = policy({
      policyId: 'd',
      scope: { level: 'desk', deskId: 'desk-a' },
      breaker: { hardEvents: 2, windowSeconds: 10 },
    });
    const inForce = policiesFor([DEFAULT_RISK_POLICY, d], P, NOW);
    expect(mostSpecific(inForce, 'breaker')).toEqual({ hardEvents: 2, windowSeconds: 10 });
    expect(mostSpecific(inForce, 'margin')).toEqual(DEFAULT_RISK_POLICY.margin);
    expect(mostSpecific([d], 'prices')).toBeUndefined();
  });
});

describe('evaluating metrics at the thresholds', () => {
  it.each([
    ['<', 50, false],
    ['<', 50.000001, true],
    ['<=', 50, true],
    ['<=', 49.999999, false],
  ] as const)('healthScore %s %d → %s at a score of 50', (operator, threshold, fires) => {
    const r = rule({ ruleId: 'h', metric: 'healthScore', operator, threshold });
    expect(violated(metrics(), [r])).toEqual(fires ? ['h'] : []);
  });

  it.each([
    ['>', 2, false],
    ['>', 1.999999, true],
    ['>=', 2, true],
    ['>=', 2.000001, false],
  ] as const)('leverage %s %d → %s at a leverage of 2', (operator, threshold, fires) => {
    expect(violated(metrics(), [rule({ ruleId: 'l', operator, threshold })])).toEqual(fires ? ['l'] : []);
  });

  it('reports negative or zero equity as a state that breaks every upper limit on a ratio, never as a number', () => {
    const negative = metrics({ equityUsd: -100, equityState: 'NEGATIVE', leverage: null, healthScore: -5 });
    const rules = resolveRules(
      [policy({ policyId: 'g', rules: [rule({ ruleId: 'l', threshold: 1000 })] })],
      'continuous',
    );
    const [v] = evaluateRules(negative, FIGURES, rules).violations;
    expect(v).toMatchObject({ ruleId: 'l', value: null, valueState: 'NEGATIVE_EQUITY' });
    const zero = metrics({ equityUsd: 0, equityState: 'ZERO', leverage: null, healthScore: 0 });
    expect(evaluateRules(zero, FIGURES, rules).violations[0]).toMatchObject({ valueState: 'ZERO_EQUITY' });
    // A floor on the same ratio cannot be broken by "unbounded".
    expect(violated(negative, [rule({ ruleId: 'floor', operator: '<', threshold: 1 })])).toEqual([]);
  });

  it('flags negative equity through the default policy, and not zero equity', () => {
    const rules = resolveRules([DEFAULT_RISK_POLICY], 'continuous');
    const ids = (m: RiskMetrics) => evaluateRules(m, null, rules).violations.map((v) => v.ruleId);
    expect(ids(metrics({ equityUsd: -0.01, equityState: 'NEGATIVE', leverage: null }))).toEqual([
      'negative-equity',
    ]);
    expect(ids(metrics({ equityUsd: 0, equityState: 'ZERO', leverage: null }))).toEqual([]);
    // Its health floors are pre-trade only: margin states keep producing margin events, not violations.
    expect(ids(metrics({ healthScore: 10 }))).toEqual([]);
  });

  it('never fires a minimum-health rule when nothing is borrowed', () => {
    const m = metrics({ borrowUsd: 0, healthScore: null, leverage: 0, equityUsd: 3000 });
    expect(
      violated(m, [rule({ ruleId: 'h', metric: 'healthScore', operator: '<', threshold: 1e9 })]),
    ).toEqual([]);
  });

  it('evaluates VaR and ES shares and figures at the rule’s confidence and horizon', () => {
    const rules = [
      rule({ ruleId: 'vs', metric: 'varShareOfEquity', confidence: 0.99, horizonDays: 1, threshold: 0.29 }),
      rule({ ruleId: 'es', metric: 'esUsd', confidence: 0.99, horizonDays: 1, threshold: 400 }),
      rule({
        ruleId: 'es-ge',
        metric: 'esUsd',
        confidence: 0.99,
        horizonDays: 1,
        operator: '>=',
        threshold: 400,
        kind: 'soft',
      }),
    ];
    expect(violated(metrics(), rules)).toEqual(['es-ge', 'vs']);
  });

  it('leaves a rule unevaluated, with the reason, when its metric cannot be computed', () => {
    const scoped = resolveRules(
      [
        policy({
          policyId: 'g',
          rules: [
            rule({ ruleId: 'dd', metric: 'drawdown', threshold: 0.05 }),
            rule({ ruleId: 'var10', metric: 'varUsd', confidence: 0.99, horizonDays: 10, threshold: 1 }),
          ],
        }),
      ],
      'continuous',
    );
    const out = evaluateRules(
      metrics({ drawdown: null, drawdownUnavailable: 'NO_HISTORY' }),
      FIGURES,
      scoped,
    );
    expect(out.violations).toEqual([]);
    expect(out.unevaluated.map((u) => `${u.ruleId}: ${u.reason}`).sort()).toEqual([
      'dd: NO_HISTORY',
      'var10: no VaR/ES at this confidence and horizon',
    ]);
  });

  it('reads drawdown from the peak, and the worst peak-to-trough separately', () => {
    const rules = [
      rule({ ruleId: 'dd', metric: 'drawdown', threshold: 0.1 }),
      rule({ ruleId: 'mdd', metric: 'maxDrawdown', threshold: 0.2 }),
    ];
    expect(violated(metrics(), rules)).toEqual(['mdd']);
  });

  it('evaluates per-asset metrics for every asset held', () => {
    const rules = [
      rule({ ruleId: 'share', metric: 'assetGrossShare', threshold: 0.39 }),
      rule({ ruleId: 'borrow', metric: 'assetBorrowUsd', threshold: 1999 }),
      rule({ ruleId: 'conc', metric: 'collateralConcentration', threshold: 0.66 }),
      rule({ ruleId: 'gconc', metric: 'grossConcentration', operator: '>=', threshold: 0.4 }),
    ];
    expect(violated(metrics(), rules).sort()).toEqual([
      'borrow:USDC',
      'conc',
      'gconc',
      'share:BTC',
      'share:USDC',
    ]);
  });
});

describe("which circuit breakers count a portfolio's hard events", () => {
  const keys = (inForce: RiskPolicy[]) =>
    breakersFor(policiesFor(inForce, P, NOW), P).map(({ scope, config }) => [
      scope.level === 'global'
        ? 'global'
        : scope.level === 'desk'
          ? `desk:${scope.deskId}`
          : `portfolio:${scope.portfolioId}`,
      `${config.hardEvents}/${config.windowSeconds}`,
    ]);

  it("the default's counts per portfolio: one account's breaches never halt the platform", () => {
    expect(keys([DEFAULT_RISK_POLICY])).toEqual([['portfolio:p-1', '5/60']]);
  });

  it("a desk policy's breaker counts the whole desk, beside the portfolio's own", () => {
    const desk = policy({
      policyId: 'd',
      scope: { level: 'desk', deskId: 'desk-a' },
      breaker: { hardEvents: 3, windowSeconds: 60 },
    });
    expect(keys([DEFAULT_RISK_POLICY, desk])).toEqual([
      ['portfolio:p-1', '5/60'],
      ['desk:desk-a', '3/60'],
    ]);
  });

  it('the most specific setting counting at the portfolio wins (a desk per-portfolio one over the default)', () => {
    const desk = policy({
      policyId: 'd',
      scope: { level: 'desk', deskId: 'desk-a' },
      breaker: { hardEvents: 2, windowSeconds: 30, per: 'portfolio' },
    });
    expect(keys([DEFAULT_RISK_POLICY, desk])).toEqual([['portfolio:p-1', '2/30']]);
    const own = policy({
      policyId: 'o',
      scope: { level: 'portfolio', portfolioId: 'p-1' },
      breaker: { hardEvents: 10, windowSeconds: 60 },
    });
    expect(keys([DEFAULT_RISK_POLICY, desk, own])).toEqual([['portfolio:p-1', '10/60']]);
  });

  it('a global policy without per counts everybody at the global scope', () => {
    const global = { ...DEFAULT_RISK_POLICY, breaker: { hardEvents: 50, windowSeconds: 60 } };
    expect(keys([global])).toEqual([['global', '50/60']]);
  });
});
