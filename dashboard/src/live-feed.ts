import type {
  ConnectionState,
  FeedAlert,
  RiskClient,
  StreamPortfolio,
  Subscription,
} from '../../sdk/src/index.js';

export interface LiveFeedHandlers {
  onAlert: (alert: FeedAlert) => void;
  onPortfolio: (portfolio: StreamPortfolio) => void;
  onState: (state: ConnectionState | 'loading', detail?: string) => void;
  /** Live again after a reconnect: what was pushed meanwhile is lost, re-read the page. */
  onResynced: () => void;
  onFatal: (error: unknown) => void;
}

/** Alerts shown when the page opens; later ones arrive on the stream. */
const RECENT_ALERTS = 200;

/**
 * One desk's alerts and portfolio updates: the newest alerts from listAlerts, then the SDK's stream from the
 * cursor after them (no gap between the two). The SDK reconnects by itself with capped backoff; its state is
 * passed on to be shown.
 */
export class LiveFeed {
  private subscription: Subscription | undefined;
  private stopped = false;
  private wasDown = false;

  constructor(
    private readonly client: RiskClient,
    private readonly deskId: string,
    private readonly reconnectMaxMs: number,
    private readonly handlers: LiveFeedHandlers,
  ) {}

  async start(): Promise<void> {
    this.handlers.onState('loading');
    let cursor: string | undefined;
    try {
      const page = await this.client.listAlerts({ deskId: this.deskId, latest: true, limit: RECENT_ALERTS });
      for (const a of page.alerts) this.handlers.onAlert(a);
      cursor = page.cursor ?? undefined;
    } catch (error) {
      // Without the backfill the stream still starts (from now); the panel says what is missing.
      this.handlers.onState('loading', `recent alerts could not be read: ${String(error)}`);
    }
    if (this.stopped) return;
    this.subscription = this.client.subscribeToAlerts({
      deskId: this.deskId,
      cursor,
      backoff: { initialMs: 500, maxMs: this.reconnectMaxMs },
      onAlert: (alert) => this.handlers.onAlert(alert),
      onPortfolio: (p) => this.handlers.onPortfolio(p),
      onStateChange: (state) => {
        if (state === 'backoff' || state === 'resyncing') this.wasDown = true;
        this.handlers.onState(state);
        if (state === 'live' && this.wasDown) {
          this.wasDown = false;
          this.handlers.onResynced();
        }
      },
      onError: (error, willRetry) => {
        if (!willRetry) this.handlers.onFatal(error);
      },
    });
    this.handlers.onState(this.subscription.state);
  }

  stop(): void {
    this.stopped = true;
    this.subscription?.close();
  }
}
