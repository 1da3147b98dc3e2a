/** Checks at the call site, so a programming error fails fast with a message naming the argument. */
export function requireId(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`${name} must be a non-empty string`);
  }
  if (value.length > 256) throw new TypeError(`${name} must be at most 256 characters`);
  return value;
}

export function optionalId(name: string, value: unknown): string | undefined {
  return value === undefined ? undefined : requireId(name, value);
}

export function optionalNumberInRange(
  name: string,
  value: unknown,
  min: number,
  max: number,
  integer = false,
) {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new TypeError(`${name} must be a number between ${min} and ${max}`);
  }
  if (integer && !Number.isInteger(value)) throw new TypeError(`${name} must be an integer`);
  return value;
}
