/**
 * Persona sends payload keys in the webhook's key inflection: kebab-case (default), camelCase or snake_case.
 * Everything downstream reads camelCase, so keys are normalised once on arrival.
 */
const MAX_DEPTH = 64;

export class TooDeep extends Error {
  constructor() {
    super(`payload nests deeper than ${MAX_DEPTH} levels`);
    this.name = 'TooDeep';
  }
}

export function camelKey(key: string): string {
  return key.replace(/[-_]+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * A copy with camelCase keys. Objects are built with Object.fromEntries, so a key such as `__proto__` stays
 * an own property (and is then refused by the schema) instead of replacing the prototype.
 */
export function camelizeKeys(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new TooDeep();
  if (Array.isArray(value)) return value.map((v) => camelizeKeys(v, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      camelKey(k),
      camelizeKeys(v, depth + 1),
    ]),
  );
}
