/**
 * A user's window state: what the velocity and structuring rules can still see. An officer notices a window
 * that forgot a recent transaction (a missed alert) or remembered one twice or too long (a false alert).
 */
import {
  appendEntry,
  entryOf,
  withoutEntriesAfter,
  type WindowEntry,
} from '../../../shared/domain/aml/window';
import { HOUR, at, tx } from '../../support/aml-fixtures';

const entry = (t: number, i = `w${t}`): WindowEntry => ({ i, t, u: 100, k: 'DEPOSIT', a: '100', c: 'USD' });
const ids = (entries: readonly WindowEntry[]) => entries.map((e) => e.i);

describe('window entries', () => {
  it('keep the id, event time, USD value, type, nominal amount and currency of a transaction', () => {
    const t = tx({
      transactionId: 'tx-w',
      occurredAt: at(5000),
      amountUsd: 2710.5,
      type: 'WITHDRAWAL',
      amount: '2500.00',
      currency: 'EUR',
    });
    expect(entryOf(t)).toEqual({
      i: 'tx-w',
      t: Date.parse(at(5000)),
      u: 2710.5,
      k: 'WITHDRAWAL',
      a: '2500.00',
      c: 'EUR',
    });
  });
});

describe('appending to the window', () => {
  it('keeps transactions in time order whatever order they arrive in', () => {
    let w: WindowEntry[] = [];
    for (const t of [30, 10, 40, 20, 0]) w = appendEntry(w, entry(t), HOUR, 10);
    expect(ids(w)).toEqual(['w0', 'w10', 'w20', 'w30', 'w40']);
  });

  it('orders transactions of the same millisecond by id, so both paths build the same window', () => {
    let w = appendEntry([], entry(10, 'b'), HOUR, 10);
    w = appendEntry(w, entry(10, 'c'), HOUR, 10);
    w = appendEntry(w, entry(10, 'a'), HOUR, 10);
    w = appendEntry(w, entry(5, 'z'), HOUR, 10);
    expect(ids(w)).toEqual(['z', 'a', 'b', 'c']);
  });

  it('counts a redelivered transaction once, even when it is not the newest', () => {
    const w = [entry(0), entry(10), entry(20)];
    const again = appendEntry(w, entry(10), HOUR, 10);
    expect(ids(again)).toEqual(['w0', 'w10', 'w20']);
  });

  it('forgets an entry exactly one retention period older than the newest, keeps one a millisecond younger', () => {
    const w = appendEntry([entry(0), entry(1)], entry(HOUR), HOUR, 10);
    expect(ids(w)).toEqual(['w1', `w${HOUR}`]);
  });

  it('prunes relative to the newest entry, not the one just added: a late arrival already too old is dropped', () => {
    const w = appendEntry([entry(HOUR + 1), entry(3 * HOUR)], entry(1), 2 * HOUR, 10);
    expect(ids(w)).toEqual([`w${HOUR + 1}`, `w${3 * HOUR}`]);
    const inside = appendEntry([entry(HOUR + 1), entry(3 * HOUR)], entry(HOUR + 2), 2 * HOUR, 10);
    expect(ids(inside)).toEqual([`w${HOUR + 1}`, `w${HOUR + 2}`, `w${3 * HOUR}`]);
  });

  it('keeps at most the newest maxEntries', () => {
    let w: WindowEntry[] = [];
    for (let t = 0; t < 6; t++) w = appendEntry(w, entry(t), HOUR, 4);
    expect(ids(w)).toEqual(['w2', 'w3', 'w4', 'w5']);
  });

  it('keeps nothing when no rule reads a window (a policy without windows retains 0 ms)', () => {
    expect(appendEntry([entry(0), entry(5)], entry(10), 0, 10)).toEqual([]);
  });

  it('keeps the first entry of an empty window', () => {
    expect(ids(appendEntry([], entry(7), HOUR, 4))).toEqual(['w7']);
  });
});

describe('entries dated in the future', () => {
  it('are dropped when later than the bound; one exactly at the bound stays', () => {
    const w = [entry(0), entry(100), entry(101)];
    expect(ids(withoutEntriesAfter(w, 100))).toEqual(['w0', 'w100']);
  });
});
