/**
 * Fixed-point to number conversion for oracle integers (Pyth `price × 10^expo`, Chainlink `answer / 10^decimals`).
 * The integer is shifted as a decimal string so the only rounding is the final, single parse to a double.
 */

const INTEGER = /^-?\d+$/;

/** Parses a JSON integer string (Pyth sends i64/u64 as strings); undefined when it is not one. */
export function parseIntegerString(text: unknown): bigint | undefined {
  if (typeof text !== 'string' || !INTEGER.test(text)) return undefined;
  return BigInt(text);
}

/** value × 10^expo as a number, e.g. (2920679499999n, -8) → 29206.79499999. */
export function scaledToNumber(value: bigint, expo: number): number {
  if (!Number.isInteger(expo)) throw new RangeError(`exponent must be an integer, got ${expo}`);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString();
  let text: string;
  if (expo >= 0) {
    text = digits + '0'.repeat(expo);
  } else {
    const places = -expo;
    const padded = digits.padStart(places + 1, '0');
    text = `${padded.slice(0, padded.length - places)}.${padded.slice(padded.length - places)}`;
  }
  const n = Number(text);
  return negative ? -n : n;
}
