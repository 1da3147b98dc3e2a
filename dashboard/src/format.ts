/** Number and time formatting shared by every tile. Pure (no DOM). */

const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const PRICE = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumSignificantDigits: 6,
});

/** Whole dollars (collateral, borrow, exposure). */
export function formatUsd(value: number): string {
  return USD.format(Math.round(value) + 0);
}

/** A loss figure (VaR, ES) in whole dollars rounded up: toward more risk. */
export function formatLossUsd(value: number): string {
  return USD.format(Math.ceil(value) + 0);
}

/** A unit price, up to six significant digits. */
export function formatPrice(value: number | null): string {
  return value === null ? '—' : PRICE.format(value);
}

/** −0.2 → "−20 %". */
export function formatFraction(fraction: number): string {
  const pct = Math.round(fraction * 1000) / 10;
  return `${pct < 0 ? '−' : ''}${Math.abs(pct)} %`;
}

/** 0.99 → "99 %"; 0.975 → "97.5 %". */
export function formatConfidence(confidence: number): string {
  return `${Math.round(confidence * 1000) / 10} %`;
}

/** An ISO time as the desk reads it: UTC, to the second. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

/** How long ago, coarse: "12 s ago", "3 min ago", "2 h ago". */
export function formatAge(iso: string, nowMs: number): string {
  const ms = nowMs - Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  if (ms < 0) return 'in the future';
  const s = Math.floor(ms / 1000);
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}
