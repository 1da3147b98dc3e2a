import { alertText } from '../../dashboard/src/alert-text';
import type { FeedAlert } from '../../sdk/src/index';

const caseAlert = (kind: 'SLA_AT_RISK' | 'SLA_BREACHED'): FeedAlert => ({
  cursor: '001722859200.000000000~cas_0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  alertId: 'cas_0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  source: 'alerts.cases.v1',
  kind: `cases.${kind}`,
  severity: kind === 'SLA_BREACHED' ? 'CRITICAL' : 'WARNING',
  subject: 'cs_5b1e0c9d7a3f4e2b8c6d0a1f2e3d4c5b',
  deskId: null,
  portfolioId: null,
  recordedAt: '2024-08-05T13:00:31.000Z',
  alert: {
    alertId: 'cas_0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    kind,
    severity: kind === 'SLA_BREACHED' ? 'CRITICAL' : 'WARNING',
    caseId: 'cs_5b1e0c9d7a3f4e2b8c6d0a1f2e3d4c5b',
    subjectId: 'usr_7f3c2a91',
    caseSeverity: 'CRITICAL',
    caseState: 'investigating',
    assignee: null,
    openedAt: '2024-08-01T09:00:00.000Z',
    dueAt: '2024-08-05T13:00:00.000Z',
    detectedAt: '2024-08-05T13:00:30.000Z',
  },
});

describe('the alerts panel text', () => {
  it('says which compliance case is at risk or breached and when it is due, never the customer', () => {
    expect(alertText(caseAlert('SLA_BREACHED'))).toBe(
      'Case cs_5b1e0c9d7a3f4e2b8c6d0a1f2e3d4c5b breached its service level (due 2024-08-05 13:00:00 UTC)',
    );
    expect(alertText(caseAlert('SLA_AT_RISK'))).toBe(
      'Case cs_5b1e0c9d7a3f4e2b8c6d0a1f2e3d4c5b at risk of missing its service level (due 2024-08-05 13:00:00 UTC)',
    );
    expect(alertText(caseAlert('SLA_BREACHED'))).not.toContain('usr_7f3c2a91');
  });
});
