/**
 * Google Identity Services, isolated here and loaded lazily on the sign-in click: its ID token is the bearer
 * token riskApi verifies. Not exercised offline (it needs Google).
 */

interface GoogleId {
  initialize(options: {
    client_id: string;
    callback: (response: { credential?: string }) => void;
    auto_select?: boolean;
  }): void;
  prompt(listener?: (n: { isNotDisplayed(): boolean; isSkippedMoment(): boolean }) => void): void;
}

declare global {
  interface Window {
    google?: { accounts: { id: GoogleId } };
  }
}

const GIS_URL = 'https://accounts.google.com/gsi/client';

function loadScript(): Promise<void> {
  if (window.google?.accounts) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = GIS_URL;
    script.async = true;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('Google Identity Services could not be loaded'));
    document.head.append(script);
  });
}

export async function googleIdToken(clientId: string): Promise<string> {
  await loadScript();
  const id = window.google?.accounts.id;
  if (!id) throw new Error('Google Identity Services did not start');
  return new Promise((resolve, reject) => {
    id.initialize({
      client_id: clientId,
      callback: (r) => (r.credential ? resolve(r.credential) : reject(new Error('no credential'))),
    });
    id.prompt((n) => {
      if (n.isNotDisplayed() || n.isSkippedMoment()) reject(new Error('the Google prompt was dismissed'));
    });
  });
}
