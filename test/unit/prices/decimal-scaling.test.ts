/**
 * Oracle integers scaled to USD: a Chainlink answer with 8 decimals or a Pyth price with expo −8 must become
 * the same dollar figure; a wrong shift turns $2,500 into $25 or $250,000.
 */
import { parseIntegerString, scaledToNumber } from '../../../shared/domain/prices/decimal';

describe('scaling oracle integers', () => {
  it('gives the same dollars for a Chainlink answer (8 decimals) and a Pyth price (expo −8)', () => {
    expect(scaledToNumber(250012345678n, -8)).toBe(2500.12345678);
    expect(scaledToNumber(100000000n, -8)).toBe(1);
    expect(scaledToNumber(99999999n, -8)).toBe(0.99999999);
  });

  it('shifts by exactly the exponent, for 18-decimal answers too', () => {
    expect(scaledToNumber(1n, -18)).toBe(1e-18);
    expect(scaledToNumber(10n ** 18n, -18)).toBe(1);
    expect(scaledToNumber(7n, 1)).toBe(70);
    expect(scaledToNumber(0n, 5)).toBe(0);
    expect(scaledToNumber(-3n, 2)).toBe(-300);
  });

  it('refuses a fractional or non-numeric exponent instead of guessing a scale', () => {
    expect(() => scaledToNumber(1n, 0.5)).toThrow(new RangeError('exponent must be an integer, got 0.5'));
    expect(() => scaledToNumber(1n, Number.NaN)).toThrow('exponent must be an integer, got NaN');
  });

  it('reads signed integer strings whole, and nothing that merely contains one', () => {
    expect(parseIntegerString('0')).toBe(0n);
    expect(parseIntegerString('-9223372036854775808')).toBe(-9223372036854775808n);
    for (const bad of ['1 ', '12a', 'a12', '--1', '-', '+1', '0x10', '1_000']) {
      expect(parseIntegerString(bad)).toBeUndefined();
    }
  });
});
