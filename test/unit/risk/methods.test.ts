/** The quantile and horizon methods have one home (the engine); the message schema publishes the same names. */
import portfolioRisk from '../../../schemas/shared/portfolio-risk.json';
import {
  HORIZON_METHODS,
  QUANTILE_METHODS,
  RiskEngine,
  DEFAULT_RISK_PARAMS,
} from '../../../shared/domain/risk/engine';

function enumOf(schema: unknown, property: string): unknown {
  let found: unknown;
  JSON.stringify(schema, (key, value: unknown) => {
    if (key === property && value && typeof value === 'object' && 'enum' in value) found = value.enum;
    return value;
  });
  return found;
}

it('publishes exactly the engine’s methods in risk.portfolio-risk.v1', () => {
  expect(enumOf(portfolioRisk, 'quantileMethod')).toEqual([...QUANTILE_METHODS]);
  expect(enumOf(portfolioRisk, 'horizonMethod')).toEqual([...HORIZON_METHODS]);
});

/** Parameters are checked before the history is read. */
const NO_HISTORY = {} as ConstructorParameters<typeof RiskEngine>[0];

it('refuses a method it does not know, naming the ones it does', () => {
  expect(
    () =>
      new RiskEngine(
        NO_HISTORY,
        { ...DEFAULT_RISK_PARAMS, quantileMethod: 'nearest' as never },
        '2024-01-01',
      ),
  ).toThrow("quantile method 'nearest' must be one of linear, inverted_cdf");
});
