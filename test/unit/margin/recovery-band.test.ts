/**
 * A recovery band wider than the gap between two thresholds: a rising score may leave the portfolio where it
 * is, but never moves it to a worse state (health-state-machine.test.ts uses the default band of 2 points).
 */
import { nextHealthState, type HysteresisPolicy } from '../../../shared/domain/margin/health-state-machine';
import { DEFAULT_MARGIN_THRESHOLDS } from '../../../shared/domain/risk/margin';

const WIDE: HysteresisPolicy = { thresholds: DEFAULT_MARGIN_THRESHOLDS, recoveryBand: 20 };

describe('a recovery band wider than the gap between thresholds', () => {
  it('holds MARGIN_CALL on a score that clears it without clearing the band, and never liquidates', () => {
    // 31 is WARNING on its own; 31 − 20 = 11 would be LIQUIDATION: the portfolio stays in MARGIN_CALL.
    expect(nextHealthState('MARGIN_CALL', 31, WIDE)).toBe('MARGIN_CALL');
    expect(nextHealthState('WARNING', 51, WIDE)).toBe('WARNING');
  });

  it('recovers as far as the score clears the band', () => {
    expect(nextHealthState('LIQUIDATION', 50, WIDE)).toBe('WARNING');
    expect(nextHealthState('MARGIN_CALL', 70, WIDE)).toBe('HEALTHY');
  });
});
