/**
 * Each rule of the bundled policy, alone, firing and not firing at its boundaries. Bounds: "max" and
 * "threshold" fire strictly above, "min" at or above, bands are [lower, upper), windows are (t − W, t].
 */
import { evaluateTransaction, isRoundAmount } from '../../../shared/domain/aml/rules';
import { entryOf } from '../../../shared/domain/aml/window';
import { DAY, HOUR, SECOND, at, bundledPolicy, history, onlyRule, tx } from '../../support/aml-fixtures';

const fired = (
  ruleId: string,
  ...args: Parameters<typeof evaluateTransaction> extends [unknown, ...infer R] ? R : never
) => evaluateTransaction(onlyRule(ruleId), ...args);

describe('velocity_count (more than 5 in 1 h)', () => {
  const rule = 'velocity.count.1h';

  it('fires on the 6th transaction within the hour and reports the count', () => {
    const hits = fired(rule, tx(), history([-50, -40, -30, -20, -10].map((m) => m * 60 * SECOND)));
    expect(hits).toHaveLength(1);
    expect(hits[0].details).toEqual({ windowSeconds: 3600, count: 6, maxCount: 5 });
    expect(hits[0].rule.severity).toBe('WARNING');
    expect(hits[0].rule.recommendedAction).toBe('MANUAL_REVIEW');
  });

  it('does not fire on the 5th', () => {
    expect(fired(rule, tx(), history([-40, -30, -20, -10].map((m) => m * 60 * SECOND)))).toEqual([]);
  });

  it('is a sliding window: an entry exactly one hour old is out, one a millisecond younger is in', () => {
    const four = [-40, -30, -20, -10].map((m) => m * 60 * SECOND);
    expect(fired(rule, tx(), history([-HOUR, ...four]))).toEqual([]);
    expect(fired(rule, tx(), history([-HOUR + 1, ...four]))).toHaveLength(1);
  });

  it('judges a late arrival on every window containing it, not only the one ending at it', () => {
    const three = [-35, -30, -20].map((m) => m * 60 * SECOND);
    // 3 before, the transaction, 2 after: six in (−40 min, +20 min], no window of 6 ending at t.
    const hits = fired(rule, tx(), history([...three, 10 * 60 * SECOND, 20 * 60 * SECOND]));
    expect(hits).toHaveLength(1);
    expect(hits[0].details).toMatchObject({ count: 6, windowEnd: at(20 * 60 * SECOND) });
    // Entries an hour or more after it never share a window with it.
    expect(fired(rule, tx(), history([...three, HOUR - 20 * 60 * SECOND + 1, HOUR, HOUR + SECOND]))).toEqual(
      [],
    );
  });

  it('counts only the transaction types it applies to', () => {
    const policy = onlyRule(rule, (r) => {
      r.appliesTo = ['WITHDRAWAL'];
    });
    const five = history(
      [-50, -40, -30, -20, -10].map((m) => m * 60 * SECOND),
      100,
      { type: 'DEPOSIT' },
    );
    expect(evaluateTransaction(policy, tx({ type: 'WITHDRAWAL' }), five)).toEqual([]);
    const withdrawals = history(
      [-50, -40, -30, -20, -10].map((m) => m * 60 * SECOND),
      100,
      {
        type: 'WITHDRAWAL',
      },
    );
    expect(evaluateTransaction(policy, tx({ type: 'WITHDRAWAL' }), withdrawals)).toHaveLength(1);
    expect(evaluateTransaction(policy, tx({ type: 'DEPOSIT' }), withdrawals)).toEqual([]);
  });
});

describe('velocity_amount (over 25,000 USD in 24 h)', () => {
  const rule = 'velocity.amount.24h';

  it('does not fire at exactly 25,000 and fires a cent above', () => {
    const prior = history([-20 * HOUR, -10 * HOUR], 10_000);
    expect(fired(rule, tx({ amountUsd: 5000, amount: '5000' }), prior)).toEqual([]);
    const hits = fired(rule, tx({ amountUsd: 5000.01, amount: '5000.01' }), prior);
    expect(hits).toHaveLength(1);
    expect(hits[0].details).toMatchObject({ totalUsd: 25000.01, count: 3, maxAmountUsd: 25000 });
  });

  it('drops what left the window', () => {
    const prior = history([-DAY, -10 * HOUR], 10_000);
    expect(fired(rule, tx({ amountUsd: 10_000, amount: '10000' }), prior)).toEqual([]);
  });
});

describe('large_transaction (over 10,000 USD)', () => {
  const rule = 'large.ctr';
  it('does not fire at 10,000.00 and fires at 10,000.01', () => {
    expect(fired(rule, tx({ amountUsd: 10_000 }), [])).toEqual([]);
    // Money is compared in whole cents, as the 24-hour total is: 10,000.004 is 10,000.00.
    expect(fired(rule, tx({ amountUsd: 10_000.004 }), [])).toEqual([]);
    expect(fired('velocity.amount.24h', tx({ amountUsd: 25_000.004 }), [])).toEqual([]);
    expect(fired('velocity.amount.24h', tx({ amountUsd: 25_000.01 }), [])).toHaveLength(1);
    const hits = fired(rule, tx({ amountUsd: 10_000.01 }), []);
    expect(hits.map((h) => h.details)).toEqual([{ amountUsd: 10_000.01, thresholdUsd: 10_000 }]);
  });
});

describe('structuring (3+ of [8,000, 10,000) USD in 24 h)', () => {
  const rule = 'structuring.24h';
  const two = () => history([-5 * HOUR, -3 * HOUR], 9_500);

  it('fires on the third amount in the band, listing the transactions', () => {
    const current = tx({ amountUsd: 9_999.99 });
    const hits = fired(rule, current, two());
    expect(hits).toHaveLength(1);
    expect(hits[0].details).toMatchObject({ count: 3, totalUsd: 28_999.99, bandUsd: [8000, 10000] });
    expect((hits[0].details.transactionIds as string[]).at(-1)).toBe(current.transactionId);
    expect(hits[0].rule.severity).toBe('CRITICAL');
  });

  it('the band is [8,000, 10,000): 8,000 counts, 7,999.99 and 10,000 do not', () => {
    expect(fired(rule, tx({ amountUsd: 8_000 }), two())).toHaveLength(1);
    expect(fired(rule, tx({ amountUsd: 7_999.99 }), two())).toEqual([]);
    expect(fired(rule, tx({ amountUsd: 10_000 }), two())).toEqual([]);
    const oneLow = [...history([-5 * HOUR], 9_500), ...history([-3 * HOUR], 7_999.99)];
    expect(fired(rule, tx({ amountUsd: 9_000 }), oneLow)).toEqual([]);
  });

  it('needs the third within 24 h', () => {
    const spread = history([-DAY, -3 * HOUR], 9_500);
    expect(fired(rule, tx({ amountUsd: 9_000 }), spread)).toEqual([]);
    const inside = history([-DAY + 1, -3 * HOUR], 9_500);
    expect(fired(rule, tx({ amountUsd: 9_000 }), inside)).toHaveLength(1);
  });
});

describe('geographic_restriction', () => {
  const embargo = 'geo.ofac-comprehensive';

  it('blocks a counterparty in Cuba, Iran or North Korea and a customer living there', () => {
    for (const country of ['CU', 'IR', 'KP']) {
      const hits = fired(embargo, tx({ counterparty: { country } }), []);
      expect(hits).toHaveLength(1);
      expect(hits[0].rule.recommendedAction).toBe('BLOCK');
      expect(hits[0].details.matches).toEqual([
        expect.objectContaining({ party: 'counterparty', code: country }),
      ]);
    }
    expect(fired(embargo, tx({ customerCountry: 'KP' }), [])[0].details.matches).toEqual([
      expect.objectContaining({ party: 'customer', code: 'KP' }),
    ]);
  });

  it('blocks the occupied Ukrainian regions by ISO 3166-2 code, not Ukraine as a whole', () => {
    expect(fired(embargo, tx({ counterparty: { country: 'UA', region: 'UA-43' } }), [])).toHaveLength(1);
    expect(fired(embargo, tx({ counterparty: { country: 'UA', region: 'UA-32' } }), [])).toEqual([]);
  });

  it('Syria left the embargo on 1 July 2025 (EO 14312) but stays on the FATF grey list', () => {
    const syria = (day: string) => tx({ occurredAt: `${day}T12:00:00Z`, counterparty: { country: 'SY' } });
    expect(fired(embargo, syria('2025-06-30'), [])).toHaveLength(1);
    expect(fired(embargo, syria('2025-07-01'), [])).toEqual([]);
    expect(fired('geo.fatf-increased-monitoring', syria('2025-07-01'), [])).toHaveLength(1);
  });

  it('Russia, Belarus and Venezuela are targeted programs, not embargoes', () => {
    for (const country of ['RU', 'BY', 'VE'])
      expect(fired(embargo, tx({ counterparty: { country } }), [])).toEqual([]);
  });

  it('follows the FATF lists of October 2025: Myanmar called out, Nigeria removed from the grey list', () => {
    expect(fired('geo.fatf-call-for-action', tx({ counterparty: { country: 'MM' } }), [])).toHaveLength(1);
    const nigeria = (day: string) => tx({ occurredAt: `${day}T08:00:00Z`, counterparty: { country: 'NG' } });
    expect(fired('geo.fatf-increased-monitoring', nigeria('2025-10-23'), [])).toHaveLength(1);
    expect(fired('geo.fatf-increased-monitoring', nigeria('2025-10-24'), [])).toEqual([]);
  });

  it('compares list dates with the instant in UTC, whatever offset the timestamp is written with', () => {
    // 2025-07-01T01:30+02:00 is 2025-06-30T23:30Z: Syria was still under the embargo at that instant.
    const before = tx({ occurredAt: '2025-07-01T01:30:00+02:00', counterparty: { country: 'SY' } });
    expect(fired(embargo, before, [])).toHaveLength(1);
    // 2025-06-30T20:30-05:00 is 2025-07-01T01:30Z: no longer.
    const after = tx({ occurredAt: '2025-06-30T20:30:00-05:00', counterparty: { country: 'SY' } });
    expect(fired(embargo, after, [])).toEqual([]);
  });

  it('checks only the parties the rule names', () => {
    // The grey-list rule looks at counterparties only.
    expect(fired('geo.fatf-increased-monitoring', tx({ customerCountry: 'VE' }), [])).toEqual([]);
  });
});

describe('sanctions and PEP screening', () => {
  it('matches a sanctioned counterparty and returns the entry and its score', () => {
    const hits = fired('sanctions.ofac-sdn', tx({ counterparty: { name: 'Nicolas Maduro' } }), []);
    expect(hits).toHaveLength(1);
    expect(hits[0].details).toMatchObject({
      list: 'ofac-sdn',
      minScore: 0.88,
      match: { entNum: '22790', listedName: 'MADURO MOROS, Nicolas', entryType: 'individual' },
    });
    expect((hits[0].details.match as { score: number }).score).toBeGreaterThanOrEqual(0.88);
    expect(hits[0].summary).not.toContain('Nicolas Maduro'); // the listed name, never the customer's input
  });

  it('does not match an ordinary name or a counterparty without a name', () => {
    expect(fired('sanctions.ofac-sdn', tx({ counterparty: { name: 'Margaret Thornbury' } }), [])).toEqual([]);
    expect(fired('sanctions.ofac-sdn', tx({ counterparty: { country: 'US' } }), [])).toEqual([]);
  });

  it('fires at its minScore and not just above the score', () => {
    const policy = onlyRule('sanctions.ofac-sdn');
    const name = 'Vladimir Putin';
    const score = policy.screening.get('ofac-sdn')?.search(name, 0.01)?.score ?? 0;
    expect(score).toBeGreaterThan(0.5);
    const at = (minScore: number) =>
      evaluateTransaction(
        onlyRule('sanctions.ofac-sdn', (r) => {
          if (r.type === 'sanctions_screening') r.params.minScore = minScore;
        }),
        tx({ counterparty: { name } }),
        [],
      );
    expect(at(Math.floor(score * 1e4) / 1e4)).toHaveLength(1);
    expect(at(Math.ceil(score * 1e4) / 1e4 + 1e-4)).toEqual([]);
  });

  it('screens PEPs on their own list with their own severity', () => {
    const hits = fired('pep.screening', tx({ counterparty: { name: 'Marta Varela Ostrovsky' } }), []);
    expect(hits).toHaveLength(1);
    expect(hits[0].rule).toMatchObject({ type: 'pep_screening', severity: 'WARNING' });
    expect(hits[0].details).toMatchObject({ list: 'pep', match: { entNum: '900001' } });
  });
});

describe('new_account_high_value (5,000 USD or more within 30 days of opening)', () => {
  const rule = 'new-account.high-value';
  const opened = (ms: number) => at(-ms);

  it('fires a millisecond before the 30th day and not at it', () => {
    expect(fired(rule, tx({ accountOpenedAt: opened(30 * DAY - 1), amountUsd: 5_000 }), [])).toHaveLength(1);
    expect(fired(rule, tx({ accountOpenedAt: opened(30 * DAY), amountUsd: 5_000 }), [])).toEqual([]);
  });

  it('needs at least 5,000 USD', () => {
    expect(fired(rule, tx({ accountOpenedAt: opened(2 * DAY), amountUsd: 4_999.99 }), [])).toEqual([]);
    const hits = fired(rule, tx({ accountOpenedAt: opened(2 * DAY), amountUsd: 5_000 }), []);
    expect(hits[0].details).toMatchObject({ accountAgeSeconds: 2 * 86_400, minAmountUsd: 5_000 });
  });
});

describe('round_amount (a third multiple of 1,000 within 30 days)', () => {
  const rule = 'round-amount.30d';
  const round = (offsets: number[], currency = 'USD') =>
    offsets.map((o) => entryOf(tx({ occurredAt: at(o), amount: '2000', currency, amountUsd: 2000 })));

  it('decides roundness on the exact nominal amount', () => {
    expect(isRoundAmount('3000', 1000, 1000)).toBe(true);
    expect(isRoundAmount('3000.000', 1000, 1000)).toBe(true);
    expect(isRoundAmount('3000.5', 1000, 1000)).toBe(false);
    expect(isRoundAmount('2500', 1000, 1000)).toBe(false);
    expect(isRoundAmount('0', 1000, 1000)).toBe(false);
    expect(isRoundAmount('100000000000000000000000', 1000, 1000)).toBe(true);
  });

  it('fires on the third round amount and not on the second', () => {
    expect(fired(rule, tx({ amount: '5000', amountUsd: 5000 }), round([-10 * DAY, -DAY]))).toHaveLength(1);
    expect(fired(rule, tx({ amount: '5000', amountUsd: 5000 }), round([-DAY]))).toEqual([]);
    expect(fired(rule, tx({ amount: '5000.01', amountUsd: 5000 }), round([-10 * DAY, -DAY]))).toEqual([]);
  });

  it('counts only the listed currencies and the window', () => {
    const btc = tx({ amount: '5000', currency: 'BTC', amountUsd: 5000 });
    expect(fired(rule, btc, round([-10 * DAY, -DAY]))).toEqual([]);
    const usd = tx({ amount: '5000', amountUsd: 5000 });
    expect(fired(rule, usd, round([-10 * DAY, -DAY], 'BTC'))).toEqual([]);
    expect(fired(rule, usd, round([-30 * DAY, -DAY]))).toEqual([]);
  });
});

describe('the whole bundled policy', () => {
  it('fires nothing for an ordinary transaction', () => {
    expect(evaluateTransaction(bundledPolicy(), tx(), history([-2 * HOUR, -DAY / 2]))).toEqual([]);
  });

  it('reports every rule a transaction triggers, in policy order', () => {
    const hits = evaluateTransaction(
      bundledPolicy(),
      tx({
        amount: '12000',
        amountUsd: 12_000,
        accountOpenedAt: at(-3 * DAY),
        counterparty: { name: 'GARANTEX EUROPE OU', kind: 'entity', country: 'IR' },
      }),
      [],
    );
    expect(hits.map((h) => h.rule.id)).toEqual([
      'large.ctr',
      'geo.ofac-comprehensive',
      'geo.fatf-call-for-action',
      'sanctions.ofac-sdn',
      'new-account.high-value',
    ]);
  });
});

describe('rules evaluated before the store transaction', () => {
  it('are taken as given and not evaluated again; the rest are evaluated, in policy order', () => {
    const policy = bundledPolicy();
    const sanctions = policy.rules.find((r) => r.id === 'sanctions.ofac-sdn');
    if (!sanctions) throw new Error('the bundled policy screens against the SDN list');
    const sanctioned = tx({ counterparty: { name: 'Garantex Europa OU', kind: 'entity', country: 'EE' } });
    const fresh = evaluateTransaction(policy, sanctioned, []);
    expect(fresh.map((h) => h.rule.id)).toContain('sanctions.ofac-sdn');
    // Known not to fire: not screened again, so not reported.
    const known = new Map([[sanctions, undefined]]);
    expect(evaluateTransaction(policy, sanctioned, [], known).map((h) => h.rule.id)).not.toContain(
      'sanctions.ofac-sdn',
    );
    // A known hit stands for a name the rules would not match themselves.
    const hit = fresh.find((h) => h.rule === sanctions);
    const plain = tx({ amountUsd: 20_000, amount: '20000' });
    expect(evaluateTransaction(policy, plain, [], new Map([[sanctions, hit]])).map((h) => h.rule.id)).toEqual(
      ['large.ctr', 'sanctions.ofac-sdn'],
    );
  });
});
