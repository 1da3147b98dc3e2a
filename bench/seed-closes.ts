/**
 * 400 days of synthetic BTC closes (around 15,000) and flat USDC, ending the day before `start`, so every
 * revaluation in a benchmark also runs the full VaR/ES grid.
 */
import type { DocumentStore } from '../shared/ports/document-store';

export async function seedBenchCloses(store: DocumentStore, start: number): Promise<void> {
  for (const asset of ['BTC', 'USDC']) {
    const closes = Array.from({ length: 400 }, (_, i) => ({
      date: new Date(start - (400 - i) * 86_400_000).toISOString().slice(0, 10),
      close: asset === 'BTC' ? 15_000 * (1 + 0.03 * Math.sin(i)) : 1,
    }));
    await store.set('dailyCloses', asset, { asset, closes, updatedAt: new Date(start).toISOString() });
  }
}
