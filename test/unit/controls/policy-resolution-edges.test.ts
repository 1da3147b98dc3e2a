/**
 * Edges of policy resolution and evaluation a risk manager would notice: a limit applied to the wrong desk or
 * portfolio, ties between policies resolved in an order nobody chose, a figure read from the wrong field, a
 * ratio over zero or negative equity reported as the wrong state, an error message that hides the problem.
 */
import type { RiskMetrics } from '../../../shared/domain/controls/metrics';
import {
  evaluateRules,
  marginPolicyFor,
  metricValues,
  parseRiskPolicy,
  policiesFor,
  resolveRules,
  RiskPolicyError,
  scopeKey,
  scopesOf,
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

const FIGURES = [
  { confidence: 0.95, horizonDays: 1, varUsd: 200, esUsd: 250 },
  { confidence: 0.99, horizonDays: 1, varUsd: 300, esUsd: 400 },
];

const values = (r: PolicyRule, m = metrics(), figures: typeof FIGURES | null = FIGURES) =>
  metricValues(m, r, figures).map(({ asset, value }) =>
    value.kind === 'number'
      ? `${asset ?? '-'}=${value.value}`
      : `${asset ?? '-'}:${value.kind === 'unbounded' ? value.state : value.reason}`,
  );

describe('a policy document refused', () => {
  it('lists every problem on its own line of the message', () => {
    const doc = policy({
      policyId: 'x',
      rules: [rule({ ruleId: 'a' }), rule({ ruleId: 'a' })],
      margin: { warning: 50, marginCall: 50, liquidation: 15, recoveryBand: 2 },
    });
    expect(() => parseRiskPolicy(doc)).toThrow(
      new RiskPolicyError([
        "/rules/1/ruleId 'a' is used by an earlier rule",
        '/margin thresholds must decrease: warning > marginCall > liquidation',
      ]),
    );
    try {
      parseRiskPolicy(doc);
    } catch (err) {
      expect((err as Error).name).toBe('RiskPolicyError');
      expect((err as Error).message).toBe(
        "invalid risk policy:\n  - /rules/1/ruleId 'a' is used by an earlier rule\n" +
          '  - /margin thresholds must decrease: warning > marginCall > liquidation',
      );
    }
  });

  it('refuses margin thresholds that do not strictly decrease at the lower end too', () => {
    const doc = policy({
      policyId: 'x',
      margin: { warning: 50, marginCall: 30, liquidation: 30, recoveryBand: 2 },
    });
    expect(() => parseRiskPolicy(doc)).toThrow(/warning > marginCall > liquidation/);
    expect(
      parseRiskPolicy(
        policy({ policyId: 'ok', margin: { warning: 50, marginCall: 30, liquidation: 15, recoveryBand: 2 } }),
      ).margin,
    ).toEqual({ warning: 50, marginCall: 30, liquidation: 15, recoveryBand: 2 });
  });

  it('accepts a VaR rule with its confidence and horizon, and an asset on a per-asset metric', () => {
    const doc = policy({
      policyId: 'ok',
      rules: [
        rule({ ruleId: 'v', metric: 'varUsd', confidence: 0.99, horizonDays: 1 }),
        rule({ ruleId: 'g', metric: 'assetGrossUsd', asset: 'BTC' }),
      ],
    });
    expect(parseRiskPolicy(doc).rules).toHaveLength(2);
    expect(() =>
      parseRiskPolicy(
        policy({ policyId: 'x', rules: [rule({ ruleId: 'v', metric: 'esUsd', horizonDays: 1 })] }),
      ),
    ).toThrow('/rules/0 esUsd needs confidence and horizonDays');
  });
});

describe('which policies reach a portfolio', () => {
  it('names scopes by level and id, widest first', () => {
    expect(scopesOf(P).map(scopeKey)).toEqual(['global', 'desk:desk-a', 'portfolio:p-1']);
  });

  it("never applies another portfolio's policy, even on the same desk", () => {
    const other = policy({ policyId: 'p-2', scope: { level: 'portfolio', portfolioId: 'p-2' } });
    const own = policy({ policyId: 'p-1', scope: { level: 'portfolio', portfolioId: 'p-1' } });
    expect(policiesFor([other, own], P, NOW).map((p) => p.policyId)).toEqual(['p-1']);
  });

  it('orders policies of one scope by priority, then by id', () => {
    const ps = [
      policy({ policyId: 'c', priority: 1 }),
      policy({ policyId: 'b' }),
      policy({ policyId: 'a' }),
      policy({ policyId: 'd', scope: { level: 'desk', deskId: 'desk-a' } }),
    ];
    expect(policiesFor(ps, P, NOW).map((p) => p.policyId)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('takes margin thresholds from the most specific policy, and keeps them when none is in force yet', () => {
    const later = policy({
      policyId: 'later',
      effectiveFrom: '2020-06-01T00:00:00Z',
      margin: { warning: 70, marginCall: 40, liquidation: 20, recoveryBand: 1 },
    });
    expect(marginPolicyFor([later], P, NOW).thresholds.warning).toBe(50);
    expect(marginPolicyFor([later], P, new Date('2020-06-01T00:00:00Z'))).toEqual({
      thresholds: { warning: 70, marginCall: 40, liquidation: 20 },
      recoveryBand: 1,
    });
  });
});

describe('resolving rules', () => {
  it('keeps rules of different confidence or horizon apart, in a stable order', () => {
    const ps = [
      policy({
        policyId: 'g',
        rules: [
          rule({ ruleId: 'v99', metric: 'varUsd', confidence: 0.99, horizonDays: 1, threshold: 1 }),
          rule({ ruleId: 'v95', metric: 'varUsd', confidence: 0.95, horizonDays: 1, threshold: 1 }),
          rule({ ruleId: 'v95-10', metric: 'varUsd', confidence: 0.95, horizonDays: 10, threshold: 1 }),
        ],
      }),
    ];
    expect(resolveRules(ps, 'continuous').map((r) => r.rule.ruleId)).toEqual(['v95', 'v95-10', 'v99']);
  });

  it('names the policy version and scope a violation came from', () => {
    const desk = policy({
      policyId: 'desk-a',
      version: 7,
      scope: { level: 'desk', deskId: 'desk-a' },
      rules: [rule({ ruleId: 'lev', threshold: 1 })],
    });
    const [v] = evaluateRules(metrics(), null, resolveRules([desk], 'continuous')).violations;
    expect(v).toEqual({
      policyId: 'desk-a',
      policyVersion: 7,
      ruleId: 'lev',
      kind: 'hard',
      scope: { level: 'desk', deskId: 'desk-a' },
      metric: 'leverage',
      operator: '>',
      threshold: 1,
      value: 2,
    });
    expect('asset' in v).toBe(false);
    expect('valueState' in v).toBe(false);
  });
});

describe('the figure a rule reads', () => {
  it('reads each amount from its own field', () => {
    expect(values(rule({ ruleId: 'c', metric: 'collateralUsd' }))).toEqual(['-=3000']);
    expect(values(rule({ ruleId: 'b', metric: 'borrowUsd' }))).toEqual(['-=2000']);
    expect(values(rule({ ruleId: 'e', metric: 'equityUsd' }))).toEqual(['-=1000']);
    expect(values(rule({ ruleId: 'h', metric: 'healthScore' }))).toEqual(['-=50']);
    expect(values(rule({ ruleId: 'l', metric: 'leverage' }))).toEqual(['-=2']);
    expect(values(rule({ ruleId: 'cc', metric: 'collateralConcentration' }))).toEqual([`-=${2 / 3}`]);
    expect(values(rule({ ruleId: 'gc', metric: 'grossConcentration' }))).toEqual(['-=0.4']);
    expect(values(rule({ ruleId: 'd', metric: 'drawdown' }))).toEqual(['-=0.1']);
    expect(values(rule({ ruleId: 'md', metric: 'maxDrawdown' }))).toEqual(['-=0.25']);
  });

  it('reads a concentration of an empty book as 0', () => {
    const empty = metrics({ concentration: { collateral: null, gross: null } });
    expect(values(rule({ ruleId: 'cc', metric: 'collateralConcentration' }), empty)).toEqual(['-=0']);
    expect(values(rule({ ruleId: 'gc', metric: 'grossConcentration' }), empty)).toEqual(['-=0']);
  });

  it('reads VaR and ES at the rule’s confidence and horizon only', () => {
    const at = (metric: PolicyRule['metric'], confidence: number) =>
      values(rule({ ruleId: 'x', metric, confidence, horizonDays: 1 }));
    expect(at('varUsd', 0.95)).toEqual(['-=200']);
    expect(at('esUsd', 0.95)).toEqual(['-=250']);
    expect(at('varUsd', 0.99)).toEqual(['-=300']);
    expect(at('esUsd', 0.99)).toEqual(['-=400']);
    expect(values(rule({ ruleId: 'x', metric: 'varUsd', confidence: 0.99, horizonDays: 10 }))).toEqual([
      '-:no VaR/ES at this confidence and horizon',
    ]);
    expect(
      values(rule({ ruleId: 'x', metric: 'esUsd', confidence: 0.99, horizonDays: 1 }), metrics(), null),
    ).toEqual(['-:no VaR/ES at this confidence and horizon']);
    expect(
      values(rule({ ruleId: 'x', metric: 'esShareOfEquity', confidence: 0.99, horizonDays: 1 })),
    ).toEqual(['-=0.4']);
    expect(
      values(rule({ ruleId: 'x', metric: 'varShareOfEquity', confidence: 0.99, horizonDays: 1 })),
    ).toEqual(['-=0.3']);
    expect(
      values(rule({ ruleId: 'x', metric: 'varShareOfEquity', confidence: 0.95, horizonDays: 1 })),
    ).toEqual(['-:no VaR/ES at this confidence and horizon']);
  });

  it('reads a VaR share over zero or negative equity as that state, even with no VaR figure', () => {
    const share = rule({ ruleId: 'x', metric: 'varShareOfEquity', confidence: 0.99, horizonDays: 1 });
    const zero = metrics({ equityState: 'ZERO', equityUsd: 0, tailShares: [] });
    const negative = metrics({ equityState: 'NEGATIVE', equityUsd: -5, tailShares: [] });
    expect(values(share, zero)).toEqual(['-:ZERO_EQUITY']);
    expect(values(share, negative)).toEqual(['-:NEGATIVE_EQUITY']);
    const lev = rule({ ruleId: 'l', metric: 'leverage' });
    expect(values(lev, metrics({ equityState: 'ZERO', leverage: null }))).toEqual(['-:ZERO_EQUITY']);
    expect(values(lev, metrics({ equityState: 'NEGATIVE', leverage: null }))).toEqual(['-:NEGATIVE_EQUITY']);
  });

  it('reads a missing drawdown with its reason', () => {
    const dd = rule({ ruleId: 'd', metric: 'maxDrawdown' });
    expect(values(dd, metrics({ drawdown: null, drawdownUnavailable: 'NON_POSITIVE_PEAK' }))).toEqual([
      '-:NON_POSITIVE_PEAK',
    ]);
    expect(values(dd, metrics({ drawdown: null }))).toEqual(['-:NO_HISTORY']);
  });

  it('reads per-asset figures for the named asset only, and shares of gross exposure', () => {
    expect(values(rule({ ruleId: 'g', metric: 'assetGrossUsd', asset: 'ETH' }))).toEqual(['ETH=1000']);
    expect(values(rule({ ruleId: 'b', metric: 'assetBorrowUsd' }))).toEqual(['BTC=0', 'ETH=0', 'USDC=2000']);
    expect(values(rule({ ruleId: 's', metric: 'assetGrossShare' }))).toEqual([
      'BTC=0.4',
      'ETH=0.2',
      'USDC=0.4',
    ]);
    const flat = metrics({
      notional: [{ asset: 'BTC', collateralUsd: 0, borrowUsd: 0, grossUsd: 0, netUsd: 0 }],
    });
    expect(values(rule({ ruleId: 's', metric: 'assetGrossShare' }), flat)).toEqual(['BTC=0']);
  });
});
