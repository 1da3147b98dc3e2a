/**
 * The one-line summary each rule writes on its alert: what the analyst reads in the e-mail, the SMS and the
 * case list. Amounts are whole-cent USD with thousands separators ("12,345.6 USD"), windows are "1h", "24h",
 * "30d". rules.test.ts covers when the rules fire; this file covers what they say when they do.
 */
import { evaluateTransaction } from '../../../shared/domain/aml/rules';
import { entryOf } from '../../../shared/domain/aml/window';
import { DAY, HOUR, SECOND, at, history, onlyRule, tx } from '../../support/aml-fixtures';

const summaries = (...args: Parameters<typeof evaluateTransaction>) =>
  evaluateTransaction(...args).map((h) => h.summary);

describe('amounts in alert summaries', () => {
  /** The large-transaction rule with a 0.01 USD threshold: its summary shows any amount. */
  const policy = onlyRule('large.ctr', (r) => {
    if (r.type === 'large_transaction') r.params.thresholdUsd = 0.01;
  });
  const shown = (amountUsd: number) =>
    summaries(policy, tx({ amountUsd }), [])[0]?.replace(
      /^Large transaction: (.*) \(over 0\.01 USD\)$/,
      '$1',
    );

  it('groups thousands with commas', () => {
    expect(shown(999)).toBe('999 USD');
    expect(shown(1_000)).toBe('1,000 USD');
    expect(shown(12_345)).toBe('12,345 USD');
    expect(shown(100_000)).toBe('100,000 USD');
    expect(shown(1_234_567)).toBe('1,234,567 USD');
    expect(shown(1_000_000_000)).toBe('1,000,000,000 USD');
  });

  it('shows cents only when there are some, without a trailing zero', () => {
    expect(shown(12_345.6)).toBe('12,345.6 USD');
    expect(shown(12_345.06)).toBe('12,345.06 USD');
    expect(shown(1_234_567.89)).toBe('1,234,567.89 USD');
    expect(shown(0.07)).toBe('0.07 USD');
    expect(shown(0.5)).toBe('0.5 USD');
  });

  it('rounds to the cent, carrying into the whole amount', () => {
    expect(shown(1_999.996)).toBe('2,000 USD');
    expect(shown(10_000.014)).toBe('10,000.01 USD');
    expect(shown(10_000.016)).toBe('10,000.02 USD');
  });
});

describe('windows in alert summaries', () => {
  const velocity = (windowSeconds: number) =>
    summaries(
      onlyRule('velocity.count.1h', (r) => {
        if (r.type === 'velocity_count') {
          r.params.windowSeconds = windowSeconds;
          r.params.maxCount = 1;
        }
      }),
      tx(),
      history([-SECOND]),
    )[0];

  it('writes hours up to two days, days beyond, and minutes or seconds for what is not whole hours', () => {
    expect(velocity(3_600)).toBe('Velocity: 2 transactions within 1h (limit 1)');
    expect(velocity(86_400)).toBe('Velocity: 2 transactions within 24h (limit 1)');
    expect(velocity(172_800)).toBe('Velocity: 2 transactions within 48h (limit 1)');
    expect(velocity(259_200)).toBe('Velocity: 2 transactions within 3d (limit 1)');
    expect(velocity(262_800)).toBe('Velocity: 2 transactions within 73h (limit 1)');
    expect(velocity(5_400)).toBe('Velocity: 2 transactions within 90min (limit 1)');
    expect(velocity(90)).toBe('Velocity: 2 transactions within 90s (limit 1)');
  });
});

describe('each rule of the bundled policy says what it saw', () => {
  it('velocity by count', () => {
    const six = history([-50, -40, -30, -20, -10].map((m) => m * 60 * SECOND));
    expect(summaries(onlyRule('velocity.count.1h'), tx(), six)).toEqual([
      'Velocity: 6 transactions within 1h (limit 5)',
    ]);
  });

  it('velocity by amount', () => {
    const prior = history([-20 * HOUR, -10 * HOUR], 10_000);
    expect(summaries(onlyRule('velocity.amount.24h'), tx({ amountUsd: 5_000.01 }), prior)).toEqual([
      'Velocity: 25,000.01 USD within 24h (limit 25,000 USD)',
    ]);
  });

  it('large transaction', () => {
    expect(summaries(onlyRule('large.ctr'), tx({ amountUsd: 12_500.5 }), [])).toEqual([
      'Large transaction: 12,500.5 USD (over 10,000 USD)',
    ]);
  });

  it('structuring', () => {
    const two = history([-5 * HOUR, -3 * HOUR], 9_500);
    expect(summaries(onlyRule('structuring.24h'), tx({ amountUsd: 9_999.99 }), two)).toEqual([
      'Structuring: 3 transactions of 8,000 USD to 10,000 USD within 24h, 28,999.99 USD in total',
    ]);
  });

  it('restricted jurisdiction, with the country named once however many parties are there', () => {
    expect(
      summaries(
        onlyRule('geo.ofac-comprehensive'),
        tx({ customerCountry: 'CU', counterparty: { country: 'CU' } }),
        [],
      ),
    ).toEqual(['Restricted jurisdiction: CU (Cuba) on list ofac-comprehensive']);
  });

  it('sanctions and PEP matches name the listed entry and the score', () => {
    const [sanctions] = summaries(
      onlyRule('sanctions.ofac-sdn'),
      tx({ counterparty: { name: 'Nicolas Maduro' } }),
      [],
    );
    expect(sanctions).toBe(
      'Sanctions match: counterparty resembles ofac-sdn entry 22790 (MADURO MOROS, Nicolas), score 1.000',
    );
    const [pep] = summaries(
      onlyRule('pep.screening'),
      tx({ counterparty: { name: 'Marta Varela Ostrovsky' } }),
      [],
    );
    expect(pep).toBe(
      'PEP match: counterparty resembles pep entry 900001 (VARELA OSTROVSKY, Marta Ines), score 0.975',
    );
  });

  it('new account: the amount and the account age in whole days', () => {
    const young = tx({ accountOpenedAt: at(-(2 * DAY + 23 * HOUR)), amountUsd: 5_000 });
    expect(summaries(onlyRule('new-account.high-value'), young, [])).toEqual([
      'New account: 5,000 USD on an account opened 2 day(s) earlier',
    ]);
  });

  it('round amounts', () => {
    const round = [-10 * DAY, -DAY].map((o) =>
      entryOf(tx({ occurredAt: at(o), amount: '2000', currency: 'USD', amountUsd: 2000 })),
    );
    expect(summaries(onlyRule('round-amount.30d'), tx({ amount: '5000', amountUsd: 5000 }), round)).toEqual([
      'Round amounts: 3 round-figure transactions within 30d',
    ]);
  });
});
