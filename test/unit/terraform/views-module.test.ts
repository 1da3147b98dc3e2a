/**
 * terraform/modules/views (provider-free, evaluated offline) renders the BigQuery views from
 * shared/contracts/warehouse-views.json exactly as the code's renderer does, keeps materialized views within
 * BigQuery's incremental rules, and refuses definitions that break them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MATERIALIZED_VIEWS,
  ROLLING_VIEWS,
  bigQueryMaterializedViewSql,
  bigQueryRollingViewSql,
} from '../../../shared/contracts/warehouse-views';
import { evaluateModule } from './evaluate';
import { ROOT, TF_DIR, generatedTables } from './hcl';

interface ViewsOut {
  materialized_views: Record<
    string,
    {
      dataset: string;
      table: string;
      source: string;
      partition: { field: string; type: string };
      query: string;
    }
  >;
  rolling_views: Record<string, { dataset: string; table: string; over: string; query: string }>;
}

const PROJECT = 'demo-project';
const VIEWS = join(ROOT, 'shared', 'contracts', 'warehouse-views.json');
const TABLES = join(TF_DIR, 'generated', 'bigquery-tables.json');
const NON_DETERMINISTIC =
  /\b(CURRENT_TIMESTAMP|CURRENT_DATE|CURRENT_DATETIME|CURRENT_TIME|RAND|GENERATE_UUID|SESSION_USER|NOW)\b/i;

function evaluate(viewsPath = VIEWS) {
  return evaluateModule<ViewsOut>('views', {
    views_path: viewsPath,
    tables_path: TABLES,
    project_id: PROJECT,
  });
}

describe('terraform/modules/views', () => {
  let out: ViewsOut;
  beforeAll(() => {
    const r = evaluate();
    if (!r.ok) throw new Error(r.stderr);
    out = r.value;
  });

  it('renders the contract materialized view and its 24-hour view', () => {
    expect(Object.keys(out.materialized_views)).toContain('risk.recent_portfolio_exposures_mv');
    expect(out.rolling_views['risk.recent_portfolio_exposures_24h']).toMatchObject({
      dataset: 'risk',
      table: 'recent_portfolio_exposures_24h',
      over: 'risk.recent_portfolio_exposures_mv',
    });
  });

  it('renders byte for byte the SQL the code renders for BigQuery', () => {
    expect(Object.keys(out.materialized_views).sort()).toEqual(MATERIALIZED_VIEWS.map((v) => v.name).sort());
    for (const v of MATERIALIZED_VIEWS)
      expect(out.materialized_views[v.name].query).toBe(bigQueryMaterializedViewSql(v, PROJECT));
    for (const r of ROLLING_VIEWS)
      expect(out.rolling_views[r.name].query).toBe(bigQueryRollingViewSql(r, PROJECT));
  });

  it('keeps materialized views deterministic, on their base partitioning, and puts the window in the rolling view', () => {
    const tables = generatedTables().tables;
    for (const [name, mv] of Object.entries(out.materialized_views)) {
      expect({ name, nonDeterministic: NON_DETERMINISTIC.exec(mv.query)?.[0] ?? null }).toEqual({
        name,
        nonDeterministic: null,
      });
      const base = tables[mv.source];
      expect(mv.query).toContain(`TIMESTAMP_TRUNC(${base.partition_field}, `);
      expect(mv.query).toContain(`FROM \`${PROJECT}.${mv.source}\``);
      expect(mv.partition.type).toBe(base.partition_type);
      expect(mv.dataset).toBe(base.dataset);
    }
    for (const r of Object.values(out.rolling_views)) {
      expect(r.query).toContain('CURRENT_TIMESTAMP()');
      expect(r.query).toMatch(/INTERVAL 24 HOUR/);
    }
  });

  it.each([
    [
      'a column the source lacks',
      (d: Def) => d.measures.push({ as: 'x', fn: 'MAX', column: 'no_such_column' }),
      'reads no_such_column, not a column of risk.portfolio_exposures',
    ],
    [
      'a non-incremental aggregate',
      (d: Def) => d.measures.push({ as: 'x', fn: 'STRING_AGG', column: 'asset' }),
      'STRING_AGG is not an incremental aggregate',
    ],
    [
      'a bucket off the partitioning column',
      (d: Def) => (d.bucket.column = 'tick_id'),
      'bucket tick_id must be the partitioning column',
    ],
  ])('refuses %s', (_what, edit, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'fr-views-bad-'));
    try {
      const defs = JSON.parse(readFileSync(VIEWS, 'utf8')) as { materializedViews: Record<string, Def> };
      edit(defs.materializedViews['risk.recent_portfolio_exposures_mv']);
      const path = join(dir, 'views.json');
      writeFileSync(path, JSON.stringify(defs));
      const r = evaluate(path);
      expect(r.ok).toBe(false);
      expect(r.ok ? '' : r.stderr).toContain(message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

interface Def {
  bucket: { column: string };
  measures: { as: string; fn: string; column?: string }[];
}
