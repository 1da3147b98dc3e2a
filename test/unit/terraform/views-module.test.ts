/**
 * terraform/modules/views (provider-free, evaluated offline) deploys the BigQuery SQL the code renders
 * (terraform/generated/bigquery-views.json, from shared/contracts/warehouse-views.ts) and renders none itself; it
 * keeps materialized views within BigQuery's incremental rules and refuses declarations that break them, or a
 * generated file that no longer renders the declared views.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateModule } from './evaluate';
import { MODULES_DIR, ROOT, TF_DIR, generatedTables, localsOf, parseDir } from './hcl';

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
  summary_views: Record<string, { dataset: string; table: string; source: string; query: string }>;
}

interface Generated {
  project_placeholder: string;
  materialized_views: Record<string, { source: string; query: string }>;
  rolling_views: Record<string, { over: string; query: string }>;
  summary_views: Record<string, { source: string; query: string }>;
}

const MV = 'risk.recent_portfolio_exposures_mv';

interface Def {
  bucket: { column: string };
  measures: { as: string; fn: string; column?: string }[];
}

interface Defs {
  materializedViews: Record<string, Def>;
  summaryViews: Record<string, Omit<Def, 'bucket'> & { source: string; groupBy: string[] }>;
}

const mv = (d: Defs): Def => d.materializedViews[MV];
const SUMMARY = 'compliance.case_summary';

const PROJECT = 'demo-project';
const VIEWS = join(ROOT, 'shared', 'contracts', 'warehouse-views.json');
const GENERATED = join(TF_DIR, 'generated', 'bigquery-views.json');
const TABLES = join(TF_DIR, 'generated', 'bigquery-tables.json');
const NON_DETERMINISTIC =
  /\b(CURRENT_TIMESTAMP|CURRENT_DATE|CURRENT_DATETIME|CURRENT_TIME|RAND|GENERATE_UUID|SESSION_USER|NOW)\b/i;

const generated = (): Generated => JSON.parse(readFileSync(GENERATED, 'utf8')) as Generated;

function evaluate(viewsPath = VIEWS, generatedPath = GENERATED) {
  return evaluateModule<ViewsOut>('views', {
    views_path: viewsPath,
    generated_views_path: generatedPath,
    tables_path: TABLES,
    project_id: PROJECT,
  });
}

/** Evaluates the module on edited copies of the declarations and/or the generated file. */
function evaluateEdited(edit: { views?: (d: Defs) => void; generated?: (g: Generated) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'fr-views-edited-'));
  try {
    const defs = JSON.parse(readFileSync(VIEWS, 'utf8')) as Defs;
    edit.views?.(defs);
    const gen = generated();
    edit.generated?.(gen);
    writeFileSync(join(dir, 'views.json'), JSON.stringify(defs));
    writeFileSync(join(dir, 'generated.json'), JSON.stringify(gen));
    return evaluate(join(dir, 'views.json'), join(dir, 'generated.json'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('terraform/modules/views', () => {
  let out: ViewsOut;
  beforeAll(() => {
    const r = evaluate();
    if (!r.ok) throw new Error(r.stderr);
    out = r.value;
  });

  it('deploys the contract materialized view and its 24-hour view', () => {
    expect(Object.keys(out.materialized_views)).toContain('risk.recent_portfolio_exposures_mv');
    expect(out.rolling_views['risk.recent_portfolio_exposures_24h']).toMatchObject({
      dataset: 'risk',
      table: 'recent_portfolio_exposures_24h',
      over: 'risk.recent_portfolio_exposures_mv',
    });
  });

  it('deploys the generated queries, with the project in place of the placeholder', () => {
    const g = generated();
    expect(Object.keys(out.materialized_views).sort()).toEqual(Object.keys(g.materialized_views).sort());
    expect(Object.keys(out.rolling_views).sort()).toEqual(Object.keys(g.rolling_views).sort());
    const withProject = (q: string) => q.split(g.project_placeholder).join(PROJECT);
    for (const [name, v] of Object.entries(g.materialized_views))
      expect(out.materialized_views[name].query).toBe(withProject(v.query));
    for (const [name, v] of Object.entries(g.rolling_views))
      expect(out.rolling_views[name].query).toBe(withProject(v.query));
    expect(Object.keys(out.summary_views).sort()).toEqual(Object.keys(g.summary_views).sort());
    for (const [name, v] of Object.entries(g.summary_views))
      expect(out.summary_views[name].query).toBe(withProject(v.query));
    const all = JSON.stringify(out);
    expect(all).not.toContain(g.project_placeholder);
    expect(all).toContain(`\`${PROJECT}.`);
  });

  it('takes each query from the generated file as it stands, rendering none in HCL', async () => {
    const r = evaluateEdited({
      generated: (g) => {
        for (const [name, v] of Object.entries(g.materialized_views))
          v.query = `-- ${name} from ${g.project_placeholder}`;
        for (const [name, v] of Object.entries(g.rolling_views))
          v.query = `-- ${name} over ${g.project_placeholder}`;
      },
    });
    expect(r.ok ? '' : r.stderr).toBe('');
    if (!r.ok) return;
    for (const name of Object.keys(out.materialized_views))
      expect(r.value.materialized_views[name].query).toBe(`-- ${name} from ${PROJECT}`);
    for (const name of Object.keys(out.rolling_views))
      expect(r.value.rolling_views[name].query).toBe(`-- ${name} over ${PROJECT}`);
    // No SQL is written in the module itself: it reads the rendering from the generated file.
    const config = await parseDir(join(MODULES_DIR, 'views'));
    expect(localsOf(config).generated).toBe('${jsondecode(file(var.generated_views_path))}');
    expect(JSON.stringify(config)).not.toMatch(
      /\b(SELECT|FROM|GROUP BY|TIMESTAMP_TRUNC|TIMESTAMP_SUB|INTERVAL)\b/,
    );
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

  it('deploys the summary view of compliance cases as a logical view over the trail, in its dataset', () => {
    expect(out.summary_views[SUMMARY]).toMatchObject({
      dataset: 'compliance',
      table: 'case_summary',
      source: 'compliance.case_events',
    });
    expect(out.summary_views[SUMMARY].query).toContain(`FROM \`${PROJECT}.compliance.case_events\``);
  });

  it.each([
    [
      'a summary view reading a column its source lacks',
      (d: Defs) => d.summaryViews[SUMMARY].measures.push({ as: 'x', fn: 'MAX', column: 'no_such_column' }),
      `${SUMMARY}: reads no_such_column, not a column of compliance.case_events`,
    ],
    [
      'a summary view over a table that is not generated',
      (d: Defs) => (d.summaryViews[SUMMARY].source = 'compliance.nope'),
      `${SUMMARY}: source compliance.nope is not a generated table`,
    ],
    [
      'a column the source lacks',
      (d: Defs) => mv(d).measures.push({ as: 'x', fn: 'MAX', column: 'no_such_column' }),
      'reads no_such_column, not a column of risk.portfolio_exposures',
    ],
    [
      'a non-incremental aggregate',
      (d: Defs) => mv(d).measures.push({ as: 'x', fn: 'STRING_AGG', column: 'asset' }),
      'STRING_AGG is not an incremental aggregate',
    ],
    [
      'a bucket off the partitioning column',
      (d: Defs) => (mv(d).bucket.column = 'tick_id'),
      'bucket tick_id must be the partitioning column',
    ],
  ])('refuses %s', (_what, edit, message) => {
    const r = evaluateEdited({ views: edit });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.stderr).toContain(message);
  });

  it.each([
    [
      'misses a declared view',
      (g: Generated) => delete g.rolling_views['risk.recent_portfolio_exposures_24h'],
      'risk.recent_portfolio_exposures_24h is not rendered',
    ],
    [
      'renders a view no longer declared',
      (g: Generated) => (g.materialized_views['risk.gone_mv'] = g.materialized_views[MV]),
      'risk.gone_mv is not declared',
    ],
    [
      'renders a view from another source',
      (g: Generated) => (g.materialized_views[MV].source = 'market.prices'),
      `${MV} is rendered from another source`,
    ],
    [
      'misses a declared summary view',
      (g: Generated) => delete g.summary_views[SUMMARY],
      `${SUMMARY} is not rendered`,
    ],
  ])('refuses a generated file that %s (run `npm run gen`)', (_what, edit, message) => {
    const r = evaluateEdited({ generated: edit });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.stderr).toContain('terraform/generated/bigquery-views.json is out of date');
    expect(r.ok ? '' : r.stderr).toContain(message);
  });
});
