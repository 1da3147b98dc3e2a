/**
 * Persona sends payload keys kebab-, camel- or snake-cased; everything downstream reads camelCase. A payload no
 * legitimate sender produces (nested absurdly deep, or keys that address prototypes) is refused.
 */
import { camelizeKeys, camelKey, HostilePayload } from '../../../shared/domain/kyc/inflection';

function nested(levels: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

describe('payload key inflection', () => {
  it('turns kebab- and snake-cased keys into camelCase and leaves camelCase alone', () => {
    expect(camelKey('name-first')).toBe('nameFirst');
    expect(camelKey('name_first')).toBe('nameFirst');
    expect(camelKey('nameFirst')).toBe('nameFirst');
    expect(camelKey('address-street-1')).toBe('addressStreet1');
    expect(camelKey('marked--for__review')).toBe('markedForReview');
    expect(camelKey('trailing-')).toBe('trailing-');
  });

  it('camelises keys at every depth, inside lists too, and keeps the values', () => {
    expect(
      camelizeKeys({
        data: {
          'reference-id': 'user-alice',
          'field-list': [{ 'name-first': 'Alice', count_total: 2 }, 'text', 3, null],
          'is-ok': true,
        },
      }),
    ).toEqual({
      data: {
        referenceId: 'user-alice',
        fieldList: [{ nameFirst: 'Alice', countTotal: 2 }, 'text', 3, null],
        isOk: true,
      },
    });
  });

  it('leaves plain values as they are', () => {
    expect(camelizeKeys('name-first')).toBe('name-first');
    expect(camelizeKeys(null)).toBeNull();
    expect(camelizeKeys(7)).toBe(7);
    expect(camelizeKeys(undefined)).toBeUndefined();
  });

  it('refuses keys that address prototypes', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const payload = JSON.parse(`{"data":{"${key}":{"polluted":true}}}`) as unknown;
      expect(() => camelizeKeys(payload)).toThrow(new HostilePayload(`payload carries a '${key}' key`));
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts nesting 64 levels deep and refuses one level more', () => {
    expect(() => camelizeKeys(nested(64))).not.toThrow();
    expect(() => camelizeKeys(nested(65))).toThrow('payload nests deeper than 64 levels');
    let list: unknown = 'leaf';
    for (let i = 0; i < 65; i++) list = [list];
    expect(() => camelizeKeys(list)).toThrow(HostilePayload);
  });

  it('names the error so the webhook can tell a hostile payload from a fault', () => {
    const e = new HostilePayload('x');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('HostilePayload');
    expect(e.message).toBe('x');
  });
});
