/**
 * Persona sends payload keys in the webhook's key inflection: kebab-case (default), camelCase or snake_case.
 * Everything downstream reads camelCase, so keys are normalised once on arrival.
 */
const MAX_DEPTH = 64;

/** A payload no legitimate sender produces: nested too deep, or keys that address prototypes. */
export class HostilePayload extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostilePayload';
  }
}

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function camelKey(key: string): string {
  return key.replace(/[-_]+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * A copy with camelCase keys. Prototype-addressing keys are refused outright (and Object.fromEntries would
 * only ever create own properties anyway), so nothing downstream can be tricked through a prototype.
 */
export function camelizeKeys(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new HostilePayload(`payload nests deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((v) => camelizeKeys(v, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => {
      if (PROTOTYPE_KEYS.has(k)) throw new HostilePayload(`payload carries a '${k}' key`);
      return [camelKey(k), camelizeKeys(v, depth + 1)];
    }),
  );
}
