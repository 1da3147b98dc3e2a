/**
 * The alert feed on the in-memory store: every kind of alert recorded once per alert id, read in commit order
 * in pages from a cursor, and cursors from outside checked strictly (malformed, future, past the retention).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../../shared/platform/clocks';
import {
  ALERT_FEED_RETENTION_DAYS,
  CursorError,
  parseCursor,
  readAlertFeed,
  recordAlert,
  type FeedAlert,
} from '../../../shared/use-cases/alert-feed';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';

const fixture = (topic: string) =>
  JSON.parse(
    readFileSync(join(__dirname, `../../fixtures/schemas/messages/${topic}/good.json`), 'utf8'),
  ) as never;

const ALERTS: FeedAlert[] = [
  { source: 'alerts.margin.v1', alert: fixture('alerts.margin.v1') },
  { source: 'alerts.aml.v1', alert: fixture('alerts.aml.v1') },
  { source: 'alerts.prices.v1', alert: fixture('alerts.prices.v1') },
  { source: 'alerts.operations.v1', alert: fixture('alerts.operations.v1') },
  { source: 'alerts.risk.v1', alert: fixture('alerts.risk.v1') },
];
const idOf = (a: FeedAlert) => {
  const m = a.alert as { alertId?: string; eventId?: string };
  return m.alertId ?? m.eventId;
};

describe('the alert feed', () => {
  it('records every kind once per alert id and reads them in commit order, page by page from a cursor', async () => {
    const store = new MemoryDocumentStore();
    const clock = new ManualClock(new Date());
    const deps = { store, clock, settleMs: 0 };
    for (const a of ALERTS) expect(await recordAlert(deps, a)).toBe(true);
    // Redelivered: recorded already.
    for (const a of ALERTS) expect(await recordAlert(deps, a)).toBe(false);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (;;) {
      const page = await readAlertFeed(deps, cursor, 2);
      if (page.entries.length === 0) break;
      seen.push(...page.entries.map((e) => `${e.source}:${e.alertId}`));
      expect(page.cursor).toBe(page.entries[page.entries.length - 1].cursor);
      cursor = page.cursor;
    }
    expect(seen).toEqual(ALERTS.map((a) => `${a.source}:${idOf(a)}`));
    // Nothing new: the page is empty and the cursor stays where it was.
    expect(await readAlertFeed(deps, cursor, 2)).toEqual({ entries: [], cursor });
  });

  it('holds back what was committed within the settle time', async () => {
    const store = new MemoryDocumentStore();
    const deps = { store, clock: new ManualClock(new Date()), settleMs: 60_000 };
    await recordAlert(deps, ALERTS[0]);
    expect((await readAlertFeed(deps, null, 10)).entries).toEqual([]);
  });

  it('keeps the ids a reader filters and authorises by, and an expiry for the TTL policy', async () => {
    const store = new MemoryDocumentStore();
    const now = new Date('2024-08-05T12:00:00Z');
    const deps = { store, clock: new ManualClock(now), settleMs: 0 };
    await recordAlert(deps, ALERTS[4]);
    const [entry] = (await readAlertFeed(deps, null, 10)).entries;
    expect(entry).toMatchObject({
      source: 'alerts.risk.v1',
      kind: 'risk.STOP_CHANGED',
      severity: 'CRITICAL',
    });
    expect(entry.deskId).toBe((ALERTS[4].alert as { deskId?: string }).deskId ?? null);
    expect(entry.expireAt.getTime() - now.getTime()).toBe(ALERT_FEED_RETENTION_DAYS * 86_400_000);
  });

  it('refuses a cursor it did not issue, one in the future and one older than the retention', () => {
    const now = new Date('2024-08-05T12:00:00Z');
    const secs = (ms: number) => String(Math.floor(ms / 1000)).padStart(12, '0');
    const ok = `${secs(now.getTime() - 3_600_000)}.000000001~risk_abc`;
    expect(parseCursor(ok, now)).toEqual({ committedAt: ok.split('~')[0], id: 'risk_abc' });
    for (const bad of ['', 'abc', `${secs(now.getTime())}.1~x`, `${secs(now.getTime())}.000000001~a/b`])
      expect(() => parseCursor(bad, now)).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR' }));
    expect(() => parseCursor(`${secs(now.getTime() + 3 * 86_400_000)}.000000000~x`, now)).toThrow(
      CursorError,
    );
    const old = `${secs(now.getTime() - (ALERT_FEED_RETENTION_DAYS + 1) * 86_400_000)}.000000000~x`;
    expect(() => parseCursor(old, now)).toThrow(expect.objectContaining({ code: 'CURSOR_EXPIRED' }));
  });
});
