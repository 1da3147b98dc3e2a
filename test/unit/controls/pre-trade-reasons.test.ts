/**
 * What a trader and a risk manager read in a pre-trade decision: the reason of each denial in words, the exact
 * bounds (a price exactly as old as allowed passes, one second more is refused), the decision's own fields,
 * and which denials count toward the circuit breaker.
 */
import { DEFAULT_RISK_POLICY } from '../../../shared/domain/controls/default-policy';
import type { RiskPolicy } from '../../../shared/domain/controls/policy';
import {
  applyAction,
  decidePreTrade,
  isHardDenial,
  type PreTradeDecision,
} from '../../../shared/domain/controls/pre-trade';
import { activeRecord, engage } from '../../../shared/domain/controls/stops';

import { ctx, fresh, NOW, PORTFOLIO, reasons, req } from './pre-trade-fixtures';

const ago = (s: number) => new Date(NOW.getTime() - s * 1000).toISOString();
const withPrices = (btcAsOf: string, btc = 10_000) =>
  new Map([
    ['BTC', { priceUsd: btc, asOf: btcAsOf }],
    ['USDC', { priceUsd: 1, asOf: fresh }],
  ]);

describe('a denial says why', () => {
  it('for an amount that is not a positive number', () => {
    expect(reasons(decidePreTrade(req({ amount: -5 }), ctx()))).toEqual([
      'INVALID_ACTION: amount -5 must be a positive number',
    ]);
  });

  it('for a withdrawal or a swap of more than is held, naming what is held', () => {
    expect(reasons(decidePreTrade(req({ action: 'withdraw', asset: 'BTC', amount: 1.5 }), ctx()))).toEqual([
      'INVALID_ACTION: withdraw of 1.5 BTC exceeds the 1 BTC held as collateral',
    ]);
    expect(
      reasons(
        decidePreTrade(
          req({ action: 'swapCollateral', asset: 'ETH', amount: 1, toAsset: 'BTC', toAmount: 1 }),
          ctx(),
        ),
      ),
    ).toEqual(['INVALID_ACTION: swapCollateral of 1 ETH exceeds the 0 ETH held as collateral']);
  });

  it('for a swap or trade without what it receives', () => {
    expect(reasons(decidePreTrade(req({ action: 'trade', toAsset: 'ETH' }), ctx()))).toEqual([
      'INVALID_ACTION: trade needs toAsset and toAmount',
    ]);
    expect(
      reasons(
        decidePreTrade(req({ action: 'swapCollateral', asset: 'BTC', amount: 0.1, toAmount: 1 }), ctx()),
      ),
    ).toEqual(['INVALID_ACTION: swapCollateral needs toAsset and toAmount']);
  });

  it('for a price missing, zero or negative, naming the asset', () => {
    for (const price of [0, -1])
      expect(reasons(decidePreTrade(req(), ctx({ prices: withPrices(fresh, price) })))).toEqual([
        'PRICE_MISSING: no price for BTC',
      ]);
    expect(reasons(decidePreTrade(req({ asset: 'LINK' }), ctx()))).toEqual([
      'PRICE_MISSING: no price for LINK',
    ]);
  });

  it('for a price older than the bound, with its age; exactly at the bound it passes', () => {
    expect(decidePreTrade(req(), ctx({ prices: withPrices(ago(180)) })).decision).toBe('APPROVE');
    expect(reasons(decidePreTrade(req(), ctx({ prices: withPrices(ago(181)) })))).toEqual([
      'PRICE_STALE: the BTC price is 181 s old (bound 180 s)',
    ]);
  });

  it("for a price older than the desk policy's own bound", () => {
    const desk: RiskPolicy = {
      policyId: 'desk-a',
      version: 1,
      scope: { level: 'desk', deskId: 'desk-a' },
      enabled: true,
      effectiveFrom: '2020-01-01T00:00:00Z',
      rules: [],
      prices: { maxAgeSeconds: 30 },
    };
    const policies = [DEFAULT_RISK_POLICY, desk];
    expect(decidePreTrade(req(), ctx({ policies, prices: withPrices(ago(30)) })).decision).toBe('APPROVE');
    expect(reasons(decidePreTrade(req(), ctx({ policies, prices: withPrices(ago(31)) })))).toEqual([
      'PRICE_STALE: the BTC price is 31 s old (bound 30 s)',
    ]);
    // Another desk keeps the default bound.
    const other = { ...PORTFOLIO, deskId: 'desk-b' };
    expect(
      decidePreTrade(req(), ctx({ policies, portfolio: other, prices: withPrices(ago(31)) })).decision,
    ).toBe('APPROVE');
  });

  it('for a stale price even when no policy sets a bound (the 180 s default)', () => {
    const noPrices: RiskPolicy = { ...DEFAULT_RISK_POLICY, prices: undefined };
    expect(
      reasons(decidePreTrade(req(), ctx({ policies: [noPrices], prices: withPrices(ago(181)) }))),
    ).toEqual(['PRICE_STALE: the BTC price is 181 s old (bound 180 s)']);
  });

  it('for a hard limit, with the rule, metric, figure, operator and threshold', () => {
    const d = decidePreTrade(req({ amount: 3000 }), ctx());
    expect(reasons(d)).toEqual(['HARD_LIMIT: default/no-action-into-margin-call: healthScore 25 < 30']);
  });

  it('for a per-asset limit, naming the asset; an emergency rule under its own code', () => {
    const policies: RiskPolicy[] = [
      {
        ...DEFAULT_RISK_POLICY,
        rules: [
          {
            ruleId: 'usdc-cap',
            metric: 'assetBorrowUsd',
            asset: 'USDC',
            operator: '>',
            threshold: 5050,
            kind: 'emergency',
          },
        ],
      },
    ];
    const d = decidePreTrade(req({ amount: 100 }), ctx({ policies }));
    expect(reasons(d)).toEqual(['EMERGENCY_LIMIT: default/usdc-cap: assetBorrowUsd[USDC] 5100 > 5050']);
    expect(isHardDenial(d)).toBe(true);
    // One unit under the cap passes.
    expect(decidePreTrade(req({ amount: 50 }), ctx({ policies })).decision).toBe('APPROVE');
  });

  it('for a ratio over negative equity, by its state', () => {
    const policies: RiskPolicy[] = [
      {
        ...DEFAULT_RISK_POLICY,
        rules: [{ ruleId: 'lev', metric: 'leverage', operator: '>', threshold: 10, kind: 'hard' }],
      },
    ];
    const d = decidePreTrade(req({ amount: 6000 }), ctx({ policies }));
    expect(reasons(d)).toEqual(['HARD_LIMIT: default/lev: leverage NEGATIVE_EQUITY > 10']);
  });

  it('for a hard rule whose metric cannot be computed, with the reason', () => {
    const policies: RiskPolicy[] = [
      {
        ...DEFAULT_RISK_POLICY,
        rules: [{ ruleId: 'dd', metric: 'maxDrawdown', operator: '>', threshold: 0.2, kind: 'emergency' }],
      },
    ];
    expect(reasons(decidePreTrade(req(), ctx({ policies })))).toEqual([
      'METRIC_UNAVAILABLE: default/dd: maxDrawdown unavailable (NO_HISTORY)',
    ]);
  });

  it('for a REDUCING stop, naming the scope and its reason', () => {
    const r = engage(
      activeRecord({ level: 'global' }),
      'REDUCING',
      { actor: 'bob', reason: 'crash', at: NOW },
      'breaker',
    )!;
    const d = decidePreTrade(req(), ctx({ stops: new Map([[r.scopeKey, r]]) }));
    expect(reasons(d)).toEqual(['STOPPED: global is REDUCING (only risk-reducing actions pass): crash']);
    expect(d.stop).toEqual({ state: 'REDUCING', scopeKey: 'global', engagedBy: 'bob', reason: 'crash' });
    expect(isHardDenial(d)).toBe(false);
  });

  it('for a policy or portfolio unavailable', () => {
    expect(reasons(decidePreTrade(req(), ctx({ policies: null })))).toEqual([
      'POLICY_UNAVAILABLE: no valid risk policy is loaded',
    ]);
    const d = decidePreTrade(req(), ctx({ portfolio: null }));
    expect(reasons(d)).toEqual(['PORTFOLIO_UNKNOWN: portfolio p-1 is unknown']);
    expect(d.deskId).toBeNull();
  });
});

describe('a decision records', () => {
  it('the portfolio, desk, action, time and the book after the action', () => {
    const r = req({ amount: 1000 });
    const d = decidePreTrade(r, ctx());
    expect(d).toMatchObject({
      requestId: r.requestId,
      portfolioId: 'p-1',
      deskId: 'desk-a',
      action: 'borrow',
      decision: 'APPROVE',
      riskReducing: false,
      decidedAt: fresh,
      stop: { state: 'ACTIVE', scopeKey: null, engagedBy: null, reason: null },
      post: { leverage: 1.5, equityUsd: 4000 },
    });
    expect(d.decisionId).toMatch(/^ptd_/);
    expect(d.historyGaps).toBeUndefined();
  });

  it('a risk-reducing action as such', () => {
    const d = decidePreTrade(req({ action: 'repay' }), ctx());
    expect(d).toMatchObject({ decision: 'APPROVE', riskReducing: true, post: null });
  });

  it("only this portfolio's reservations", () => {
    const elsewhere = req({ portfolioId: 'p-2', amount: 5000 });
    expect(decidePreTrade(req({ amount: 2500 }), ctx({ reserved: [elsewhere] })).decision).toBe('APPROVE');
  });

  it('a repay of more than is owed as a full repay', () => {
    expect(applyAction(PORTFOLIO.positions, req({ action: 'repay', amount: 6000 }))).toEqual([
      { asset: 'BTC', side: 'collateral', amount: 1 },
    ]);
  });
});

describe('the circuit breaker counts', () => {
  it('hard and emergency denials only, never an approval or a denial for lack of data', () => {
    expect(isHardDenial(decidePreTrade(req({ amount: 3000 }), ctx()))).toBe(true);
    expect(isHardDenial(decidePreTrade(req(), ctx()))).toBe(false);
    expect(isHardDenial(decidePreTrade(req(), ctx({ policies: null })))).toBe(false);
    // An approval carrying a hard warning (not worsened) is not a denial.
    const approved: PreTradeDecision = {
      ...decidePreTrade(req(), ctx()),
      reasons: [{ code: 'HARD_LIMIT', message: 'x' }],
    };
    expect(isHardDenial(approved)).toBe(false);
  });
});
