import type { Message, Subscription } from '@google-cloud/pubsub';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadDailyClosesCsv, interpolatedPrices } from '../../local-stack/providers/historical-prices';
import type { DocumentStore } from '../../shared/ports/document-store';

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

/** Acknowledges and keeps every message a subscription receives. */
export function collectMessages(sub: Subscription): Message[] {
  const got: Message[] = [];
  sub.on('message', (m: Message) => {
    got.push(m);
    m.ack();
  });
  return got;
}

const DAY = 86_400_000;

/** The daily closes ingestPrices would have kept for `days` days before `until` (real history). */
export async function seedDailyCloses(store: DocumentStore, until: string, days: number, assets: string[]) {
  const prices = historicalPrices();
  for (const asset of assets) {
    const closes = [];
    for (let i = days; i >= 1; i--) {
      const date = new Date(Date.parse(until) - i * DAY).toISOString().slice(0, 10);
      closes.push({ date, close: prices(asset, new Date(Date.parse(date) + DAY - 1)) });
    }
    await store.set('dailyCloses', asset, { asset, closes, updatedAt: until });
  }
}
