/**
 * The operations part of the bundled scenario, after the Black Thursday replay (exposures 2020-03-05..20, clock at
 * 2020-03-20T23:59Z):
 * 1. Cloud Scheduler's call to refreshMaterializedViews; the 24-hour exposures view is then read as of the
 *    scenario clock (never the machine's), so it shows the replay's last day.
 * 2. The replay is too recent to archive (the lag is 60 days), so first the desk's price history is backfilled
 *    into market.prices from the real closes for 2020-01-01..14 (65 to 80 days before the clock: past the archive
 *    lag, still inside BigQuery's 90-day expiry). archiveColdData then moves those days to Parquet files in the
 *    local archive, verifies the row counts and deletes them from the warehouse; a second call finds nothing to do.
 */
import { join, relative } from 'node:path';
import type { TableName } from '../../shared/contracts/warehouse-tables';
import { ROLLING_VIEWS } from '../../shared/contracts/warehouse-views';
import type { TableRows } from '../../shared/contracts/schema-types';
import type { ArchiveColdDataOutcome } from '../../shared/use-cases/archive-cold-data';
import type { RefreshMaterializedViewsOutcome } from '../../shared/use-cases/refresh-materialized-views';
import { loadDailyClosesCsv } from '../providers/historical-prices';
import type { LocalStack } from '../stack';
import type { ScenarioPart } from './types';

const CLOSES = join(__dirname, '..', '..', 'test', 'fixtures', 'daily-closes-usd.csv');
const BACKFILL = { firstDay: '2020-01-01', days: 14, assets: ['BTC', 'ETH', 'LINK', 'USDT'] };
const BACKFILL_TABLE: TableName = 'market.prices';

interface Played {
  refresh?: { status: number; body: RefreshMaterializedViewsOutcome };
  recent: { view: string; rows: number; portfolios: number; latest?: string; asOf: string }[];
  backfilledRows: number;
  archive?: { status: number; body: ArchiveColdDataOutcome };
  rerun?: { status: number; body: ArchiveColdDataOutcome };
  leftInWarehouse: number;
  files: string[];
  archivedFileRows: number;
}

const played: Played = { recent: [], backfilledRows: 0, leftInWarehouse: -1, files: [], archivedFileRows: 0 };

async function post<T>(url: string | undefined): Promise<{ status: number; body: T }> {
  const res = await fetch(url ?? '', { method: 'POST', headers: { 'content-type': 'application/json' } });
  return { status: res.status, body: (await res.json()) as T };
}

/** One close per asset and day, recorded at 23:59 UTC as the replay's Scheduler ticks are. */
function backfillRows(): TableRows['market.prices'][] {
  const closes = loadDailyClosesCsv(CLOSES);
  const rows: TableRows['market.prices'][] = [];
  for (let i = 0; i < BACKFILL.days; i++) {
    const day = new Date(Date.parse(`${BACKFILL.firstDay}T23:59:00Z`) + i * 86_400_000);
    const date = day.toISOString().slice(0, 10);
    const tickId = `backfill-${date}`;
    for (const asset of BACKFILL.assets) {
      const price = closes.get(asset)?.get(date);
      if (price === undefined) continue;
      rows.push({
        row_id: `${tickId}:${asset}`,
        tick_id: tickId,
        as_of: day.toISOString(),
        asset,
        price_usd: price,
        source: 'backfill',
        quality: 'daily-close',
        published_at: day.toISOString(),
        confidence_usd: null,
      });
    }
  }
  return rows;
}

export const operationsScenario: ScenarioPart = {
  name: 'operations',
  async play(stack: LocalStack, clock) {
    const ops = stack.areas.operations;
    played.refresh = await post(stack.functionUrls.refreshMaterializedViews);
    for (const v of ROLLING_VIEWS) {
      const rows = await ops.maintenance.readRollingView<{ portfolio_id: string; latest_as_of: string }>(
        v.name,
        clock.now(),
      );
      played.recent.push({
        view: v.name,
        rows: rows.length,
        portfolios: new Set(rows.map((r) => r.portfolio_id)).size,
        latest: rows
          .map((r) => r.latest_as_of)
          .sort()
          .at(-1),
        asOf: clock.now().toISOString(),
      });
    }

    const rows = backfillRows();
    await stack.warehouse.insert(BACKFILL_TABLE, rows);
    played.backfilledRows = rows.length;
    played.archive = await post(stack.functionUrls.archiveColdData);
    played.rerun = await post(stack.functionUrls.archiveColdData);

    const [left] = await stack.warehouse.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ${BACKFILL_TABLE} WHERE tick_id LIKE 'backfill-%'`,
    );
    played.leftInWarehouse = Number(left?.n ?? -1);
    for (const p of played.archive.body.partitions ?? []) {
      if (!p.location) continue;
      played.files.push(...ops.maintenance.archivedFiles(p.location));
      played.archivedFileRows += await ops.maintenance.countArchivedRows(p.location);
    }
  },
  async report(stack: LocalStack) {
    const lines: string[] = [];
    const refresh = played.refresh;
    if (!refresh) return { lines: ['operations did not play'], ok: false };
    lines.push(`refreshMaterializedViews → ${refresh.status}`);
    for (const v of refresh.body.views ?? [])
      lines.push(`  ${v.view}: ${v.ok ? 'refreshed' : `FAILED (${v.error})`} in ${v.durationMs} ms`);
    for (const r of played.recent)
      lines.push(
        `  ${r.view} as of ${r.asOf}: ${r.rows} row(s), ${r.portfolios} portfolio(s), latest tick ${r.latest ?? '-'}`,
      );

    const archive = played.archive;
    const rerun = played.rerun;
    const archived = archive?.body.partitions?.filter((p) => p.result === 'archived') ?? [];
    lines.push(
      `archiveColdData → ${archive?.status} (cutoff ${archive?.body.cutoffDay}): ` +
        `${archived.length} partition(s), ${archive?.body.archivedRows ?? 0} row(s) of ${played.backfilledRows} backfilled ` +
        `exported, verified and deleted; ${archive?.body.failed ?? '?'} failed`,
    );
    lines.push(
      `  ${played.files.length} Parquet file(s) in ${relative(process.cwd(), stack.areas.operations.archiveDir)}:`,
    );
    for (const f of played.files.slice(0, 3))
      lines.push(`    ${relative(stack.areas.operations.archiveDir, f)}`);
    if (played.files.length > 3) lines.push(`    … and ${played.files.length - 3} more`);
    lines.push(
      `  re-read from the archive: ${played.archivedFileRows} row(s); left in the warehouse: ${played.leftInWarehouse}`,
    );
    const rerunArchived = rerun?.body.partitions?.filter((p) => p.result === 'archived').length ?? -1;
    lines.push(
      `archiveColdData again → ${rerun?.status}: ${rerunArchived} partition(s) to archive (idempotent)`,
    );

    // Other areas may hold old rows too; the backfilled days must have been archived whole.
    const backfillArchived = archived
      .filter(
        (p) =>
          p.table === BACKFILL_TABLE && p.day >= BACKFILL.firstDay && p.day < (archive?.body.cutoffDay ?? ''),
      )
      .reduce((n, p) => n + p.rows, 0);
    const ok =
      refresh.status === 200 &&
      played.recent.every((r) => r.rows > 0) &&
      archive?.status === 200 &&
      backfillArchived === played.backfilledRows &&
      played.archivedFileRows === archive.body.archivedRows &&
      played.leftInWarehouse === 0 &&
      played.files.length > 0 &&
      rerun?.status === 200 &&
      rerunArchived === 0;
    return { lines, ok };
  },
};
