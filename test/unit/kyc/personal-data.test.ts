/**
 * What of an inquiry may be stored in clear (ids, status, lifecycle times) and what is personal data, stored only
 * encrypted. An allow-list: an attribute Persona adds tomorrow is personal until someone says otherwise.
 */
import { splitPersonalData } from '../../../shared/domain/kyc/personal-data';

describe('splitting an inquiry into clear and personal data', () => {
  it('keeps status, the reference id, step names, tags and every lifecycle time in clear', () => {
    const clearAttributes = {
      status: 'approved',
      referenceId: 'user-alice',
      createdAt: '2024-03-15T18:00:00Z',
      updatedAt: '2024-03-15T18:01:00Z',
      startedAt: '2024-03-15T18:02:00Z',
      completedAt: '2024-03-15T18:03:00Z',
      failedAt: null,
      expiredAt: null,
      expiresAt: '2024-03-16T18:00:00Z',
      decisionedAt: '2024-03-15T18:04:00Z',
      markedForReviewAt: null,
      redactedAt: null,
      previousStepName: 'selfie',
      nextStepName: 'success',
      tags: ['vip'],
    };
    expect(splitPersonalData(clearAttributes, undefined)).toEqual({ clear: clearAttributes });
  });

  it('treats names, birth date, address, document numbers and the fields map as personal', () => {
    const split = splitPersonalData(
      {
        status: 'completed',
        nameFirst: 'Alice',
        nameLast: 'Liddell',
        birthdate: '1990-05-04',
        addressStreet1: '1 Rabbit Hole',
        identificationNumber: 'X1234567',
        fields: { 'name-first': { type: 'string', value: 'Alice' } },
      },
      undefined,
    );
    expect(split).toEqual({
      clear: { status: 'completed' },
      personal: {
        nameFirst: 'Alice',
        nameLast: 'Liddell',
        birthdate: '1990-05-04',
        addressStreet1: '1 Rabbit Hole',
        identificationNumber: 'X1234567',
        fields: { 'name-first': { type: 'string', value: 'Alice' } },
      },
    });
  });

  it('protects an attribute it has never seen', () => {
    expect(splitPersonalData({ socialSecurityNumberLast4: '1234' }, undefined)).toEqual({
      clear: {},
      personal: { socialSecurityNumberLast4: '1234' },
    });
  });

  it('stores no personal record for empty values: null, undefined, empty text, empty list or empty map', () => {
    expect(
      splitPersonalData(
        { status: 'pending', nameFirst: null, nameLast: undefined, birthdate: '', notes: [], fields: {} },
        [],
      ),
    ).toEqual({ clear: { status: 'pending' } });
  });

  it('treats a non-empty list, such as earlier addresses, as personal', () => {
    expect(splitPersonalData({ previousAddresses: ['1 Rabbit Hole'] }, undefined)).toEqual({
      clear: {},
      personal: { previousAddresses: ['1 Rabbit Hole'] },
    });
  });

  it('keeps a present falsy value such as 0 or false as personal', () => {
    expect(splitPersonalData({ age: 0, isMinor: false }, undefined)).toEqual({
      clear: {},
      personal: { age: 0, isMinor: false },
    });
  });

  it('treats everything included (verifications, reports, accounts) as personal as a whole', () => {
    const included = [{ type: 'verification/government-id', attributes: { nameFirst: 'Alice' } }];
    expect(splitPersonalData({ status: 'approved' }, included)).toEqual({
      clear: { status: 'approved' },
      personal: { included },
    });
  });

  it('reads an inquiry without attributes', () => {
    expect(splitPersonalData(undefined, undefined)).toEqual({ clear: {} });
  });
});
