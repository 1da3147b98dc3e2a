import { caseIdOf, decideCase, statusOfEvent, type CaseCursor } from '../../../shared/domain/kyc/case';

const cursor = (over: Partial<CaseCursor> = {}): CaseCursor => ({
  status: 'completed',
  inquiryId: 'inq_A',
  inquiryCreatedAt: '2024-03-15T18:00:00Z',
  lastEventId: 'evt_1',
  lastEventAt: '2024-03-15T18:10:00Z',
  ...over,
});
const incoming = (
  status: CaseCursor['status'],
  occurredAt: string,
  inquiryId = 'inq_A',
  inquiryCreatedAt = '2024-03-15T18:00:00Z',
) => ({
  eventId: 'evt_2',
  status,
  occurredAt,
  inquiryId,
  inquiryCreatedAt,
});

describe('KYC case state machine', () => {
  it('maps every inquiry event Persona documents, in kebab or snake case, and nothing else', () => {
    expect(
      [
        'inquiry.created',
        'inquiry.started',
        'inquiry.completed',
        'inquiry.failed',
        'inquiry.expired',
        'inquiry.marked-for-review',
        'inquiry.marked_for_review',
        'inquiry.needs_review',
        'inquiry.approved',
        'inquiry.declined',
      ].map(statusOfEvent),
    ).toEqual([
      'created',
      'pending',
      'completed',
      'failed',
      'expired',
      'needs_review',
      'needs_review',
      'needs_review',
      'approved',
      'declined',
    ]);
    for (const other of [
      'inquiry.transitioned',
      'inquiry.redacted',
      'inquiry.updated-tags',
      'account.created',
      'approved',
    ])
      expect(statusOfEvent(other)).toBeUndefined();
  });

  it('applies newer events, refuses older ones, and breaks same-instant ties by lifecycle order', () => {
    expect(decideCase(undefined, incoming('created', '2024-03-15T18:00:00Z'))).toEqual({
      apply: true,
      changed: true,
      reason: 'new-case',
    });
    expect(decideCase(cursor(), incoming('approved', '2024-03-15T18:11:00Z'))).toEqual({
      apply: true,
      changed: true,
      reason: 'newer-event',
    });
    expect(decideCase(cursor(), incoming('completed', '2024-03-15T18:11:00Z'))).toEqual({
      apply: true,
      changed: false,
      reason: 'newer-event',
    });
    expect(decideCase(cursor(), incoming('pending', '2024-03-15T18:09:59Z'))).toEqual({
      apply: false,
      reason: 'older-event',
    });
    expect(decideCase(cursor(), incoming('approved', '2024-03-15T18:10:00Z'))).toMatchObject({ apply: true });
    expect(decideCase(cursor(), incoming('pending', '2024-03-15T18:10:00Z'))).toEqual({
      apply: false,
      reason: 'older-event',
    });
    // The same event again (same time, same status) is not newer.
    expect(decideCase(cursor(), incoming('completed', '2024-03-15T18:10:00Z'))).toEqual({
      apply: false,
      reason: 'older-event',
    });
  });

  it('lets only a newer inquiry take over a case', () => {
    expect(
      decideCase(cursor(), incoming('created', '2024-03-15T19:00:00Z', 'inq_B', '2024-03-15T19:00:00Z')),
    ).toEqual({
      apply: true,
      changed: true,
      reason: 'newer-inquiry',
    });
    expect(
      decideCase(cursor(), incoming('expired', '2024-03-16T18:00:00Z', 'inq_Old', '2024-03-14T18:00:00Z')),
    ).toEqual({
      apply: false,
      reason: 'superseded-inquiry',
    });
  });

  it('keys a case by the reference id, hashing one Firestore could not hold, and falls back to the inquiry', () => {
    expect(caseIdOf('user-alice', 'inq_A')).toBe('user-alice');
    expect(caseIdOf(null, 'inq_A')).toBe('inq_A');
    expect(caseIdOf('users/alice', 'inq_A')).toMatch(/^ref_[0-9a-f]{32}$/);
    expect(caseIdOf('users/alice', 'inq_A')).toBe(caseIdOf('users/alice', 'inq_B'));
  });
});
