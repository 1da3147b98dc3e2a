/**
 * The built-in policy as a risk manager reads it in the admin API: what it is, and a sentence per rule saying
 * what it forbids, consistent with the thresholds it actually enforces.
 */
import { DEFAULT_POLICY_ID, DEFAULT_RISK_POLICY } from '../../../shared/domain/controls/default-policy';
import { DEFAULT_HYSTERESIS } from '../../../shared/domain/margin/health-state-machine';

describe('the built-in default policy', () => {
  it('is global, in force since before any data, and judges margin by the built-in thresholds', () => {
    expect(DEFAULT_POLICY_ID).toBe('default');
    expect(DEFAULT_RISK_POLICY).toMatchObject({
      policyId: 'default',
      scope: { level: 'global' },
      enabled: true,
      priority: 0,
      breaker: { hardEvents: 5, windowSeconds: 60, per: 'portfolio' },
      prices: { maxAgeSeconds: 180 },
    });
    expect(DEFAULT_RISK_POLICY.margin).toEqual({
      ...DEFAULT_HYSTERESIS.thresholds,
      recoveryBand: DEFAULT_HYSTERESIS.recoveryBand,
    });
  });

  it('describes the thresholds and band it enforces', () => {
    const { warning, marginCall, liquidation, recoveryBand } = DEFAULT_RISK_POLICY.margin!;
    expect(DEFAULT_RISK_POLICY.description).toContain(`${warning}/${marginCall}/${liquidation}`);
    expect(DEFAULT_RISK_POLICY.description).toContain(`${recoveryBand}-point recovery band`);
  });

  it('explains each of its rules in a sentence', () => {
    expect(DEFAULT_RISK_POLICY.rules.map((r) => [r.ruleId, r.description])).toEqual([
      ['negative-equity', expect.stringMatching(/^Borrowed more than the collateral is worth\.$/)],
      ['no-action-into-margin-call', expect.stringMatching(/below the margin-call threshold\.$/)],
      ['action-into-warning', expect.stringMatching(/in the warning band is approved with a warning\.$/)],
    ]);
  });
});
