import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadDailyClosesCsv, interpolatedPrices } from '../../shared/local-stack/providers/historical-prices';

/** A project id of its own per test file: emulator state is never shared between parallel workers. */
export function isolatedProjectId(label: string): string {
  return `t-${label}-${randomUUID().slice(0, 8)}`.toLowerCase().slice(0, 30);
}

export function emulatorHosts(): { pubsubHost: string; firestoreHost: string } {
  const pubsubHost = process.env.PUBSUB_EMULATOR_HOST;
  const firestoreHost = process.env.FIRESTORE_EMULATOR_HOST;
  if (!pubsubHost || !firestoreHost) throw new Error('emulators not started: run through jest (globalSetup)');
  return { pubsubHost, firestoreHost };
}

export const CLOSES_CSV = join(__dirname, '..', 'fixtures', 'daily-closes-usd.csv');

export function historicalPrices() {
  return interpolatedPrices(loadDailyClosesCsv(CLOSES_CSV));
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
