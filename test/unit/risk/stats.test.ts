/** The backtests' p-values and traffic light stand on these helpers: checked against closed forms. */
import { binomialCdf, chiSquareSurvival, gammaQ, lnGamma, xlny } from '../../../shared/domain/risk/stats';

describe('lnGamma', () => {
  it.each([
    [1, 0],
    [2, 0],
    [5, Math.log(24)],
    [1.5, Math.log(Math.sqrt(Math.PI) / 2)],
    [0.5, Math.log(Math.sqrt(Math.PI))],
    // Below 0.5 by the reflection formula: Γ(1/4) = 3.625609908221908…
    [0.25, Math.log(3.625609908221908)],
    // Near zero, where the series alone drifts by 3e-11: ln Γ(x) = −ln x − γx + (π²/12)x² + O(x³).
    [1e-6, -Math.log(1e-6) - 0.5772156649015329e-6 + (Math.PI ** 2 / 12) * 1e-12],
    [10.5, 13.940625219403763],
  ])('ln Γ(%p) = %p', (x, expected) => {
    expect(lnGamma(x)).toBeCloseTo(expected, 12);
  });
});

describe('gammaQ, the regularized upper incomplete gamma', () => {
  it('is 1 at x ≤ 0', () => {
    expect(gammaQ(1, 0)).toBe(1);
    expect(gammaQ(2.5, -1)).toBe(1);
  });

  it('is e^−x for a = 1, below and above a + 1 (series and continued fraction)', () => {
    expect(gammaQ(1, 0.5)).toBeCloseTo(Math.exp(-0.5), 14);
    expect(gammaQ(1, 3)).toBeCloseTo(Math.exp(-3), 14);
    expect(gammaQ(1, 40) / Math.exp(-40)).toBeCloseTo(1, 12);
  });

  it('is e^−x (1 + x) for a = 2', () => {
    expect(gammaQ(2, 1)).toBeCloseTo(2 / Math.E, 14);
    expect(gammaQ(2, 4)).toBeCloseTo(5 * Math.exp(-4), 14);
  });
});

describe('chiSquareSurvival (p-value of a likelihood ratio)', () => {
  it('is 1 for a statistic of 0, negative or not a number', () => {
    expect(chiSquareSurvival(0, 1)).toBe(1);
    expect(chiSquareSurvival(-2, 2)).toBe(1);
    expect(chiSquareSurvival(Number.NaN, 1)).toBe(1);
  });

  it('gives 5 % at the 5 % critical values of one and two degrees of freedom', () => {
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 12);
    expect(chiSquareSurvival(5.991464547107979, 2)).toBeCloseTo(0.05, 14);
  });

  it('with two degrees of freedom is exactly e^(−x/2)', () => {
    for (const x of [0.3, 1, 5.991464547107979, 12]) expect(chiSquareSurvival(x, 2)).toBe(Math.exp(-x / 2));
  });

  it('with one degree of freedom is not the two-degree formula', () => {
    // P(χ²₁ > 1) = erfc(1/√2) = 0.31731050786291415
    expect(chiSquareSurvival(1, 1)).toBeCloseTo(0.31731050786291415, 12);
  });

  it('with four degrees of freedom is e^(−x/2)(1 + x/2)', () => {
    expect(chiSquareSurvival(2, 4)).toBeCloseTo(2 / Math.E, 14);
    expect(chiSquareSurvival(8, 4)).toBeCloseTo(5 * Math.exp(-4), 14);
  });
});

describe('binomialCdf', () => {
  it('three fair coin flips: 1/8, 1/2, 7/8, 1', () => {
    expect(binomialCdf(0, 3, 0.5)).toBeCloseTo(0.125, 14);
    expect(binomialCdf(1, 3, 0.5)).toBeCloseTo(0.5, 14);
    expect(binomialCdf(2, 3, 0.5)).toBeCloseTo(0.875, 14);
    expect(binomialCdf(3, 3, 0.5)).toBe(1);
  });

  it('is 0 below zero exceptions and 1 from n on', () => {
    expect(binomialCdf(-1, 3, 0.5)).toBe(0);
    expect(binomialCdf(-1, 3, 0)).toBe(0); // below zero comes first, even when exceptions are impossible
    expect(binomialCdf(4, 3, 0.5)).toBe(1);
  });

  it('is 1 when exceptions are impossible, and 0 short of n when they are certain', () => {
    expect(binomialCdf(0, 10, 0)).toBe(1);
    expect(binomialCdf(2, 10, 1)).toBe(0);
    // Every one of n days an exception, certain: F(n) = 1 still.
    expect(binomialCdf(10, 10, 1)).toBe(1);
  });

  it('does not underflow over a long history: 0.99^2000 for no exception in 2,000 days', () => {
    expect(binomialCdf(0, 2000, 0.01) / Math.pow(0.99, 2000)).toBeCloseTo(1, 10);
    expect(binomialCdf(0, 2000, 0.01)).toBeGreaterThan(0);
  });
});

describe('xlny', () => {
  it('is 0 when x is 0, even at y = 0', () => {
    expect(xlny(0, 0)).toBe(0);
    expect(xlny(0, 0.3)).toBe(0);
  });

  it('is x·ln y otherwise', () => {
    expect(xlny(2, Math.E)).toBeCloseTo(2, 15);
    expect(xlny(3, 0.5)).toBeCloseTo(3 * Math.log(0.5), 15);
  });
});
