/**
 * archiveColdData against the local warehouse (DuckDB) and a real Parquet archive folder: partitions past the
 * archive lag leave the warehouse only after the archived files were re-read and hold every row; a run that
 * crashes at any step is resumed by the next one from the recorded state.
 */
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import type { TableName } from '../../../shared/contracts/warehouse-tables';
import {
  ARCHIVE_COLLECTION,
  archiveCutoffDay,
  archiveLocation,
  type PartitionArchiveRecord,
} from '../../../shared/domain/archive/partition-archive';
import { ManualClock } from '../../../shared/platform/clocks';
import type {
  ArchiveManifest,
  PartitionDay,
  WarehouseMaintenance,
} from '../../../shared/ports/warehouse-maintenance';
import { archiveColdData, type ArchiveColdDataDeps } from '../../../shared/use-cases/archive-cold-data';
import { operationsFixture, priceRows, type OperationsFixture } from './fixtures';

const TABLE: TableName = 'market.prices';
const NOW = '2020-03-20T23:59:00Z';

describe('archiveColdData', () => {
  let f: OperationsFixture;
  let store: MemoryDocumentStore;

  beforeEach(async () => {
    f = await operationsFixture();
    store = new MemoryDocumentStore();
    // Two old days (3 and 2 rows), one day inside the window.
    await f.warehouse.insert(TABLE, [
      ...priceRows('2020-01-02T10:00:00Z', ['BTC', 'ETH', 'LINK']),
      ...priceRows('2020-01-03T23:59:59Z'),
      ...priceRows('2020-03-19T12:00:00Z'),
    ]);
  });
  afterEach(() => f.close());

  const deps = (maintenance: WarehouseMaintenance = f.maintenance, maxAttempts = 3): ArchiveColdDataDeps => ({
    store,
    maintenance,
    clock: new ManualClock(NOW),
    logger: f.logger,
    config: { archiveAfterDays: 60, tables: [TABLE], maxAttempts },
  });
  const count = async (where = '') =>
    Number((await f.warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM market.prices ${where}`))[0].n);
  const record = (day: string) => store.get<PartitionArchiveRecord>(ARCHIVE_COLLECTION, `${TABLE}@${day}`);

  it('exports each old day to Parquet, verifies it and deletes it from the warehouse, keeping recent days', async () => {
    const outcome = await archiveColdData(deps());

    expect(outcome.cutoffDay).toBe(archiveCutoffDay(new Date(NOW), 60));
    expect(outcome.partitions.map((p) => [p.day, p.result, p.rows, p.steps])).toEqual([
      ['2020-01-02', 'archived', 3, ['export', 'verify', 'delete']],
      ['2020-01-03', 'archived', 2, ['export', 'verify', 'delete']],
    ]);
    expect(outcome.archivedRows).toBe(5);
    expect(await count()).toBe(2);
    expect(await count(`WHERE as_of < '2020-03-01'`)).toBe(0);
    // The archive holds the rows, readable as Parquet with their columns.
    const location = archiveLocation(TABLE, '2020-01-02', 1);
    expect(outcome.partitions[0].objects).toEqual([`${location}/part-000.parquet`]);
    const archived = await f.warehouse.query<{ asset: string }>(
      `SELECT asset FROM read_parquet('${join(f.archiveDir, location, '*.parquet')}') ORDER BY asset`,
    );
    expect(archived.map((r) => r.asset)).toEqual(['BTC', 'ETH', 'LINK']);
    expect(await record('2020-01-02')).toMatchObject({ state: 'deleted', sourceRows: 3, archivedRows: 3 });
    // The archive says by itself which attempt is complete.
    expect(JSON.parse(readFileSync(join(f.archiveDir, location, '_VERIFIED.json'), 'utf8'))).toEqual({
      table: TABLE,
      day: '2020-01-02',
      rows: 3,
      objects: [`${location}/part-000.parquet`],
      format: 'parquet',
      verifiedAt: new Date(NOW).toISOString(),
    });
  });

  it('does nothing on a second run', async () => {
    await archiveColdData(deps());
    const again = await archiveColdData(deps());
    expect(again.partitions).toEqual([]);
    expect(await count()).toBe(2);
  });

  /** Wraps the real maintenance; `fail` throws once at the named step. */
  function crashingOnce(step: keyof WarehouseMaintenance): { m: WarehouseMaintenance; calls: string[] } {
    let crashed = false;
    const calls: string[] = [];
    const real = f.maintenance;
    const wrap =
      <A extends unknown[], R>(name: keyof WarehouseMaintenance, fn: (...a: A) => Promise<R>) =>
      async (...a: A): Promise<R> => {
        calls.push(name);
        if (name === step && !crashed) {
          crashed = true;
          throw new Error(`instance killed during ${name}`);
        }
        return fn(...a);
      };
    return {
      calls,
      m: {
        refreshMaterializedView: wrap('refreshMaterializedView', (v: string) =>
          real.refreshMaterializedView(v),
        ),
        partitionDays: wrap('partitionDays', (t: TableName, d: string) => real.partitionDays(t, d)),
        countRows: wrap('countRows', (p: PartitionDay) => real.countRows(p)),
        exportPartition: wrap('exportPartition', (p: PartitionDay, l: string) => real.exportPartition(p, l)),
        countArchivedRows: wrap('countArchivedRows', (l: string) => real.countArchivedRows(l)),
        markVerified: wrap('markVerified', (l: string, m: ArchiveManifest) => real.markVerified(l, m)),
        deletePartition: wrap('deletePartition', (p: PartitionDay) => real.deletePartition(p)),
      },
    };
  }

  it.each([
    ['exportPartition', 'exporting', ['export', 'verify', 'delete']],
    ['countArchivedRows', 'exported', ['verify', 'delete']],
    ['markVerified', 'exported', ['verify', 'delete']],
    ['deletePartition', 'verified', ['delete']],
  ] as const)(
    'resumes after a crash in %s from the recorded state (%s) without losing or duplicating rows',
    async (step, stateAfterCrash, resumedSteps) => {
      const crashing = crashingOnce(step);
      const first = await archiveColdData(deps(crashing.m));
      expect(first.partitions[0]).toMatchObject({ day: '2020-01-02', result: 'failed' });
      expect(first.failed).toBe(1);
      expect((await record('2020-01-02'))?.state).toBe(stateAfterCrash);
      // Nothing was deleted unverified.
      expect(await count(`WHERE as_of < '2020-01-03'`)).toBe(3);

      const second = await archiveColdData(deps());
      const day = second.partitions.find((p) => p.day === '2020-01-02');
      expect(day).toMatchObject({ result: 'archived', rows: 3, steps: resumedSteps });
      expect(await count()).toBe(2);
      expect(await f.maintenance.countArchivedRows((await record('2020-01-02'))?.location ?? '')).toBe(3);
      // An export cut short is never written over: the next run uses the next attempt's location.
      expect((await record('2020-01-02'))?.attempt).toBe(step === 'exportPartition' ? 2 : 1);
    },
  );

  it('resumes a partition whose rows were deleted by a run that stopped before recording it', async () => {
    const crashing = crashingOnce('deletePartition');
    await archiveColdData(deps(crashing.m));
    // The delete went through after all (e.g. the instance died on the response), the record still says verified.
    await f.maintenance.deletePartition({ table: TABLE, day: '2020-01-02' });
    const second = await archiveColdData(deps());
    expect(second.partitions.find((p) => p.day === '2020-01-02')).toMatchObject({
      result: 'archived',
      steps: ['delete'],
    });
    expect((await record('2020-01-02'))?.state).toBe('deleted');
  });

  it('exports again under a new attempt when the archived files do not hold every row, and deletes only then', async () => {
    const real = f.maintenance;
    let damaged = false;
    const lossy: WarehouseMaintenance = {
      ...Object.fromEntries(
        (
          [
            'refreshMaterializedView',
            'partitionDays',
            'countRows',
            'countArchivedRows',
            'markVerified',
            'deletePartition',
          ] as const
        ).map((k) => [k, (...a: never[]) => (real[k] as (...x: never[]) => Promise<unknown>).apply(real, a)]),
      ),
      // The first export of the day loses its file (a partial upload); later exports are whole.
      exportPartition: async (p: PartitionDay, location: string) => {
        const objects = await real.exportPartition(p, location);
        if (!damaged && p.day === '2020-01-02') {
          damaged = true;
          unlinkSync(join(f.archiveDir, objects[0]));
        }
        return objects;
      },
    } as WarehouseMaintenance;
    const outcome = await archiveColdData(deps(lossy));
    expect(outcome.partitions[0]).toMatchObject({
      day: '2020-01-02',
      result: 'archived',
      steps: ['export', 'verify', 'export', 'verify', 'delete'],
      location: archiveLocation(TABLE, '2020-01-02', 2),
    });
    expect(existsSync(join(f.archiveDir, archiveLocation(TABLE, '2020-01-02', 2), 'part-000.parquet'))).toBe(
      true,
    );
    expect(existsSync(join(f.archiveDir, archiveLocation(TABLE, '2020-01-02', 2), '_VERIFIED.json'))).toBe(
      true,
    );
    expect(existsSync(join(f.archiveDir, archiveLocation(TABLE, '2020-01-02', 1), '_VERIFIED.json'))).toBe(
      false,
    );
    expect(f.logs.some((l) => l.message === 'archive verification failed; exporting again')).toBe(true);
  });

  it('never deletes a partition it cannot verify, and gives up after the configured attempts', async () => {
    const real = f.maintenance;
    const neverWhole = Object.assign(Object.create(real) as WarehouseMaintenance, {
      countArchivedRows: async () => 1,
    });
    const outcome = await archiveColdData(deps(neverWhole, 2));
    expect(outcome.partitions.map((p) => [p.day, p.result, p.reason])).toEqual([
      ['2020-01-02', 'failed', 'no verified export after 2 attempts'],
      ['2020-01-03', 'failed', 'no verified export after 2 attempts'],
    ]);
    expect(await count()).toBe(7);
  });

  it('refuses to delete rows that arrived after their day was archived', async () => {
    await archiveColdData(deps());
    await f.warehouse.insert(TABLE, priceRows('2020-01-02T18:00:00Z', ['SOL']));
    const outcome = await archiveColdData(deps());
    expect(outcome.partitions).toEqual([
      expect.objectContaining({
        day: '2020-01-02',
        result: 'failed',
        reason: '1 row(s) arrived after the partition was archived',
      }),
    ]);
    expect(await count(`WHERE as_of < '2020-01-03'`)).toBe(1);
  });
});
