/** checkRisk's answer is typed from its schema (the SDK's too): the domain's codes and states must be the schema's. */
import schema from '../../../schemas/api/check-risk-response.json';
import { DENIAL_CODES } from '../../../shared/domain/controls/pre-trade';
import { STOP_STATES } from '../../../shared/domain/controls/stops';

describe('the checkRisk response schema', () => {
  it('lists every denial code the check can give, and no other', () => {
    expect([...schema.properties.reasons.items.properties.code.enum].sort()).toEqual(
      [...DENIAL_CODES].sort(),
    );
  });

  it('lists every stop state', () => {
    expect([...schema.properties.stop.properties.state.enum].sort()).toEqual([...STOP_STATES].sort());
  });
});
