import {
  byRisk,
  formatDistance,
  formatScore,
  gaugeZones,
  heldUntil,
  isStale,
  needleValue,
  STATE_COLOURS,
  zoneOf,
  zoneRange,
} from '../../dashboard/src/health-display';
import { classifyHealth } from '../../shared/domain/risk/margin';

const T = { warning: 50, marginCall: 30, liquidation: 15 };

describe('health display rules', () => {
  it.each([
    [50, 'HEALTHY'],
    [49.999999, 'WARNING'],
    [30, 'WARNING'],
    [29.999999, 'MARGIN_CALL'],
    [15, 'MARGIN_CALL'],
    [14.999999, 'LIQUIDATION'],
    [0, 'LIQUIDATION'],
    [-40, 'LIQUIDATION'],
    [250, 'HEALTHY'],
  ])(
    'puts score %p in the %s zone, as classifyHealth does (equal to a threshold: the healthier zone)',
    (score, zone) => {
      expect(zoneOf(score, T)).toBe(zone);
      expect(zoneOf(score, T)).toBe(classifyHealth(score, T));
    },
  );

  it('has no zone without debt', () => {
    expect(zoneOf(null, T)).toBeNull();
  });

  it('draws zones that meet exactly, without overlap or gap, clipped to 0–100', () => {
    expect(gaugeZones(T)).toEqual([
      { state: 'LIQUIDATION', from: 0, to: 15 },
      { state: 'MARGIN_CALL', from: 15, to: 30 },
      { state: 'WARNING', from: 30, to: 50 },
      { state: 'HEALTHY', from: 50, to: 100 },
    ]);
    expect(gaugeZones({ warning: 120, marginCall: 110, liquidation: 105 }).map((z) => z.state)).toEqual([
      'LIQUIDATION',
    ]);
    expect(zoneRange('WARNING', T)).toBe('30 ≤ score < 50');
    expect(zoneRange('HEALTHY', T)).toBe('score ≥ 50');
    expect(zoneRange('LIQUIDATION', T)).toBe('score < 15');
  });

  it('clamps the needle to the dial but not the label', () => {
    expect(needleValue(-12.5)).toBe(0);
    expect(needleValue(250)).toBe(100);
    expect(needleValue(29.99)).toBe(29.99);
    expect(needleValue(null)).toBeNull();
    expect(formatScore(250)).toBe('250.0');
    expect(formatScore(-12.57)).toBe('-12.6');
  });

  it.each([
    [29.99, '29.9'],
    [29.999999, '29.9'],
    [30, '30.0'],
    [15, '15.0'],
    [14.96, '14.9'],
    [49.95, '49.9'],
    [0.04, '0.0'],
    [-0.04, '-0.1'],
    [100, '100.0'],
  ])('rounds %p toward more risk (down) to %p', (score, shown) => {
    expect(formatScore(score)).toBe(shown);
  });

  it('shows no debt as "No debt", never a number or ∞', () => {
    expect(formatScore(null)).toBe('No debt');
    expect(formatScore(Number.POSITIVE_INFINITY)).toBe('Unavailable');
  });

  it('says how long hysteresis holds a state, and only when the state is riskier than the zone', () => {
    expect(heldUntil('MARGIN_CALL', 31, T, 2)).toBe(32);
    expect(heldUntil('MARGIN_CALL', 29, T, 2)).toBeNull();
    expect(heldUntil('LIQUIDATION', 16, T, 2)).toBe(17);
    expect(heldUntil('WARNING', 50, T, 2)).toBe(52);
    expect(heldUntil('HEALTHY', 10, T, 2)).toBeNull();
    expect(heldUntil('MARGIN_CALL', null, T, 2)).toBeNull();
  });

  it('shows the distance to a liquidation price toward more risk (never farther than it is)', () => {
    expect(formatDistance(-0.23456, 'falls')).toBe('23.4 % fall');
    expect(formatDistance(0.1299, 'rises')).toBe('12.9 % rise');
    expect(formatDistance(0.05, 'falls')).toBe('Reached (price below it)');
    expect(formatDistance(-1e-9, 'rises')).toBe('Reached (price above it)');
    // Exactly at it the score equals the liquidation threshold: not yet liquidated, any further move is.
    expect(formatDistance(0, 'rises')).toBe('< 0.1 % rise');
    expect(formatDistance(-0.00099, 'falls')).toBe('< 0.1 % fall');
    expect(formatDistance(null, null)).toBe('Not reachable by this asset alone');
  });

  it('marks data stale past the bound, and undated data always', () => {
    const now = Date.parse('2026-01-01T00:03:00Z');
    expect(isStale('2026-01-01T00:00:00Z', now, 180_000)).toBe(false);
    expect(isStale('2026-01-01T00:00:00Z', now + 1, 180_000)).toBe(true);
    expect(isStale(null, now, 180_000)).toBe(true);
  });

  it('orders a desk by state first (hysteresis included), then score, no debt last', () => {
    const p = (
      portfolioId: string,
      state: 'HEALTHY' | 'WARNING' | 'MARGIN_CALL' | 'LIQUIDATION',
      healthScore: number | null,
    ) => ({
      portfolioId,
      state,
      healthScore,
    });
    const sorted = [
      p('warning-30', 'WARNING', 30),
      p('no-debt', 'HEALTHY', null),
      p('held-31', 'MARGIN_CALL', 31),
      p('b-healthy', 'HEALTHY', 80),
      p('a-healthy', 'HEALTHY', 80),
      p('call-20', 'MARGIN_CALL', 20),
    ].sort(byRisk);
    expect(sorted.map((x) => x.portfolioId)).toEqual([
      'call-20',
      'held-31',
      'warning-30',
      'a-healthy',
      'b-healthy',
      'no-debt',
    ]);
  });

  it('gives every state a distinct colour and marker', () => {
    const colours = Object.values(STATE_COLOURS);
    expect(new Set(colours.map((c) => c.background)).size).toBe(4);
    expect(new Set(colours.map((c) => c.marker)).size).toBe(4);
  });
});
