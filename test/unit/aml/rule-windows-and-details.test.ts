/**
 * The edges rules.test.ts leaves out: which entries share a window with a late or redelivered transaction,
 * the first day a jurisdiction listing applies, what a jurisdiction, obfuscation, structuring or round-amount
 * alert records in its details, and the smallest round amount.
 */
import { evaluateTransaction, isRoundAmount } from '../../../shared/domain/aml/rules';
import { entryOf } from '../../../shared/domain/aml/window';
import {
  DAY,
  HOUR,
  at,
  defaultPolicyDocument,
  history,
  onlyRule,
  tx,
  withDocument,
} from '../../support/aml-fixtures';

const MIN = 60_000;
const velocity = onlyRule('velocity.count.1h'); // more than 5 in an hour

describe('which transactions share a window', () => {
  it('leaves out an entry exactly an hour after the transaction', () => {
    // Four in (0, 40 min] and one at 60 min: no hour holds six with the transaction.
    const after = history([10, 20, 30, 40, 60].map((m) => m * MIN));
    expect(evaluateTransaction(velocity, tx(), after)).toEqual([]);
    expect(
      evaluateTransaction(velocity, tx(), history([10, 20, 30, 40, 59].map((m) => m * MIN))),
    ).toHaveLength(1);
  });

  it("leaves out of a later entry's window what is exactly an hour older than it", () => {
    // The window ending at +20 min is (−40 min, +20 min]: the entry at −40 min is not in it.
    const around = history([-40, -30, -20, 10, 20].map((m) => m * MIN));
    expect(evaluateTransaction(velocity, tx(), around)).toEqual([]);
    const inside = history([-39, -30, -20, 10, 20].map((m) => m * MIN));
    expect(evaluateTransaction(velocity, tx(), inside)[0]?.details).toEqual({
      windowSeconds: 3600,
      count: 6,
      maxCount: 5,
      windowEnd: at(20 * MIN),
    });
  });

  it('counts transactions at the same instant as the transaction', () => {
    expect(evaluateTransaction(velocity, tx(), history([0, 0, 0, 0, 0]))).toHaveLength(1);
  });

  it('counts a redelivered transaction once, though the history already holds it', () => {
    const current = tx();
    const four = history([-40, -30, -20, -10].map((m) => m * MIN));
    expect(evaluateTransaction(velocity, current, [...four, entryOf(current)])).toEqual([]);
    expect(evaluateTransaction(velocity, current, [...four, ...history([-5 * MIN])])).toHaveLength(1);
  });

  it('judges on the busiest window, not the latest one', () => {
    // Five in the hour before, one 55 minutes after: the quieter later window does not hide the busy one.
    const hits = evaluateTransaction(
      velocity,
      tx(),
      history([-50, -40, -30, -20, -10, 55].map((m) => m * MIN)),
    );
    expect(hits.map((h) => h.details)).toEqual([{ windowSeconds: 3600, count: 6, maxCount: 5 }]);
  });

  it("reports the transaction's own window when a later one is only as busy", () => {
    // (−60, 0] holds five before it; (−55, +5] holds four of them and one after: a tie, no windowEnd.
    const tie = history([-55, -40, -30, -20, -10, 5].map((m) => m * MIN));
    expect(evaluateTransaction(velocity, tx(), tie)[0]?.details).toEqual({
      windowSeconds: 3600,
      count: 6,
      maxCount: 5,
    });
  });
});

describe('structuring details', () => {
  it('lists the latest 20 transactions of the run in time order, a late arrival in its place', () => {
    const band = history(
      Array.from({ length: 24 }, (_, i) => -(24 - i) * 30 * MIN),
      9_000,
    );
    const late = tx({ amountUsd: 9_000, occurredAt: at(-30 * MIN - 1) });
    const later = history([-MIN], 9_000);
    const hit = evaluateTransaction(onlyRule('structuring.24h'), late, [...later, ...band])[0];
    expect(hit.details.count).toBe(26);
    const ids = hit.details.transactionIds as string[];
    const all = [...band, ...later, { i: late.transactionId, t: Date.parse(late.occurredAt) }].sort(
      (a, b) => a.t - b.t,
    );
    expect(ids).toEqual(all.slice(-20).map((e) => e.i));
    expect(ids.at(-3)).toBe(late.transactionId);
  });
});

describe('jurisdiction listings', () => {
  const bolivia = (day: string) => tx({ occurredAt: `${day}T10:00:00Z`, counterparty: { country: 'BO' } });

  it('apply from their first day, not before', () => {
    const grey = onlyRule('geo.fatf-increased-monitoring');
    expect(evaluateTransaction(grey, bolivia('2025-06-12'), [])).toEqual([]);
    expect(evaluateTransaction(grey, bolivia('2025-06-13'), [])).toHaveLength(1);
  });

  it('record the listing: name, note and the dates it applies between', () => {
    const syria = tx({ occurredAt: '2025-06-30T12:00:00Z', counterparty: { country: 'SY' } });
    expect(evaluateTransaction(onlyRule('geo.ofac-comprehensive'), syria, [])[0].details.matches).toEqual([
      {
        party: 'counterparty',
        code: 'SY',
        name: 'Syria',
        note: 'Comprehensive program terminated by EO 14312; targeted (Assad-related) designations remain on the SDN list',
        effectiveFrom: '2004-05-11',
        effectiveTo: '2025-07-01',
      },
    ]);
    const [hit] = evaluateTransaction(
      onlyRule('geo.fatf-call-for-action'),
      tx({ customerCountry: 'MM' }),
      [],
    );
    expect(hit.details.matches).toEqual([
      { party: 'customer', code: 'MM', name: 'Myanmar', effectiveFrom: '2022-10-21' },
    ]);
    expect(hit.summary).toBe('Restricted jurisdiction: MM (Myanmar) on list fatf-call-for-action');
    const both = tx({ customerCountry: 'IR', counterparty: { country: 'CU' } });
    expect(evaluateTransaction(onlyRule('geo.ofac-comprehensive'), both, [])[0].summary).toBe(
      'Restricted jurisdiction: CU (Cuba), IR (Iran) on list ofac-comprehensive',
    );
  });

  it('name a listed code by its code alone when the list gives no name', () => {
    const doc = defaultPolicyDocument();
    doc.rules = doc.rules.filter((r) => r.id === 'geo.fatf-call-for-action');
    const list = doc.jurisdictionLists['fatf-call-for-action'];
    if (!list) throw new Error('the bundled policy has no fatf-call-for-action list');
    list.entries = list.entries.map(({ name: _name, ...e }) => e);
    const [hit] = evaluateTransaction(withDocument(doc), tx({ customerCountry: 'MM' }), []);
    expect(hit.summary).toBe('Restricted jurisdiction: MM on list fatf-call-for-action');
    expect(hit.details.matches).toEqual([{ party: 'customer', code: 'MM', effectiveFrom: '2022-10-21' }]);
  });
});

describe('obfuscated counterparty names', () => {
  const summary = (name: string) =>
    evaluateTransaction(onlyRule('sanctions.name-obfuscation'), tx({ counterparty: { name } }), [])[0]
      ?.summary;

  it('say what disguised the name', () => {
    expect(summary('Margaret Th\u043Ernbury')).toBe(
      'Sanctions screening: counterparty name is obfuscated (mixed scripts in Th\u043Ernbury)',
    );
    expect(summary('\uFF2D\uFF41\uFF52\uFF47\uFF41\uFF52\uFF45\uFF54 Thorn\u200Bbury')).toBe(
      'Sanctions screening: counterparty name is obfuscated (invisible characters U+200B; styled letters \uFF2D\uFF41\uFF52\uFF47\uFF45\uFF54)',
    );
    expect(summary('\uFF27\uFF41\uFF52\uFF41 Mar\u043Egaret\u200B')).toBe(
      'Sanctions screening: counterparty name is obfuscated (invisible characters U+200B; mixed scripts in Mar\u043Egaret; styled letters \uFF27\uFF41\uFF52)',
    );
  });

  it('list every character and word that disguised it', () => {
    expect(summary('Mar\u200Bgaret Th\u043Ernbury\u00AD W\u0430lsh')).toBe(
      'Sanctions screening: counterparty name is obfuscated (invisible characters U+200B U+00AD; mixed scripts in Th\u043Ernbury, W\u0430lsh)',
    );
  });

  it('and which listed entry the name still resembles', () => {
    expect(summary('Gar\u200Bantex Europe')).toBe(
      'Sanctions screening: counterparty name is obfuscated (invisible characters U+200B); resembles ofac-sdn entry 33562 (GARANTEX EUROPE OU), score 0.981',
    );
  });

  it('raise nothing for a plain name', () => {
    expect(summary('Margaret Thornbury')).toBeUndefined();
  });
});

describe('round amounts', () => {
  it('count the smallest round amount the rule names', () => {
    expect(isRoundAmount('1000', 1000, 1000)).toBe(true);
    expect(isRoundAmount('1000.00', 1000, 2000)).toBe(false);
  });

  it('record the amount, currency and the rule it met', () => {
    const round = [-10 * DAY, -HOUR].map((o) =>
      entryOf(tx({ occurredAt: at(o), amount: '2000', currency: 'EUR', amountUsd: 2100 })),
    );
    const [hit] = evaluateTransaction(
      onlyRule('round-amount.30d'),
      tx({ amount: '5000.00', currency: 'USDC', amountUsd: 5000 }),
      round,
    );
    expect(hit.details).toEqual({
      amount: '5000.00',
      currency: 'USDC',
      multipleOf: 1000,
      count: 3,
      minCount: 3,
      windowSeconds: 2_592_000,
    });
  });
});
