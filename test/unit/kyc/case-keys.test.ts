/**
 * How a KYC case is keyed and ordered beyond the basics in case-state-machine.test.ts: which reference ids are
 * stored as they are, which statuses are served from the cache, and how ties between inquiries are broken.
 */
import {
  caseIdOf,
  decideCase,
  isDecided,
  isOpen,
  kycEventId,
  type CaseCursor,
  type KycStatus,
} from '../../../shared/domain/kyc/case';
import { auditId } from '../../../shared/domain/kyc/documents';
import { contentId } from '../../../shared/domain/ids';

const ALL: KycStatus[] = [
  'created',
  'pending',
  'completed',
  'failed',
  'expired',
  'needs_review',
  'approved',
  'declined',
];

const cursor: CaseCursor = {
  status: 'pending',
  inquiryId: 'inq_M',
  inquiryCreatedAt: '2024-03-15T18:00:00Z',
  lastEventId: 'evt_1',
  lastEventAt: '2024-03-15T18:10:00Z',
};

describe('KYC case keys and statuses', () => {
  it('serves only an approval or a decline from the cache; a failed or expired inquiry can be retried', () => {
    expect(ALL.filter(isDecided)).toEqual(['approved', 'declined']);
  });

  it('counts an inquiry as still waiting for the user only while created or pending', () => {
    expect(ALL.filter(isOpen)).toEqual(['created', 'pending']);
  });

  it('stores a reference id in the safe alphabet as it is, up to 128 characters', () => {
    expect(caseIdOf('user.alice:eu_1-2', 'inq_A')).toBe('user.alice:eu_1-2');
    expect(caseIdOf('a'.repeat(128), 'inq_A')).toBe('a'.repeat(128));
    expect(caseIdOf('7', 'inq_A')).toBe('7');
  });

  it('hashes a reference id that is too long, starts with punctuation or holds other characters', () => {
    for (const ref of ['a'.repeat(129), '-user', '.user', 'user alice', 'usér', 'x/y', 'ok\n'])
      expect(caseIdOf(ref, 'inq_A')).toBe(contentId('ref', ref));
  });

  it('makes an inquiry without a reference id (empty or absent) its own case', () => {
    expect(caseIdOf('', 'inq_A')).toBe('inq_A');
    expect(caseIdOf(undefined, 'inq_A')).toBe('inq_A');
  });

  it('gives each Persona event of a case one stable event id, and audit entries readable ids', () => {
    expect(kycEventId('user-alice', 'evt_1')).toBe(contentId('kyc', 'user-alice', 'evt_1'));
    expect(kycEventId('user-alice', 'evt_1')).not.toBe(kycEventId('user-bob', 'evt_1'));
    expect(auditId('user-alice', 'evt_1')).toBe('user-alice:evt_1');
  });

  it('lets an inquiry created at the same instant take over only if its id sorts later', () => {
    const same = (inquiryId: string) =>
      decideCase(cursor, {
        eventId: 'evt_2',
        occurredAt: '2024-03-15T18:20:00Z',
        status: 'pending',
        inquiryId,
        inquiryCreatedAt: '2024-03-15T18:00:00.000Z',
      });
    expect(same('inq_Z')).toEqual({ apply: true, changed: false, reason: 'newer-inquiry' });
    expect(same('inq_A')).toEqual({ apply: false, reason: 'superseded-inquiry' });
  });

  it('reports whether a newer inquiry changes the status', () => {
    const next = (status: KycStatus) =>
      decideCase(cursor, {
        eventId: 'evt_2',
        occurredAt: '2024-03-15T18:20:00Z',
        status,
        inquiryId: 'inq_N',
        inquiryCreatedAt: '2024-03-15T18:05:00Z',
      });
    expect(next('approved')).toEqual({ apply: true, changed: true, reason: 'newer-inquiry' });
    expect(next('pending')).toEqual({ apply: true, changed: false, reason: 'newer-inquiry' });
  });

  it('refuses an older event even when it carries a later lifecycle status', () => {
    expect(
      decideCase(cursor, {
        eventId: 'evt_0',
        occurredAt: '2024-03-15T18:09:59Z',
        status: 'approved',
        inquiryId: cursor.inquiryId,
        inquiryCreatedAt: cursor.inquiryCreatedAt,
      }),
    ).toEqual({ apply: false, reason: 'older-event' });
  });

  it('orders events of the same instant by lifecycle: a decision after review, review after completion', () => {
    const at = (current: KycStatus, status: KycStatus) =>
      decideCase(
        { ...cursor, status },
        {
          eventId: 'evt_2',
          occurredAt: cursor.lastEventAt,
          status: current,
          inquiryId: cursor.inquiryId,
          inquiryCreatedAt: cursor.inquiryCreatedAt,
        },
      ).apply;
    expect(at('pending', 'created')).toBe(true);
    expect(at('completed', 'pending')).toBe(true);
    expect(at('needs_review', 'completed')).toBe(true);
    expect(at('declined', 'needs_review')).toBe(true);
    expect(at('approved', 'needs_review')).toBe(true);
    // Outcomes of the same rank do not overturn each other at the same instant.
    expect(at('failed', 'completed')).toBe(false);
    expect(at('expired', 'failed')).toBe(false);
    expect(at('approved', 'declined')).toBe(false);
    expect(at('created', 'pending')).toBe(false);
  });
});
