/**
 * The guard every consumer runs on an outside event time before it can order or prune anything (AML windows,
 * position updates, KYC cases). A time later than now plus the allowed skew is refused: the operators are
 * alerted on alerts.operations.v1 (ids only, no personal data), then the caller refuses the event without
 * touching state. A Pub/Sub consumer throws PermanentError, so the handler dead-letters the original message
 * with the reason, kept for replay once the upstream clock is fixed; the Persona webhook answers 503 instead.
 */
import type { SchemaTypes } from '../contracts/schema-types';
import { DEFAULT_EVENT_TIME_MAX_SKEW_SECONDS, judgeEventTime } from '../domain/event-time';
import { contentId } from '../domain/ids';
import { PermanentError } from '../platform/errors';
import type { Clock } from '../ports/clock';
import type { EventBus } from '../ports/event-bus';
import type { Logger } from '../ports/logger';

type OperationsAlert = SchemaTypes['messages/alerts.operations.v1'];

export interface EventTimeGuardDeps {
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** EVENT_TIME_MAX_SKEW_SECONDS, passed by the wiring (default 300). */
  eventTimeMaxSkewSeconds?: number;
}

/** One outside time of one event, and what identifies the event for the operators. */
export interface OutsideEventTime {
  sourceTopic: string;
  subjectKind: OperationsAlert['subjectKind'];
  subjectId: string;
  eventId?: string;
  field: string;
  value: string;
  /** The Pub/Sub message id (or the Persona event id). */
  messageId: string;
}

export const EVENT_TIME_IN_FUTURE = 'event-time-in-future';
export const EVENT_TIME_INVALID = 'event-time-invalid';

export type EventTimeCheck =
  | { accepted: true }
  | { accepted: false; reason: typeof EVENT_TIME_IN_FUTURE | typeof EVENT_TIME_INVALID; detail: string };

/**
 * The operators' alert for a refused time. Its id comes from the event, not the delivery: a redelivery, or the
 * upstream publishing the same event again, raises the same alert, which the fan-out absorbs.
 */
export function eventTimeAlert(
  e: OutsideEventTime,
  receivedAt: Date,
  skewSeconds: number,
  maxSkewSeconds: number,
): OperationsAlert {
  return {
    alertId: contentId(
      'ops',
      'EVENT_TIME_IN_FUTURE',
      e.sourceTopic,
      e.subjectKind,
      e.subjectId,
      e.eventId,
      e.field,
      e.value,
    ),
    kind: 'EVENT_TIME_IN_FUTURE',
    severity: 'WARNING',
    sourceTopic: e.sourceTopic,
    subjectKind: e.subjectKind,
    subjectId: e.subjectId,
    ...(e.eventId !== undefined ? { eventId: e.eventId } : {}),
    eventTimeField: e.field,
    eventTime: e.value,
    receivedAt: receivedAt.toISOString(),
    skewSeconds,
    maxSkewSeconds,
    messageId: e.messageId,
  };
}

/**
 * Judges each time in order; the first refused one decides. A future time is announced to the operators before
 * the answer is returned, so a failed publish throws (transient) and the retry announces it again.
 */
export async function checkEventTimes(
  deps: EventTimeGuardDeps,
  times: readonly OutsideEventTime[],
): Promise<EventTimeCheck> {
  const maxSkewSeconds = deps.eventTimeMaxSkewSeconds ?? DEFAULT_EVENT_TIME_MAX_SKEW_SECONDS;
  const now = deps.clock.now();
  for (const e of times) {
    const v = judgeEventTime(e.value, now.getTime(), maxSkewSeconds);
    if (v.verdict === 'accepted') continue;
    if (v.verdict === 'invalid')
      return { accepted: false, reason: EVENT_TIME_INVALID, detail: `${e.field}: ${v.detail}` };
    const alert = eventTimeAlert(e, now, v.aheadSeconds, maxSkewSeconds);
    await deps.bus.publish('alerts.operations.v1', alert, {
      attributes: { alertId: alert.alertId, kind: alert.kind, sourceTopic: alert.sourceTopic },
    });
    deps.logger.warn('event dated in the future refused; operators alerted', {
      sourceTopic: e.sourceTopic,
      subjectKind: e.subjectKind,
      subjectId: e.subjectId,
      field: e.field,
      eventTime: e.value,
      skewSeconds: v.aheadSeconds,
      maxSkewSeconds,
      alertId: alert.alertId,
    });
    return {
      accepted: false,
      reason: EVENT_TIME_IN_FUTURE,
      detail: `${e.field} ${e.value} is ${v.aheadSeconds} s ahead of now (allowed ${maxSkewSeconds} s)`,
    };
  }
  return { accepted: true };
}

/** For Pub/Sub consumers: a refused time is a PermanentError, which the handler dead-letters with its reason. */
export async function requireEventTimes(
  deps: EventTimeGuardDeps,
  times: readonly OutsideEventTime[],
): Promise<void> {
  const check = await checkEventTimes(deps, times);
  if (!check.accepted) throw new PermanentError(check.detail, check.reason);
}
