/**
 * Bad input to the risk domain (malformed prices, unknown asset, window not covered). Callers map it to a
 * permanent failure (exit code 2, ack without retry); any other Error is a bug.
 */
export class RiskInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RiskInputError';
  }
}
