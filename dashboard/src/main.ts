import {
  AuthenticationError,
  RiskClient,
  type ConnectionState,
  type StreamPortfolio,
} from '../../sdk/src/index.js';
import { AlertsPanel } from './alerts-panel.js';
import { refreshAsOf } from './as-of.js';
import { ConfigProblem, parseConfig, type DashboardConfig } from './config.js';
import { deskView, loadDesk } from './desk-page.js';
import { h } from './dom.js';
import { LiveFeed } from './live-feed.js';
import { loadPortfolio, portfolioView } from './portfolio-page.js';
import { CASES_HREF, deskHref, parseRoute, type Route } from './router.js';
import type { CasesPage } from './cases-page.js';
import { Session, signIn } from './session.js';
import './styles.css';

const STATUS_TEXT: Record<ConnectionState | 'loading', string> = {
  loading: 'Connecting…',
  connecting: 'Connecting…',
  live: 'Live',
  backoff: 'Connecting… (connection lost, retrying)',
  resyncing: 'Connecting… (catching up)',
  closed: 'Disconnected',
};

/** Live updates arrive in bursts (one per portfolio of a tick): re-read once per burst. */
const REFRESH_DEBOUNCE_MS = 100;

function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from index.html`);
  return el;
}

class App {
  private readonly main = byId('main');
  private readonly status = byId('connection');
  private readonly alerts = new AlertsPanel();
  private feed: LiveFeed | undefined;
  private feedDesk: string | undefined;
  private route: Route;
  private shock: number | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private loadSerial = 0;
  private readonly onHash = () => this.navigate();
  private readonly ticker: ReturnType<typeof setInterval>;
  /** The officers' page, loaded on first use (its own chunk). */
  private cases: Promise<CasesPage> | undefined;

  constructor(
    private readonly config: DashboardConfig,
    private readonly client: RiskClient,
    private readonly signOut: (message?: string) => void,
    private readonly token: () => string,
  ) {
    this.shock = config.shockFraction;
    this.route = parseRoute(location.hash, config.deskId);
    byId('alerts').append(this.alerts.element);
    byId('desk-link').setAttribute('href', deskHref(config.deskId));
    const casesLink = byId('cases-link');
    casesLink.setAttribute('href', CASES_HREF);
    casesLink.hidden = config.casesApiUrl === undefined;
    window.addEventListener('hashchange', this.onHash);
    // Ages and stale badges move with the clock even when no data arrives.
    this.ticker = setInterval(() => refreshAsOf(document, Date.now(), config.staleAfterSeconds * 1000), 1000);
  }

  start(): void {
    this.navigate();
  }

  stop(): void {
    this.loadSerial++;
    this.feed?.stop();
    this.feed = undefined;
    clearTimeout(this.refreshTimer);
    clearInterval(this.ticker);
    window.removeEventListener('hashchange', this.onHash);
    this.alerts.element.remove();
  }

  private navigate(): void {
    this.route = parseRoute(location.hash, this.config.deskId);
    // Without complianceCases configured there is no officers' page: the desk instead.
    if ((this.route.page === 'cases' || this.route.page === 'case') && !this.config.casesApiUrl)
      this.route = { page: 'desk', deskId: this.config.deskId };
    const onCases = this.route.page === 'cases' || this.route.page === 'case';
    if (onCases) byId('cases-link').setAttribute('aria-current', 'page');
    else byId('cases-link').removeAttribute('aria-current');
    // The alert panel follows the desk of the first page; the officers' page keeps the one it has, or the default.
    if (onCases && !this.feedDesk) this.follow(this.config.deskId);
    if (this.route.page === 'desk') this.follow(this.route.deskId);
    void this.render(true);
  }

  /** One stream per desk on screen; the alerts panel follows it. */
  private follow(deskId: string): void {
    if (this.feedDesk === deskId) return;
    this.feed?.stop();
    this.alerts.reset();
    this.feedDesk = deskId;
    this.feed = new LiveFeed(this.client, deskId, this.config.reconnectMaxMs, {
      onAlert: (a) => this.alerts.add(a),
      onPortfolio: (p) => this.onPortfolio(p),
      onState: (state, detail) => this.showStatus(state, detail),
      onResynced: () => this.scheduleRefresh(),
      onFatal: (error) => this.fail(error),
    });
    void this.feed.start();
  }

  private showStatus(state: ConnectionState | 'loading', detail?: string): void {
    this.status.dataset.state = state;
    this.status.textContent = STATUS_TEXT[state];
    this.status.title = detail ?? '';
    document.body.classList.toggle('not-live', state !== 'live');
  }

  private onPortfolio(p: StreamPortfolio): void {
    const r = this.route;
    if (
      (r.page === 'desk' && r.deskId === p.deskId) ||
      (r.page === 'portfolio' && r.portfolioId === p.portfolioId)
    )
      this.scheduleRefresh();
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.render(false), REFRESH_DEBOUNCE_MS);
  }

  /** Renders the current route; a refresh keeps the focus on the same control. */
  private async render(navigated: boolean): Promise<void> {
    const serial = ++this.loadSerial;
    const route = this.route;
    if (navigated) this.main.setAttribute('aria-busy', 'true');
    try {
      let page: HTMLElement;
      if (route.page === 'desk') {
        const options = {
          client: this.client,
          deskId: route.deskId,
          shock: this.shock,
          onShockChange: (shock: number) => {
            this.shock = shock;
            void this.render(false);
          },
        };
        page = deskView(await loadDesk(options), options);
      } else if (route.page === 'cases' || route.page === 'case') {
        page = await (await this.casesPage()).render(route);
      } else {
        const data = await loadPortfolio(this.client, route.portfolioId);
        this.follow(data.view.deskId);
        page = portfolioView(data);
      }
      if (serial !== this.loadSerial) return; // a newer load won
      const focusKey = (document.activeElement as HTMLElement | null)?.dataset?.key;
      this.main.replaceChildren(page);
      refreshAsOf(this.main, Date.now(), this.config.staleAfterSeconds * 1000);
      if (navigated) page.querySelector<HTMLElement>('h1')?.focus();
      else if (focusKey)
        this.main.querySelector<HTMLElement>(`[data-key="${CSS.escape(focusKey)}"]`)?.focus();
    } catch (error) {
      if (serial !== this.loadSerial) return;
      if (error instanceof AuthenticationError) return this.fail(error);
      // Keep what is on screen on a failed refresh: its as-of time shows its age.
      if (navigated || this.main.childElementCount === 0)
        this.main.replaceChildren(
          h('h1', { tabindex: -1 }, 'Could not load'),
          h('p', { class: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error)),
        );
    } finally {
      if (serial === this.loadSerial) this.main.removeAttribute('aria-busy');
    }
  }

  private casesPage(): Promise<CasesPage> {
    this.cases ??= import('./cases-page.js').then(
      ({ CasesPage }) =>
        new CasesPage({
          baseUrl: this.config.casesApiUrl as string,
          token: this.token,
          onAuthError: (error) => this.fail(error),
        }),
    );
    // A failed load (a network error fetching the chunk) is tried again on the next visit.
    this.cases.catch(() => (this.cases = undefined));
    return this.cases;
  }

  private fail(error: unknown): void {
    if (error instanceof AuthenticationError) {
      this.stop();
      this.signOut('Your session has expired or was refused: sign in again.');
      return;
    }
    this.status.textContent = `Disconnected: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function boot(): Promise<void> {
  const main = byId('main');
  let config: DashboardConfig;
  try {
    const response = await fetch('./config.json', { cache: 'no-store' });
    config = parseConfig(await response.json());
  } catch (error) {
    const text =
      error instanceof ConfigProblem ? error.message : `config.json could not be read: ${String(error)}`;
    main.replaceChildren(h('h1', {}, 'Configuration error'), h('p', { class: 'error', role: 'alert' }, text));
    return;
  }
  const session = new Session();
  const signOutButton = byId('sign-out') as HTMLButtonElement;
  let app: App | undefined;
  const run = async (message?: string) => {
    app?.stop();
    app = undefined;
    signOutButton.hidden = true;
    if (!session.signedIn && !message && config.localIdentity) session.set(`local:${config.localIdentity}`);
    if (!session.signedIn || message) {
      session.clear();
      await signIn(main, config, session, message);
    }
    signOutButton.hidden = false;
    const client = new RiskClient({ baseUrl: config.apiBaseUrl, token: () => session.current() });
    app = new App(
      config,
      client,
      (m) => void run(m),
      () => session.current(),
    );
    app.start();
  };
  signOutButton.addEventListener('click', () => {
    session.clear();
    location.hash = '';
    location.reload();
  });
  await run();
}

void boot();
