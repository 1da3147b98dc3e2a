/**
 * riskApi's event stream: the alerts after the client's cursor, replayed from the store, then live ones as they
 * are recorded, and the desk's portfolio updates. Every alert event carries its cursor as its id, and so does
 * every heartbeat (the position the stream has read up to, past alerts this caller may not see), so a client
 * that resumes from the last id it received (Last-Event-ID) gets everything it missed, once and in order,
 * whatever the length of its absence within the feed's retention and whether or not this server restarted.
 * The first heartbeat of a connection means "caught up". Portfolio updates carry no id: they are the latest
 * state, which a reconnecting client reads again.
 */
import type { StreamHeartbeat } from '../contracts/schema-types';
import { deskPortfolio } from '../domain/risk/desk-overview';
import type { Principal } from '../ports/caller-identity';
import { CursorError, cursorAt, FEED_SETTLE_MS, parseCursor, readAlertFeed } from './alert-feed';
import { readDeskViews, readDeskViewsUpdatedAfter } from './portfolio-views';
import { alertVisible, feedAlertOf, type AlertFilter, type RiskApiDeps } from './risk-api';

export interface StreamEvent {
  event: 'alert' | 'heartbeat' | 'portfolio';
  id?: string;
  data: unknown;
}

/** Where events go; `closed` once the client has gone. */
export interface EventSink {
  send(e: StreamEvent): Promise<void>;
  readonly closed: boolean;
}

export interface StreamOptions {
  pollMs: number;
  heartbeatMs: number;
  maxMs: number;
  /** Alerts read per store query while replaying. */
  pageSize?: number;
  /** Waits between polls; resolves early when the client goes (the wiring passes one tied to the socket). */
  sleep(ms: number): Promise<void>;
}

/**
 * The cursor a stream starts after: the client's, checked (CursorError when it is not one of ours or has
 * expired), or "now" for a client without one. "Now" is the settled horizon less a second, so an alert being
 * recorded as the client connects is delivered rather than skipped.
 */
export function streamStart(d: RiskApiDeps, lastEventId: string | undefined): string {
  if (lastEventId !== undefined) {
    parseCursor(lastEventId, d.clock.now());
    return lastEventId;
  }
  const settleMs = d.settleMs ?? FEED_SETTLE_MS;
  return cursorAt(new Date(d.clock.now().getTime() - settleMs - 1000));
}

/** Runs one connection until the client goes or maxMs has passed; CursorError only before the first event. */
export async function runStream(
  d: RiskApiDeps,
  p: Principal,
  filter: AlertFilter,
  start: string,
  sink: EventSink,
  o: StreamOptions,
): Promise<void> {
  const settleMs = d.settleMs ?? FEED_SETTLE_MS;
  const pageSize = o.pageSize ?? 200;
  const began = d.clock.now().getTime();
  let cursor = start;
  let caughtUp = false;
  let lastSentMs = began;
  // Portfolio updates after the newest view at connection (a client reads the desk itself first). Taken from the
  // data, not this server's clock: the views are stamped by the risk path's clock (a replay's, locally).
  let viewsAfter = '';
  if (filter.deskId !== undefined)
    for (const v of await readDeskViews(d.store, filter.deskId))
      if (v.updatedAt > viewsAfter) viewsAfter = v.updatedAt;
  const heartbeat = async (nowMs: number) => {
    const data: StreamHeartbeat = {
      asOf: new Date(nowMs - settleMs).toISOString(),
      intervalMs: o.heartbeatMs,
    };
    await sink.send({ event: 'heartbeat', id: cursor, data });
    lastSentMs = nowMs;
  };
  while (!sink.closed && d.clock.now().getTime() - began < o.maxMs) {
    const page = await readAlertFeed({ ...d, settleMs }, cursor, pageSize);
    for (const e of page.entries) {
      if (sink.closed) return;
      if (alertVisible(d, p, filter, e)) {
        await sink.send({ event: 'alert', id: e.cursor, data: feedAlertOf(e) });
        lastSentMs = d.clock.now().getTime();
      }
      cursor = e.cursor;
    }
    // A full page means more is waiting: read on before anything else.
    if (page.entries.length === pageSize) continue;
    const now = d.clock.now().getTime();
    if (!caughtUp || now - lastSentMs >= o.heartbeatMs) {
      await heartbeat(now);
      caughtUp = true;
    }
    if (filter.deskId !== undefined) {
      for (const v of await readDeskViewsUpdatedAfter(d.store, filter.deskId, viewsAfter)) {
        if (v.updatedAt > viewsAfter) viewsAfter = v.updatedAt;
        if (filter.portfolioId !== undefined && v.portfolioId !== filter.portfolioId) continue;
        await sink.send({ event: 'portfolio', data: { deskId: v.deskId, ...deskPortfolio(v, d.shock) } });
      }
    }
    await o.sleep(o.pollMs);
  }
}

export { CursorError };
