import { fullJitterDelay, type Sleep } from './backoff.js';
import { ConnectionError, RiskApiError } from './errors.js';
import type { DeskPortfolio, FeedAlert, StreamHeartbeat } from './generated/api-types.js';
import { errorFromResponse, resolveToken, type TokenSource } from './http.js';
import { SseParser, type SseEvent } from './sse.js';

/**
 * connecting: first attempt; live: caught up (the connection's first heartbeat arrived); backoff: waiting
 * before a reconnect; resyncing: reconnecting and replaying what was missed; closed: for good.
 */
export type ConnectionState = 'connecting' | 'live' | 'backoff' | 'resyncing' | 'closed';

/** A portfolio's latest state as the stream announces it. */
export type StreamPortfolio = DeskPortfolio & { deskId: string };

export interface SubscribeOptions {
  deskId?: string;
  portfolioId?: string;
  /** Resume after this cursor (from a previous subscription or an AlertPage). */
  cursor?: string;
  onAlert: (alert: FeedAlert, cursor: string) => void;
  /** A latest-state hint (no cursor): after a reconnect, re-read the desk. */
  onPortfolio?: (portfolio: StreamPortfolio) => void;
  onStateChange?: (state: ConnectionState, previous: ConnectionState) => void;
  /** willRetry false: the error is fatal and the subscription is closed. */
  onError?: (error: unknown, willRetry: boolean) => void;
  /** Silence after which the stream is deemed dead; default 2.5 × the server's heartbeat interval. */
  heartbeatTimeoutMs?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  signal?: AbortSignal;
}

export interface Subscription {
  readonly state: ConnectionState;
  /** The last id received (alert or heartbeat): persist it to resume without gaps. */
  readonly cursor: string | undefined;
  close(): void;
}

export interface StreamTransport {
  url: string;
  token: TokenSource;
  fetch: typeof fetch;
  random: () => number;
  /** Waits between reconnects (the client's, injectable: a test can pass hours of backoff in milliseconds). */
  sleep: Sleep;
}

const FIRST_HEARTBEAT_TIMEOUT_MS = 15_000;
const HEARTBEAT_TIMEOUT_FACTOR = 2.5;

type Outcome = { fatal: RiskApiError } | { retryAfterMs?: number };

function isFatal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

export class AlertSubscription implements Subscription {
  state: ConnectionState = 'connecting';
  cursor: string | undefined;
  private lastDelivered: string | undefined;
  private attempts = 0;
  private intervalMs: number | undefined;
  private controller: AbortController | undefined;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private timedOut = false;
  private caughtUp = false;
  private readonly wakeUp = new AbortController();

  constructor(
    private readonly transport: StreamTransport,
    private readonly options: SubscribeOptions,
  ) {
    this.cursor = options.cursor;
    this.lastDelivered = options.cursor;
    this.close = this.close.bind(this);
    if (options.signal?.aborted) {
      this.close();
      return;
    }
    options.signal?.addEventListener('abort', this.close, { once: true });
    void this.run();
  }

  close(): void {
    if (this.state === 'closed') return;
    this.options.signal?.removeEventListener('abort', this.close);
    clearTimeout(this.watchdog);
    this.wakeUp.abort();
    this.controller?.abort();
    this.setState('closed');
  }

  private get closed(): boolean {
    return this.state === 'closed';
  }

  private setState(state: ConnectionState): void {
    const previous = this.state;
    if (previous === state) return;
    this.state = state;
    this.callback(() => this.options.onStateChange?.(state, previous));
  }

  /** An application callback that throws must not break the stream: report it and go on. */
  private callback(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.report(error);
    }
  }

  private async run(): Promise<void> {
    const initialMs = this.options.backoff?.initialMs ?? 500;
    const maxMs = this.options.backoff?.maxMs ?? 30_000;
    while (!this.closed) {
      const outcome = await this.connect();
      if (this.closed) return;
      if ('fatal' in outcome) {
        this.report(outcome.fatal, false);
        this.close();
        return;
      }
      this.setState('backoff');
      const jitter = fullJitterDelay(this.attempts++, initialMs, maxMs, this.transport.random);
      await this.transport.sleep(Math.max(jitter, outcome.retryAfterMs ?? 0), this.wakeUp.signal);
      if (this.closed) return;
      this.setState('resyncing');
    }
  }

  private armWatchdog(controller: AbortController): void {
    clearTimeout(this.watchdog);
    if (this.closed) return;
    const ms =
      this.options.heartbeatTimeoutMs ??
      (this.intervalMs ? this.intervalMs * HEARTBEAT_TIMEOUT_FACTOR : FIRST_HEARTBEAT_TIMEOUT_MS);
    this.watchdog = setTimeout(() => {
      this.timedOut = true;
      controller.abort();
    }, ms);
  }

  /** One connection, from the request to the end of its stream; resolves with what to do next. */
  private async connect(): Promise<Outcome> {
    const controller = new AbortController();
    this.controller = controller;
    this.timedOut = false;
    this.caughtUp = false;
    const { url } = this.transport;
    let token: string;
    try {
      token = await resolveToken(this.transport.token);
    } catch (error) {
      this.report(error); // e.g. the metadata server was unreachable: try again later
      return {};
    }
    if (this.closed) return {};
    try {
      this.armWatchdog(controller);
      const headers: Record<string, string> = {
        Authorization: `Bearer ${token}`,
        Accept: 'text/event-stream',
      };
      if (this.cursor) headers['Last-Event-ID'] = this.cursor;
      const response = await this.transport.fetch(url, { headers, signal: controller.signal });
      if (!response.ok || !response.body) {
        const error = errorFromResponse(response.status, response.headers, await response.text(), {
          url,
          token,
        });
        if (isFatal(response.status)) return { fatal: error };
        this.report(error);
        return { retryAfterMs: (error.retryAfterSeconds ?? 0) * 1000 };
      }
      const parser = new SseParser((event) => this.handle(event), this.cursor ?? '');
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done || this.closed) break;
        parser.push(value);
        // An id may arrive on a block without data (never dispatched) and still moves the cursor.
        if (parser.lastEventId) this.cursor = parser.lastEventId;
        // Re-armed after parsing, so a heartbeat in this chunk sets the interval it is measured by.
        this.armWatchdog(controller);
      }
      parser.end();
      return {}; // the server ends streams on purpose: reconnect from the cursor
    } catch (cause) {
      if (this.closed) return {};
      const reason = this.timedOut ? 'went silent' : 'failed';
      this.report(
        new ConnectionError(`stream ${url} ${reason}`, {
          status: 0,
          code: this.timedOut ? 'TIMEOUT' : 'CONNECTION_FAILED',
          requestUrl: url,
          cause,
        }),
      );
      return {};
    } finally {
      clearTimeout(this.watchdog);
      controller.abort(); // releases the socket whatever happened
    }
  }

  private report(error: unknown, willRetry = true): void {
    try {
      this.options.onError?.(error, willRetry);
    } catch {
      // An error handler that throws has nowhere left to report to.
    }
  }

  private handle(event: SseEvent): void {
    const id = event.lastEventId;
    let payload: unknown;
    try {
      payload = JSON.parse(event.data);
    } catch (cause) {
      this.report(
        new RiskApiError(`stream event '${event.type}' is not JSON`, {
          status: 200,
          code: 'INVALID_RESPONSE',
          requestUrl: this.transport.url,
          cause,
        }),
      );
      return;
    }
    if (event.type === 'alert') {
      if (id && this.lastDelivered !== undefined && id <= this.lastDelivered) return; // already delivered
      if (id) this.lastDelivered = this.cursor = id;
      this.callback(() => this.options.onAlert(payload as FeedAlert, id));
    } else if (event.type === 'heartbeat') {
      if (id) this.cursor = id;
      const intervalMs = (payload as StreamHeartbeat).intervalMs;
      if (typeof intervalMs === 'number' && intervalMs > 0) this.intervalMs = intervalMs;
      if (!this.caughtUp) {
        this.caughtUp = true;
        this.attempts = 0;
        this.setState('live');
      }
    } else if (event.type === 'portfolio') {
      const onPortfolio = this.options.onPortfolio;
      if (onPortfolio) this.callback(() => onPortfolio(payload as StreamPortfolio));
    }
  }
}
