/**
 * recordAlerts through its deployed wiring on the Firestore emulator: alerts of every kind, each pushed twice and
 * all at once, are in the feed once each; a reader on another client (a restarted server) pages through them
 * from the beginning, and one resuming from a cursor in the middle gets exactly the rest, in the same order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FirestoreDocumentStore } from '../../../shared/adapters/gcp/firestore-document-store';
import { DuckDbWarehouse } from '../../../shared/adapters/local/duckdb-warehouse';
import { ManualClock, systemClock } from '../../../shared/platform/clocks';
import { StructuredLogger } from '../../../shared/platform/logger';
import { FEED_SETTLE_MS, readAlertFeed } from '../../../shared/use-cases/alert-feed';
import { recordAlerts } from '../../../functions/record-alerts/wiring';
import { localPlatform } from '../../../local-stack/platform';
import { CapturingSink } from '../../support/capturing-sink';
import { emulatorHosts, isolatedProjectId } from '../../support/env';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import { pubsubPush } from '../../support/pubsub-push';

const TOPICS = ['margin', 'aml', 'prices', 'operations', 'risk'] as const;
const fixture = (topic: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, `../../fixtures/schemas/messages/${topic}/good.json`), 'utf8'));

describe('recordAlerts with Firestore (emulator)', () => {
  const projectId = isolatedProjectId('alert-feed');
  const stores: FirestoreDocumentStore[] = [];
  const client = () => {
    const s = new FirestoreDocumentStore({ projectId, emulatorHost: emulatorHosts().firestoreHost });
    stores.push(s);
    return s;
  };
  afterAll(async () => {
    for (const s of stores) await s.close();
  });

  it('records each alert once, and readers on a fresh client page through them and resume from a cursor', async () => {
    const warehouse = await DuckDbWarehouse.open();
    const platform = localPlatform({
      env: { ENVIRONMENT: 'local' },
      bus: new MemoryEventBus(),
      store: client(),
      warehouse,
      clock: new ManualClock(new Date()),
      logger: new StructuredLogger({ sink: new CapturingSink().sink, projectId }),
      secrets: { get: async (name) => Promise.reject(new Error(`no secret ${name}`)) },
    });
    const handler = recordAlerts.serve(async () => platform);
    const pushes = TOPICS.flatMap((t) =>
      [1, 2].map(() =>
        pubsubPush(fixture(`alerts.${t}.v1`), projectId, {
          topic: `alerts.${t}.v1`,
          subscription: `record-alerts.${t}`,
        }),
      ),
    );
    await Promise.all(pushes.map((p) => handler(p)));
    await warehouse.close();
    await new Promise((r) => setTimeout(r, FEED_SETTLE_MS + 200));

    const reader = { store: client(), clock: systemClock };
    const all: { source: string; cursor: string }[] = [];
    let cursor: string | null = null;
    for (;;) {
      const page = await readAlertFeed(reader, cursor, 2);
      if (page.entries.length === 0) break;
      all.push(...page.entries.map((e) => ({ source: e.source, cursor: e.cursor })));
      cursor = page.cursor;
    }
    expect(all.map((e) => e.source).sort()).toEqual(TOPICS.map((t) => `alerts.${t}.v1`).sort());
    expect(all.map((e) => e.cursor)).toEqual(all.map((e) => e.cursor).sort());

    const resumed = await readAlertFeed({ store: client(), clock: systemClock }, all[1].cursor, 10);
    expect(resumed.entries.map((e) => e.cursor)).toEqual(all.slice(2).map((e) => e.cursor));
  });
});
