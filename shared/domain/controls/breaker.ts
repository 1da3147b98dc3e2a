/**
 * The circuit breaker: N hard events within a sliding window per scope halt the scope. The window is
 * (now − W, now]: an event exactly W old has left it. Events carry deterministic ids, so a redelivered
 * violation or a retried denial is counted once. Only events inside the window are kept, capped at the
 * threshold (more cannot change the verdict), which bounds the stored document.
 */
export interface BreakerConfig {
  hardEvents: number;
  windowSeconds: number;
}

export interface BreakerEvent {
  id: string;
  at: string;
}

export interface BreakerWindow {
  events: BreakerEvent[];
  /** Set when the scope is re-enabled: events up to then tripped the breaker once and must not trip it again. */
  resetAt?: string;
}

export interface BreakerOutcome {
  window: BreakerWindow;
  /** True when this event brought the count in the window to the threshold. */
  tripped: boolean;
  /** Events inside the window after this one. */
  count: number;
  /** False when the event was already counted (redelivery) or is older than the window. */
  counted: boolean;
}

export function recordHardEvent(
  window: BreakerWindow | null,
  event: BreakerEvent,
  config: BreakerConfig,
  now: Date,
): BreakerOutcome {
  const reset = window?.resetAt ? Date.parse(window.resetAt) : Number.NEGATIVE_INFINITY;
  const from = Math.max(now.getTime() - config.windowSeconds * 1000, reset);
  const inWindow = (e: BreakerEvent) => {
    const t = Date.parse(e.at);
    return t > from && t <= now.getTime();
  };
  const kept = (window?.events ?? []).filter(inWindow);
  const duplicate = kept.some((e) => e.id === event.id);
  if (duplicate || !inWindow(event)) {
    return { window: { ...window, events: kept }, tripped: false, count: kept.length, counted: false };
  }
  const events = [...kept, event]
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : 1))
    .slice(-config.hardEvents);
  const count = Math.min(kept.length + 1, config.hardEvents);
  return {
    window: { ...window, events },
    tripped: kept.length + 1 >= config.hardEvents,
    count,
    counted: true,
  };
}
