/**
 * Pre-trade rules that need more than today's prices — drawdown over the daily closes, VaR/ES from the engine —
 * and the judgement of an action against breaches the portfolio already had: an existing breach not made worse
 * passes with a warning, a new one is judged on its own. And what REDUCING lets through.
 */
import { DEFAULT_RISK_POLICY } from '../../../shared/domain/controls/default-policy';
import type { PolicyRule, RiskPolicy } from '../../../shared/domain/controls/policy';
import { decidePreTrade, isHardDenial } from '../../../shared/domain/controls/pre-trade';
import { activeRecord, engage } from '../../../shared/domain/controls/stops';
import type { HistoryGap } from '../../../shared/domain/risk/engine';

import { ctx, fresh, NOW, PORTFOLIO, reasons, req } from './pre-trade-fixtures';

const only = (...rules: PolicyRule[]): RiskPolicy[] => [{ ...DEFAULT_RISK_POLICY, rules }];

/** VaR 10 % and ES 12 % of the net BTC exposure. */
const tail = (ex: { asset: string; netUsd: number }[]) => {
  const btc = ex.find((e) => e.asset === 'BTC')?.netUsd ?? 0;
  return [{ confidence: 0.99, horizonDays: 1, varUsd: btc * 0.1, esUsd: btc * 0.12 }];
};

describe('a drawdown limit before trading', () => {
  // Three closes, BTC falling: the book's equity was 7,000, 6,000, 5,500, and is 5,000 now.
  const history = {
    dates: ['2020-03-09', '2020-03-10', '2020-03-11'],
    series: { BTC: [12_000, 11_000, 10_500], USDC: [1, 1, 1] },
  };
  const at = (metric: 'drawdown' | 'maxDrawdown') =>
    ctx({
      history,
      drawdownWindowDays: 3,
      // Beside the default's health rules, which read no history.
      policies: only(...DEFAULT_RISK_POLICY.rules, {
        ruleId: 'dd',
        metric,
        operator: '>',
        threshold: 0.3,
        kind: 'hard',
      }),
    });

  it.each(['drawdown', 'maxDrawdown'] as const)(
    'is judged on the book after the action over the closes (%s)',
    (metric) => {
      // Borrowing 100 more takes 100 off every point: 2,000 / 6,900 = 0.29, within the limit.
      expect(decidePreTrade(req({ amount: 100 }), at(metric)).decision).toBe('APPROVE');
      // Borrowing 1,000 more: 2,000 / 6,000 = 0.333 > 0.3.
      const d = decidePreTrade(req({ amount: 1000 }), at(metric));
      expect(d.reasons.map((r) => r.code)).toEqual(['HARD_LIMIT']);
      expect(d.violations[0]).toMatchObject({ metric, value: 2000 / 6000 });
    },
  );

  it('uses a 30-day window unless told otherwise', () => {
    const d = decidePreTrade(req({ amount: 100 }), { ...at('drawdown'), drawdownWindowDays: undefined });
    expect(reasons(d)).toEqual(['METRIC_UNAVAILABLE: default/dd: drawdown unavailable (NO_HISTORY)']);
  });
});

describe('VaR and ES limits before trading', () => {
  // Trading 5,000 USDC for 0.5 BTC: net BTC 15,000 → VaR 1,500, ES 1,800; equity stays 5,000.
  const trade = () => req({ action: 'trade', asset: 'USDC', amount: 5000, toAsset: 'BTC', toAmount: 0.5 });
  const tailRule = (metric: PolicyRule['metric'], threshold: number): PolicyRule => ({
    ruleId: metric,
    metric,
    confidence: 0.99,
    horizonDays: 1,
    operator: '>',
    threshold,
    kind: 'hard',
  });

  it.each([
    ['varUsd', 1400, 1500],
    ['esUsd', 1700, 1800],
    ['varShareOfEquity', 0.25, 0.3],
    ['esShareOfEquity', 0.35, 0.36],
  ] as const)('deny on %s over %d, with the figure after the action', (metric, threshold, value) => {
    const d = decidePreTrade(trade(), ctx({ tail, policies: only(tailRule(metric, threshold)) }));
    expect(d.reasons.map((r) => r.code)).toEqual(['HARD_LIMIT']);
    expect(d.violations[0].metric).toBe(metric);
    expect(d.violations[0].value).toBeCloseTo(value, 9);
    // A small borrow leaves the BTC tail where it was, within every limit.
    expect(decidePreTrade(req(), ctx({ tail, policies: only(tailRule(metric, threshold)) })).decision).toBe(
      'APPROVE',
    );
  });

  it('lists the missing closes VaR was computed around, of the book before and after, once each and in order', () => {
    const gapsOf: Record<string, HistoryGap[]> = {
      BTC: [
        { asset: 'BTC', date: '2020-03-02' },
        { asset: 'BTC', date: '2020-02-20' },
      ],
      AAVE: [{ asset: 'AAVE', date: '2020-03-05' }],
    };
    const tailGaps = (ex: { asset: string; netUsd: number }[]) =>
      ex.filter((e) => e.netUsd !== 0).flatMap((e) => gapsOf[e.asset] ?? []);
    const buyAave = req({ action: 'trade', asset: 'USDC', amount: 1000, toAsset: 'AAVE', toAmount: 10 });
    const d = decidePreTrade(buyAave, ctx({ tail, tailGaps, policies: only(tailRule('varUsd', 1e9)) }));
    expect(d.decision).toBe('APPROVE');
    expect(d.historyGaps).toEqual([
      { asset: 'AAVE', date: '2020-03-05' },
      { asset: 'BTC', date: '2020-02-20' },
      { asset: 'BTC', date: '2020-03-02' },
    ]);
  });
});

describe('an action on a portfolio already in breach', () => {
  /** 1 BTC (10,000) against 6,000 USDC: equity 4,000, leverage 1.5. */
  const levered = {
    ...PORTFOLIO,
    positions: [PORTFOLIO.positions[0], { ...PORTFOLIO.positions[1], amount: 6000 }],
  };
  const cap = (threshold: number, operator: PolicyRule['operator'] = '>'): PolicyRule => ({
    ruleId: 'lev',
    metric: 'leverage',
    operator,
    threshold,
    kind: 'hard',
  });

  it('passes with a warning when the breach is no worse (equal included), is denied when worse', () => {
    const c = ctx({ portfolio: levered, policies: only(cap(1)) });
    // Swapping 0.5 BTC for 5,000 USDC of collateral: leverage unchanged at 1.5.
    const same = decidePreTrade(
      req({ action: 'swapCollateral', asset: 'BTC', amount: 0.5, toAsset: 'USDC', toAmount: 5000 }),
      c,
    );
    expect(same.decision).toBe('APPROVE');
    expect(same.warnings.map((w) => w.ruleId)).toEqual(['lev']);
    // Swapping into 60 ETH (12,000): equity 6,000, leverage 1.
    const better = decidePreTrade(
      req({ action: 'swapCollateral', asset: 'BTC', amount: 1, toAsset: 'ETH', toAmount: 60 }),
      c,
    );
    expect(better.decision).toBe('APPROVE');
    const worse = decidePreTrade(req({ action: 'withdraw', asset: 'BTC', amount: 0.1 }), c);
    expect(reasons(worse)).toEqual(['HARD_LIMIT: default/lev: leverage 2 > 1']);
  });

  it('reads a floor rule (<=) the other way: higher is better', () => {
    const floor: PolicyRule = {
      ruleId: 'h',
      metric: 'healthScore',
      operator: '<=',
      threshold: 70,
      kind: 'hard',
    };
    const c = ctx({ portfolio: levered, policies: only(floor) });
    // Health (10,000 − 6,000) / 6,000 = 66.7 → into 50.5 ETH (10,100): 68.3, still breached but better.
    const better = decidePreTrade(
      req({ action: 'swapCollateral', asset: 'BTC', amount: 1, toAsset: 'ETH', toAmount: 50.5 }),
      c,
    );
    expect(better.decision).toBe('APPROVE');
    expect(better.warnings.map((w) => w.ruleId)).toEqual(['h']);
    // Into 50 ETH (10,000): health unchanged, no worse.
    const same = decidePreTrade(
      req({ action: 'swapCollateral', asset: 'BTC', amount: 1, toAsset: 'ETH', toAmount: 50 }),
      c,
    );
    expect(same.decision).toBe('APPROVE');
    expect(decidePreTrade(req({ amount: 10 }), c).decision).toBe('DENY');
  });

  it("judges a new breach on its own, never against another rule's, policy's or asset's existing breach", () => {
    const borrowCap: PolicyRule = {
      ruleId: 'borrow',
      metric: 'borrowUsd',
      operator: '>',
      threshold: 5000,
      kind: 'hard',
    };
    // Withdrawing 0.1 BTC leaves the borrow (already over 5,000) as it was and takes leverage to 2 > 1.6.
    const withdraw = req({ action: 'withdraw', asset: 'BTC', amount: 0.1 });
    const sameRule = decidePreTrade(
      withdraw,
      ctx({ portfolio: levered, policies: only(borrowCap, cap(1.6)) }),
    );
    expect(reasons(sameRule)).toEqual(['HARD_LIMIT: default/lev: leverage 2 > 1.6']);
    expect(sameRule.warnings.map((w) => w.ruleId)).toEqual(['borrow']);
    const twoPolicies: RiskPolicy[] = [
      { ...DEFAULT_RISK_POLICY, rules: [{ ...borrowCap, ruleId: 'cap' }] },
      {
        ...DEFAULT_RISK_POLICY,
        policyId: 'desk-a',
        scope: { level: 'desk', deskId: 'desk-a' },
        rules: [{ ...cap(1.6), ruleId: 'cap' }],
      },
    ];
    expect(reasons(decidePreTrade(withdraw, ctx({ portfolio: levered, policies: twoPolicies })))).toEqual([
      'HARD_LIMIT: desk-a/cap: leverage 2 > 1.6',
    ]);
    // Per asset: BTC already over 6,000 gross; borrowing 2,000 USDC more takes USDC to 7,000.
    const gross: PolicyRule = {
      ruleId: 'gross',
      metric: 'assetGrossUsd',
      operator: '>',
      threshold: 6000,
      kind: 'hard',
    };
    const d = decidePreTrade(
      req({ action: 'trade', asset: 'USDC', amount: 2000, toAsset: 'ETH', toAmount: 10 }),
      ctx({ policies: only(gross) }),
    );
    expect(reasons(d)).toEqual(['HARD_LIMIT: default/gross: assetGrossUsd[USDC] 7000 > 6000']);
    expect(d.warnings.map((w) => w.asset)).toEqual(['BTC']);
  });
});

describe('REDUCING', () => {
  const reducing = () => {
    const r = engage(
      activeRecord({ level: 'global' }),
      'REDUCING',
      { actor: 'a', reason: 'crash', at: NOW },
      'manual',
    )!;
    return new Map([[r.scopeKey, r]]);
  };
  /** 1 BTC and 25 ETH (5,000) against 5,000 USDC. */
  const mixed = {
    ...PORTFOLIO,
    positions: [...PORTFOLIO.positions, { asset: 'ETH', amount: 25, side: 'collateral' as const }],
  };
  const varRule: PolicyRule = {
    ruleId: 'var',
    metric: 'varUsd',
    confidence: 0.99,
    horizonDays: 1,
    operator: '>',
    threshold: 1e9,
    kind: 'soft',
  };

  it('stops a trade that borrows more even when health is unchanged', () => {
    // 1,000 USDC for 10 ETH (2,000): health (12,000 − 6,000) / 6,000 = 100, as before; more borrowed.
    const d = decidePreTrade(
      req({ action: 'trade', asset: 'USDC', amount: 1000, toAsset: 'ETH', toAmount: 10 }),
      ctx({ stops: reducing() }),
    );
    expect(d.reasons.map((r) => r.code)).toEqual(['STOPPED']);
  });

  it('stops a swap that raises VaR at the same health; lets one that keeps it equal through', () => {
    const c = ctx({ portfolio: mixed, stops: reducing(), tail, policies: only(varRule) });
    const intoBtc = req({
      action: 'swapCollateral',
      asset: 'ETH',
      amount: 25,
      toAsset: 'BTC',
      toAmount: 0.5,
    });
    expect(decidePreTrade(intoBtc, c).reasons.map((r) => r.code)).toEqual(['STOPPED']);
    const intoUsdc = req({
      action: 'swapCollateral',
      asset: 'ETH',
      amount: 25,
      toAsset: 'USDC',
      toAmount: 5000,
    });
    expect(decidePreTrade(intoUsdc, c).decision).toBe('APPROVE');
  });

  it('judges VaR by the worst figure the engine gives', () => {
    // 5 % of BTC at one confidence, 20 % of ETH at another: swapping BTC into ETH lowers one and raises the worst.
    const two = (ex: { asset: string; netUsd: number }[]) => {
      const of = (a: string) => ex.find((e) => e.asset === a)?.netUsd ?? 0;
      return [
        { confidence: 0.95, horizonDays: 1, varUsd: of('BTC') * 0.05, esUsd: 0 },
        { confidence: 0.99, horizonDays: 1, varUsd: of('ETH') * 0.2, esUsd: 0 },
      ];
    };
    const c = ctx({ portfolio: mixed, stops: reducing(), tail: two, policies: only(varRule) });
    const intoEth = req({
      action: 'swapCollateral',
      asset: 'BTC',
      amount: 0.5,
      toAsset: 'ETH',
      toAmount: 25,
    });
    expect(decidePreTrade(intoEth, c).reasons.map((r) => r.code)).toEqual(['STOPPED']);
  });
});

describe('fails closed, saying why', () => {
  it('when the kill-switch state is not confirmed', () => {
    expect(reasons(decidePreTrade(req(), ctx({ stopsConfirmedAt: null })))).toEqual([
      'STOP_STATE_UNCONFIRMED: the kill-switch state could not be confirmed recently',
    ]);
  });

  it('naming the first missing price in asset order', () => {
    const prices = new Map([['BTC', { priceUsd: 10_000, asOf: fresh }]]);
    expect(reasons(decidePreTrade(req({ asset: 'LINK' }), ctx({ prices })))).toEqual([
      'PRICE_MISSING: no price for LINK',
    ]);
  });

  it('counting toward the breaker a denial that broke a hard limit, whatever else it names', () => {
    const policies = only(
      { ruleId: 'dd', metric: 'drawdown', operator: '>', threshold: 0.5, kind: 'hard' },
      { ruleId: 'b', metric: 'borrowUsd', operator: '>', threshold: 5000, kind: 'hard' },
    );
    const d = decidePreTrade(req(), ctx({ policies }));
    expect(d.reasons.map((r) => r.code)).toEqual(['METRIC_UNAVAILABLE', 'HARD_LIMIT']);
    expect(isHardDenial(d)).toBe(true);
  });
});
