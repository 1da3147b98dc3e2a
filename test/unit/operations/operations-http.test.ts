/**
 * refreshMaterializedViews and archiveColdData through the Functions Framework, as Cloud Scheduler calls them,
 * against the local warehouse: the refreshed roll-up, the 24-hour view evaluated on the injected clock, the
 * archive, and the status codes Scheduler's retry relies on.
 */
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { archiveColdDataHttp, HOT_TABLES } from '../../../functions/archive-cold-data/wiring';
import { refreshMaterializedViewsHttp } from '../../../functions/refresh-materialized-views/wiring';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { MATERIALIZED_VIEWS, ROLLING_VIEWS } from '../../../shared/contracts/warehouse-views';
import { ManualClock } from '../../../shared/platform/clocks';
import type { WarehouseMaintenance } from '../../../shared/ports/warehouse-maintenance';
import { exposureRow, operationsFixture, priceRows, type OperationsFixture } from './fixtures';

const NOW = '2020-03-20T23:59:00.000Z';
const MV = 'risk.recent_portfolio_exposures_mv';
const RECENT = 'risk.recent_portfolio_exposures_24h';
const hoursBefore = (h: number, m = 0) =>
  new Date(Date.parse(NOW) - h * 3_600_000 - m * 60_000).toISOString();

type RecentRow = {
  portfolio_id: string;
  asset: string;
  as_of_hour: string;
  tick_count: number;
  latest_as_of: string;
  latest_net_exposure_usd: number;
  min_net_exposure_usd: number;
};

describe('refreshMaterializedViews over HTTP', () => {
  let f: OperationsFixture;
  const clock = new ManualClock(NOW);
  beforeEach(async () => {
    f = await operationsFixture();
    clock.set(NOW);
  });
  afterEach(() => f.close());

  const serve = (name: string, maintenance: WarehouseMaintenance = f.maintenance) => {
    ff.http(
      name,
      refreshMaterializedViewsHttp(async () => ({
        maintenance,
        clock,
        logger: f.logger,
        views: MATERIALIZED_VIEWS.map((v) => v.name),
      })),
    );
    return getTestServer(name);
  };

  it('refreshes every configured view and the 24-hour view shows only the last 24 hours as of the clock', async () => {
    expect(MATERIALIZED_VIEWS.map((v) => v.name)).toContain(MV);
    expect(ROLLING_VIEWS.map((v) => v.name)).toContain(RECENT);
    await f.warehouse.insert('risk.portfolio_exposures', [
      exposureRow('desk-a', 'BTC', hoursBefore(30), 5_000), // older than 24 h
      exposureRow('desk-a', 'BTC', hoursBefore(2, 50), 4_000), // same hour bucket as the next tick
      exposureRow('desk-a', 'BTC', hoursBefore(2, 20), 3_000),
      exposureRow('desk-b', 'ETH', hoursBefore(1), -1_500),
    ]);
    const res = await request(serve('opsRefreshOk')).post('/').send({ source: 'cloud-scheduler' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ refreshedAt: NOW, failed: 0, views: [{ view: MV, ok: true }] });

    const recent = await f.maintenance.readRollingView<RecentRow>(RECENT, clock.now());
    expect(
      recent.map((r) => [
        r.portfolio_id,
        r.asset,
        r.tick_count,
        r.latest_net_exposure_usd,
        r.min_net_exposure_usd,
      ]),
    ).toEqual([
      ['desk-a', 'BTC', 2, 3_000, 3_000],
      ['desk-b', 'ETH', 1, -1_500, -1_500],
    ]);
    // The whole roll-up still holds the older hour; only the view applies the window.
    const all = await f.warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${MV}`);
    expect(Number(all[0].n)).toBe(3);

    // The window follows the clock: a day later, nothing is recent any more.
    clock.advance(25 * 3_600_000);
    expect(await f.maintenance.readRollingView(RECENT, clock.now())).toEqual([]);
  });

  it('picks up rows written since the previous refresh', async () => {
    const server = serve('opsRefreshTwice');
    await f.warehouse.insert('risk.portfolio_exposures', [exposureRow('desk-a', 'BTC', hoursBefore(3), 1)]);
    await request(server).post('/');
    await f.warehouse.insert('risk.portfolio_exposures', [
      exposureRow('desk-c', 'LINK', hoursBefore(0, 5), 2),
    ]);
    expect((await request(server).post('/')).status).toBe(200);
    const recent = await f.maintenance.readRollingView<RecentRow>(RECENT, clock.now());
    expect(recent.map((r) => r.portfolio_id)).toEqual(['desk-a', 'desk-c']);
  });

  it('answers 500 naming the view that failed, so Cloud Scheduler retries', async () => {
    const broken = Object.assign(Object.create(f.maintenance) as WarehouseMaintenance, {
      refreshMaterializedView: async () => {
        throw new Error('Access Denied: Table risk.recent_portfolio_exposures_mv');
      },
    });
    const res = await request(serve('opsRefreshBroken', broken)).post('/');
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({
      failed: 1,
      views: [{ view: MV, ok: false, error: 'Access Denied: Table risk.recent_portfolio_exposures_mv' }],
    });
    expect(f.logs.find((l) => l.message === 'materialized view refresh failed')).toMatchObject({
      severity: 'ERROR',
      view: MV,
    });
  });

  it('accepts only POST (Cloud Scheduler) and GET', async () => {
    expect((await request(serve('opsRefreshMethod')).put('/')).status).toBe(405);
  });
});

describe('archiveColdData over HTTP', () => {
  let f: OperationsFixture;
  beforeEach(async () => {
    f = await operationsFixture();
  });
  afterEach(() => f.close());

  const serve = (name: string, maintenance: WarehouseMaintenance = f.maintenance) => {
    const store = new MemoryDocumentStore();
    ff.http(
      name,
      archiveColdDataHttp(async () => ({
        store,
        maintenance,
        clock: new ManualClock(NOW),
        logger: f.logger,
        config: { archiveAfterDays: 60, tables: HOT_TABLES, maxAttempts: 3 },
      })),
    );
    return getTestServer(name);
  };

  it('archives every hot table (all time-partitioned tables) and is a no-op when called again', async () => {
    expect(HOT_TABLES).toEqual(expect.arrayContaining(['market.prices', 'risk.portfolio_exposures']));
    await f.warehouse.insert('market.prices', priceRows('2020-01-05T00:00:00Z'));
    await f.warehouse.insert('risk.portfolio_exposures', [
      exposureRow('desk-a', 'BTC', '2020-01-06T12:00:00Z', 7),
    ]);
    const server = serve('opsArchiveOk');
    const first = await request(server).post('/');
    expect(first.status).toBe(200);
    expect(
      first.body.partitions.map((p: { table: string; day: string; rows: number }) => [
        p.table,
        p.day,
        p.rows,
      ]),
    ).toEqual([
      ['market.prices', '2020-01-05', 2],
      ['risk.portfolio_exposures', '2020-01-06', 1],
    ]);
    const second = await request(server).post('/');
    expect([second.status, second.body.partitions]).toEqual([200, []]);
  });

  it('answers 500 when a partition could not be archived (the next run resumes it)', async () => {
    await f.warehouse.insert('market.prices', priceRows('2020-01-05T00:00:00Z'));
    const broken = Object.assign(Object.create(f.maintenance) as WarehouseMaintenance, {
      exportPartition: async () => {
        throw new Error('Cloud Storage: 503 Service Unavailable');
      },
    });
    const res = await request(serve('opsArchiveBroken', broken)).post('/');
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({
      failed: 1,
      partitions: [
        { table: 'market.prices', result: 'failed', reason: 'Cloud Storage: 503 Service Unavailable' },
      ],
    });
  });

  it('answers 500 without details when the warehouse cannot even be listed', async () => {
    const broken = Object.assign(Object.create(f.maintenance) as WarehouseMaintenance, {
      partitionDays: async () => {
        throw new Error('connection reset');
      },
    });
    const res = await request(serve('opsArchiveDown', broken)).post('/');
    expect([res.status, res.body]).toEqual([500, { error: 'cold archival failed' }]);
  });
});
