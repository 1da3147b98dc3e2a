/**
 * The rules a desk reads the health of a portfolio by. Pure (no DOM) so they are unit-tested at exact
 * boundary values; every view draws through them.
 *
 * Zones of the 0–100 gauge, with the policy thresholds of the view (defaults 50/30/15), inclusive the way
 * the thresholds are (a score EQUAL to a threshold belongs to the healthier state, as classifyHealth says):
 *   LIQUIDATION  [0, liquidation)      MARGIN_CALL  [liquidation, marginCall)
 *   WARNING      [marginCall, warning) HEALTHY      [warning, 100]
 * The zone says where the score is; the label and colour say the STATE from the view: the state machine's,
 * with hysteresis, so a recovering portfolio may sit in the WARNING zone while still labelled MARGIN_CALL.
 */
import type { HealthState, MarginThresholds } from '../../sdk/src/index.js';

export const HEALTH_STATES: readonly HealthState[] = ['LIQUIDATION', 'MARGIN_CALL', 'WARNING', 'HEALTHY'];

const RANK: Record<HealthState, number> = { HEALTHY: 0, WARNING: 1, MARGIN_CALL: 2, LIQUIDATION: 3 };

/** Higher is riskier: sorts and compares states. */
export function riskRank(state: HealthState): number {
  return RANK[state];
}

/**
 * Riskiest first by the STATE (the state machine's), then the lowest score, no debt last, then by id. The API
 * orders by score alone, which puts a portfolio held in MARGIN_CALL at 31 below a WARNING one at 30.
 */
export function byRisk<P extends { state: HealthState; healthScore: number | null; portfolioId: string }>(
  a: P,
  b: P,
): number {
  const rank = riskRank(b.state) - riskRank(a.state);
  if (rank !== 0) return rank;
  if (a.healthScore !== b.healthScore) {
    if (a.healthScore === null) return 1;
    if (b.healthScore === null) return -1;
    return a.healthScore - b.healthScore;
  }
  return a.portfolioId < b.portfolioId ? -1 : a.portfolioId > b.portfolioId ? 1 : 0;
}

/** Where a score sits among the thresholds; null when there is no debt (no score). */
export function zoneOf(score: number | null, t: MarginThresholds): HealthState | null {
  if (score === null) return null;
  if (score < t.liquidation) return 'LIQUIDATION';
  if (score < t.marginCall) return 'MARGIN_CALL';
  if (score < t.warning) return 'WARNING';
  return 'HEALTHY';
}

export interface GaugeZone {
  state: HealthState;
  /** Inclusive. */
  from: number;
  /** Exclusive, except HEALTHY's, which ends the dial at 100 inclusive. */
  to: number;
}

export const GAUGE_MIN = 0;
export const GAUGE_MAX = 100;

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** The dial's zones, clipped to 0–100; a zone that falls wholly outside the dial is left out. */
export function gaugeZones(t: MarginThresholds): GaugeZone[] {
  const bounds: [HealthState, number, number][] = [
    ['LIQUIDATION', GAUGE_MIN, t.liquidation],
    ['MARGIN_CALL', t.liquidation, t.marginCall],
    ['WARNING', t.marginCall, t.warning],
    ['HEALTHY', t.warning, GAUGE_MAX],
  ];
  return bounds
    .map(([state, from, to]) => ({
      state,
      from: clamp(from, GAUGE_MIN, GAUGE_MAX),
      to: clamp(to, GAUGE_MIN, GAUGE_MAX),
    }))
    .filter((z) => z.to > z.from);
}

/** Where the needle is drawn: the score clamped to the dial (the label keeps the real value); null: none. */
export function needleValue(score: number | null): number | null {
  return score === null ? null : clamp(score, GAUGE_MIN, GAUGE_MAX);
}

/**
 * A score for display, rounded toward more risk (down) to one decimal: 29.99 → "29.9", never "30.0",
 * so a figure never looks healthier than it is. No debt is "No debt" (not a number, not ∞).
 */
export function formatScore(score: number | null): string {
  if (score === null) return 'No debt';
  if (!Number.isFinite(score)) return 'Unavailable';
  // toFixed after floor: the floor has already decided the digit, toFixed only prints it.
  const down = Math.floor(score * 10) / 10;
  return (down === 0 ? 0 : down).toFixed(1);
}

/** The state's label (the code itself: it is what alerts and the API say). */
export function stateLabel(state: HealthState): string {
  return state;
}

export interface StateColours {
  /** Badge and zone fill. */
  background: string;
  /** Text on that background (contrast ≥ 4.5:1). */
  text: string;
  /** A one-character marker, so the state never rests on colour alone even without the label. */
  marker: string;
}

export const STATE_COLOURS: Record<HealthState, StateColours> = {
  HEALTHY: { background: '#1b7f3b', text: '#ffffff', marker: '●' },
  WARNING: { background: '#f2c230', text: '#1f1a00', marker: '▲' },
  MARGIN_CALL: { background: '#c62828', text: '#ffffff', marker: '◆' },
  LIQUIDATION: { background: '#5c0011', text: '#ffffff', marker: '✖' },
};

/**
 * When the state is riskier than the score's zone, the state machine is holding it (hysteresis): the score
 * at which it leaves, i.e. the threshold above the state plus the recovery band. null when not held.
 */
export function heldUntil(
  state: HealthState,
  score: number | null,
  t: MarginThresholds,
  recoveryBand: number,
): number | null {
  const zone = zoneOf(score, t);
  if (zone === null || riskRank(state) <= riskRank(zone)) return null;
  const above: Record<HealthState, number | null> = {
    HEALTHY: null,
    WARNING: t.warning,
    MARGIN_CALL: t.marginCall,
    LIQUIDATION: t.liquidation,
  };
  const threshold = above[state];
  return threshold === null ? null : threshold + recoveryBand;
}

/**
 * A liquidation price's distance from the current price, rounded toward more risk (toward zero: the move
 * shown is never larger than the real one), with the direction that reaches it.
 */
export function formatDistance(changeFraction: number | null, direction: 'falls' | 'rises' | null): string {
  if (changeFraction === null || direction === null) return 'Not reachable by this asset alone';
  // Strictly past it (a score equal to the threshold is not yet in liquidation, so exactly 0 is not reached).
  const reached = direction === 'falls' ? changeFraction > 0 : changeFraction < 0;
  if (reached) return `Reached (price ${direction === 'falls' ? 'below' : 'above'} it)`;
  const move = direction === 'falls' ? 'fall' : 'rise';
  const tenths = Math.trunc(Math.abs(changeFraction) * 1000) / 10;
  return tenths === 0 ? `< 0.1 % ${move}` : `${tenths.toFixed(1)} % ${move}`;
}

/** Data older than `boundMs` (or undated) is stale. */
export function isStale(asOf: string | null, nowMs: number, boundMs: number): boolean {
  if (asOf === null) return true;
  const t = Date.parse(asOf);
  return !Number.isFinite(t) || nowMs - t > boundMs;
}

/** A zone's range in words, inclusive the way the thresholds are. */
export function zoneRange(zone: HealthState, t: MarginThresholds): string {
  switch (zone) {
    case 'LIQUIDATION':
      return `score < ${t.liquidation}`;
    case 'MARGIN_CALL':
      return `${t.liquidation} ≤ score < ${t.marginCall}`;
    case 'WARNING':
      return `${t.marginCall} ≤ score < ${t.warning}`;
    case 'HEALTHY':
      return `score ≥ ${t.warning}`;
  }
}
