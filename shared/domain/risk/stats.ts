/** Small numerical helpers for the backtests: χ² survival and binomial CDF, no dependencies. */

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; ~1e-15 relative). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let i = 0; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularized upper incomplete gamma Q(a, x): series below a+1, continued fraction above (Numerical Recipes). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnPrefix = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    let ap = a;
    let sum = 1 / a;
    let del = sum;
    for (let n = 0; n < 1000; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-16) break;
    }
    return Math.max(0, 1 - sum * Math.exp(lnPrefix));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(lnPrefix) * h;
}

/** P(χ²_df > x), the p-value of a likelihood-ratio statistic. */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(x > 0)) return 1;
  // df = 2 has a closed form; keep it exact.
  if (df === 2) return Math.exp(-x / 2);
  return gammaQ(df / 2, x / 2);
}

/** F(x | n, p) = P(X ≤ x), X ~ Binomial(n, p); terms in log space so (1−p)^n cannot underflow for long n. */
export function binomialCdf(x: number, n: number, p: number): number {
  if (x < 0) return 0;
  if (x >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const lnP = Math.log(p);
  const lnQ = Math.log1p(-p);
  const lnN = lnGamma(n + 1);
  let sum = 0;
  for (let i = 0; i <= x; i++)
    sum += Math.exp(lnN - lnGamma(i + 1) - lnGamma(n - i + 1) + i * lnP + (n - i) * lnQ);
  return Math.min(1, sum);
}

/** x·ln(y) with the convention 0·ln 0 = 0 used by the likelihood ratios. */
export function xlny(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(y);
}
