import type { DashboardConfig } from './config.js';
import { h } from './dom.js';

const KEY = 'fusion-risk.token';

/** The bearer token: in memory and sessionStorage (gone with the tab), never in a URL. */
export class Session {
  private token: string | null;

  constructor() {
    this.token = sessionStorage.getItem(KEY);
  }

  get signedIn(): boolean {
    return this.token !== null;
  }

  current(): string {
    if (this.token === null) throw new Error('not signed in');
    return this.token;
  }

  set(token: string): void {
    this.token = token;
    sessionStorage.setItem(KEY, token);
  }

  clear(): void {
    this.token = null;
    sessionStorage.removeItem(KEY);
  }
}

const DEFAULT_IDENTITY = 'risk-manager@fusion-risk.local';

/** Shows the sign-in form and resolves once a token is set. */
export function signIn(target: HTMLElement, config: DashboardConfig, session: Session, message?: string) {
  return new Promise<void>((resolve) => {
    const error = h('p', { class: 'error', role: 'alert' }, message ?? '');
    error.hidden = !message;
    let form: HTMLElement;
    if (config.auth === 'local') {
      const input = h('input', {
        id: 'identity',
        name: 'identity',
        type: 'email',
        required: true,
        autocomplete: 'username',
        value: DEFAULT_IDENTITY,
      });
      form = h(
        'form',
        {
          class: 'sign-in',
          onsubmit: (e: Event) => {
            e.preventDefault();
            session.set(`local:${input.value.trim()}`);
            resolve();
          },
        },
        h('label', { for: 'identity' }, 'Identity (local stack)'),
        input,
        h('button', { type: 'submit' }, 'Sign in'),
      );
    } else {
      const button = h('button', { type: 'button' }, 'Sign in with Google');
      button.addEventListener('click', () => {
        button.disabled = true;
        // Loaded on click only: no request to Google before the user asks for it.
        void import('./google-sign-in.js')
          .then(({ googleIdToken }) => googleIdToken(config.googleClientId ?? ''))
          .then((token) => {
            session.set(token);
            resolve();
          })
          .catch((e: unknown) => {
            button.disabled = false;
            error.textContent = `Google sign-in failed: ${e instanceof Error ? e.message : String(e)}`;
            error.hidden = false;
          });
      });
      form = h('div', { class: 'sign-in' }, button);
    }
    target.replaceChildren(h('h1', { tabindex: -1 }, 'Sign in'), error, form);
  });
}
