/**
 * The alert feed: every alert of every kind (margin, AML, prices, operations, risk controls, compliance case
 * service levels) kept for
 * ALERT_FEED_RETENTION_DAYS in one Firestore collection, each stamped with its commit time by the store, and
 * read in commit order from a cursor. The cursor is the last position a reader saw (commit time and alert id):
 * the store's reads hold back the last FEED_SETTLE_MS, so a reader resuming from its cursor — after a
 * disconnect of any length within the retention, or a restart of the server — gets everything it missed, once
 * and in order, however concurrent writers committed. No counter document: each alert is its own write.
 *
 * Written by recordAlerts (one consumer of every alert topic), idempotently per alert id, so a redelivered
 * alert is recorded once.
 */
import { FIRESTORE_COLLECTIONS } from '../contracts/firestore';
import {
  normalizeAmlAlert,
  normalizeCaseAlert,
  normalizeMarginAlert,
  normalizeOperationsAlert,
  normalizePriceAlert,
  normalizeRiskAlert,
} from '../domain/notifications/alerts';
import type {
  AlertSource,
  AmlAlert,
  CaseAlert,
  MarginAlert,
  OperationsAlert,
  PriceAlert,
  RiskAlert,
  Severity,
} from '../domain/notifications/types';
import type { Clock } from '../ports/clock';
import {
  commitTimeText,
  type CommitPosition,
  type DocumentData,
  type DocumentStore,
} from '../ports/document-store';

export const ALERT_FEED = FIRESTORE_COLLECTIONS.views.alertFeed;
/** How long alerts stay readable, and so how long a client may be away and still resume without a gap. */
export const ALERT_FEED_RETENTION_DAYS = 14;
/** Commits younger than this are not served yet (see DocumentStore.readAfter). */
export const FEED_SETTLE_MS = 1000;
const COMMITTED_AT = 'committedAt';
const DAY_MS = 86_400_000;

export interface FeedEntry extends DocumentData {
  alertId: string;
  source: AlertSource;
  kind: string;
  severity: Severity;
  subject: string;
  deskId: string | null;
  portfolioId: string | null;
  alert: unknown;
  recordedAt: string;
  expireAt: Date;
}

export type FeedAlert =
  | { source: 'alerts.margin.v1'; alert: MarginAlert }
  | { source: 'alerts.aml.v1'; alert: AmlAlert }
  | { source: 'alerts.prices.v1'; alert: PriceAlert }
  | { source: 'alerts.operations.v1'; alert: OperationsAlert }
  | { source: 'alerts.risk.v1'; alert: RiskAlert }
  | { source: 'alerts.cases.v1'; alert: CaseAlert };

function normalized(a: FeedAlert) {
  switch (a.source) {
    case 'alerts.margin.v1':
      return normalizeMarginAlert(a.alert);
    case 'alerts.aml.v1':
      return normalizeAmlAlert(a.alert);
    case 'alerts.prices.v1':
      return normalizePriceAlert(a.alert);
    case 'alerts.operations.v1':
      return normalizeOperationsAlert(a.alert);
    case 'alerts.risk.v1':
      return normalizeRiskAlert(a.alert);
    case 'alerts.cases.v1':
      return normalizeCaseAlert(a.alert);
  }
}

/**
 * The ids a reader filters and authorises by, where the alert carries them. AML, operations and compliance case
 * alerts carry neither: they belong to no desk, and only a reader of every desk sees them.
 */
function scopeOf(a: FeedAlert): { deskId: string | null; portfolioId: string | null } {
  const m = a.alert as { deskId?: string; portfolioId?: string };
  return { deskId: m.deskId ?? null, portfolioId: m.portfolioId ?? null };
}

/** Records one alert; false when it was already recorded (a redelivery). */
export async function recordAlert(
  deps: { store: DocumentStore; clock: Clock },
  a: FeedAlert,
): Promise<boolean> {
  const n = normalized(a);
  const now = deps.clock.now();
  const entry: FeedEntry = {
    alertId: n.alertId,
    source: a.source,
    kind: n.kind,
    severity: n.severity,
    subject: n.subject,
    ...scopeOf(a),
    alert: a.alert,
    recordedAt: now.toISOString(),
    expireAt: new Date(now.getTime() + ALERT_FEED_RETENTION_DAYS * DAY_MS),
  };
  return deps.store.appendIfAbsent(ALERT_FEED, n.alertId, entry, COMMITTED_AT);
}

export class CursorError extends Error {
  constructor(
    readonly code: 'INVALID_CURSOR' | 'CURSOR_EXPIRED',
    message: string,
  ) {
    super(message);
    this.name = 'CursorError';
  }
}

const CURSOR = /^(\d{12})\.(\d{9})~([A-Za-z0-9_.:-]{0,200})$/;

/**
 * The cursor a client keeps (SSE Last-Event-ID): "<commit seconds>.<nanoseconds>~<alert id>". The id is empty for
 * a position between alerts: the start of a stream that began "now" (cursorAt).
 */
export function encodeCursor(p: CommitPosition): string {
  return `${p.committedAt}~${p.id}`;
}

/** The position just before everything committed at `time` or later. */
export function cursorAt(time: Date): string {
  const ms = time.getTime();
  return encodeCursor({
    committedAt: commitTimeText(Math.floor(ms / 1000), (ms % 1000) * 1_000_000),
    id: '',
  });
}

/** A cursor from outside, checked strictly; one older than the retention cannot be resumed without a gap. */
export function parseCursor(text: string, now: Date): CommitPosition {
  const m = CURSOR.exec(text);
  if (!m) throw new CursorError('INVALID_CURSOR', 'the cursor is not one this feed issued');
  const seconds = Number(m[1]);
  if (seconds * 1000 > now.getTime() + DAY_MS)
    throw new CursorError('INVALID_CURSOR', 'the cursor lies in the future');
  if (seconds * 1000 < now.getTime() - ALERT_FEED_RETENTION_DAYS * DAY_MS)
    throw new CursorError(
      'CURSOR_EXPIRED',
      `the cursor is older than the feed's ${ALERT_FEED_RETENTION_DAYS}-day retention: start again from the beginning`,
    );
  return { committedAt: `${m[1]}.${m[2]}`, id: m[3] };
}

export interface FeedPage {
  entries: (FeedEntry & { cursor: string })[];
  /** Where to resume: the last entry's cursor, or the one given when nothing new has settled. */
  cursor: string | null;
}

/** The alerts after `cursor` (from the oldest kept when null), at most `limit`, in commit order. */
export async function readAlertFeed(
  deps: { store: DocumentStore; clock: Clock; settleMs?: number },
  cursor: string | null,
  limit: number,
): Promise<FeedPage> {
  const after = cursor === null ? null : parseCursor(cursor, deps.clock.now());
  const settle = deps.settleMs ?? FEED_SETTLE_MS;
  const docs = await deps.store.readAfter<FeedEntry>(ALERT_FEED, COMMITTED_AT, after, limit, settle);
  const entries = docs.map((d) => ({ ...d.data, cursor: encodeCursor(d.position) }));
  return { entries, cursor: entries.length ? entries[entries.length - 1].cursor : cursor };
}

/**
 * The newest `limit` settled alerts, oldest first, and the cursor after the newest: "the latest, then everything
 * after" for a screen that opens on recent alerts and then streams (no need to page through the retention).
 */
export async function readLatestAlerts(
  deps: { store: DocumentStore; settleMs?: number },
  limit: number,
): Promise<FeedPage> {
  const docs = await deps.store.readLatest<FeedEntry>(
    ALERT_FEED,
    COMMITTED_AT,
    limit,
    deps.settleMs ?? FEED_SETTLE_MS,
  );
  const entries = docs.map((d) => ({ ...d.data, cursor: encodeCursor(d.position) }));
  return { entries, cursor: entries.length ? entries[entries.length - 1].cursor : null };
}
