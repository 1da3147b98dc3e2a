/**
 * TypeScript types and the BigQuery table schemas Terraform reads are generated from schemas/, and the BigQuery
 * SQL of the views Terraform deploys from shared/contracts/warehouse-views.json. A schema or view edit without
 * `npm run gen` would deploy tables and views and compile code against a stale contract.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SCHEMAS, type SchemaName } from '../../../shared/contracts/schema-registry';
import {
  MATERIALIZED_VIEWS,
  ROLLING_VIEWS,
  SUMMARY_VIEWS,
  bigQueryMaterializedViewSql,
  bigQueryRollingViewSql,
  bigQuerySummaryViewSql,
} from '../../../shared/contracts/warehouse-views';
import { ROOT } from './schema-fixtures';

const TYPES_FILE = join(ROOT, 'shared/contracts/generated/types.ts');
const TABLES_FILE = join(ROOT, 'terraform/generated/bigquery-tables.json');
const VIEWS_FILE = join(ROOT, 'terraform/generated/bigquery-views.json');
const SDK_TYPES_FILE = join(ROOT, 'sdk/src/generated/api-types.ts');

/** renderGenerated() from shared/contracts/generate.ts, run the way `npm run gen` runs it (see the script). */
function renderGenerated(): Record<string, string> {
  const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'render-generated.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`rendering the generated files failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, string>;
}

describe('generated files', () => {
  let rendered: Record<string, string>;

  beforeAll(() => {
    rendered = renderGenerated();
  });

  it('are the TypeScript types, the Terraform tables and views files, and the SDK types', () => {
    expect(Object.keys(rendered).sort()).toEqual(
      [TYPES_FILE, TABLES_FILE, VIEWS_FILE, SDK_TYPES_FILE].sort(),
    );
  });

  it('give the SDK a type for every body the OpenAPI document references, from the same schemas', () => {
    const sdk = rendered[SDK_TYPES_FILE];
    for (const title of [
      'PortfolioView',
      'DeskOverview',
      'ExposureHistory',
      'AlertPage',
      'ApiError',
      'StreamHeartbeat',
    ])
      expect(sdk).toMatch(new RegExp(`export (interface|type) ${title}\\b`));
    // One source: the SDK's declaration of a body is the server's, character for character.
    const block = (src: string, name: string) =>
      new RegExp(`export interface ${name} \\{[\\s\\S]*?\\n\\}`).exec(src)?.[0];
    expect(block(sdk, 'PortfolioView')).toBe(block(rendered[TYPES_FILE], 'PortfolioView'));
  });

  it('match what is committed (run `npm run gen` after editing schemas/ or the views)', () => {
    const stale = Object.entries(rendered)
      .filter(([file, content]) => !existsSync(file) || readFileSync(file, 'utf8') !== content)
      .map(([file]) => `${relative(ROOT, file)} is out of date: run \`npm run gen\` and commit the result`);
    expect(stale).toEqual([]);
  });

  it('declare one TypeScript type per schema, keyed by schema name in SchemaTypes', () => {
    const types = rendered[TYPES_FILE];
    for (const name of Object.keys(SCHEMAS) as SchemaName[]) {
      const title = (SCHEMAS[name] as { title: string }).title;
      expect(types).toMatch(new RegExp(`export (interface|type) ${title}\\b`));
      expect(types).toContain(`'${name}': ${title};`);
    }
  });

  it('give Terraform every warehouse table with its row id, partitioning and columns', () => {
    const { tables } = JSON.parse(rendered[TABLES_FILE]) as {
      tables: Record<string, { row_id: string; partition_field: string; schema: { name: string }[] }>;
    };
    const rowSchemas = (Object.keys(SCHEMAS) as SchemaName[]).filter((n) => n.startsWith('warehouse/'));
    expect(Object.keys(tables).sort()).toEqual(
      rowSchemas.map((n) => (SCHEMAS[n] as unknown as { 'x-table': string })['x-table']).sort(),
    );
    expect(Object.keys(tables)).toEqual(
      expect.arrayContaining(['market.prices', 'risk.margin_events', 'risk.portfolio_exposures']),
    );
    expect(tables['risk.margin_events'].row_id).toBe('event_id');
    expect(tables['risk.margin_events'].schema.map((c) => c.name)).toContain('detected_at');
  });

  it('tell Terraform which partitioned tables never expire: compliance.case_events only (x-expire-partitions: false)', () => {
    const { tables } = JSON.parse(rendered[TABLES_FILE]) as {
      tables: Record<string, { partition_field: string | null; expire_partitions: boolean }>;
    };
    const never = Object.entries(tables)
      .filter(([, t]) => t.expire_partitions === false)
      .map(([name]) => name);
    expect(never).toEqual(['compliance.case_events']);
    expect(tables['compliance.case_events'].partition_field).toBe('at');
    // Every other table says so explicitly: the flag is carried, not left to Terraform's default.
    expect(Object.values(tables).every((t) => typeof t.expire_partitions === 'boolean')).toBe(true);
    expect(tables['compliance.transactions'].expire_partitions).toBe(true);
  });

  it('give Terraform every view with the SQL the code renders for BigQuery, the project left as a placeholder', () => {
    const views = JSON.parse(rendered[VIEWS_FILE]) as {
      project_placeholder: string;
      materialized_views: Record<string, { dataset: string; table: string; source: string; query: string }>;
      rolling_views: Record<string, { dataset: string; table: string; over: string; query: string }>;
      summary_views: Record<string, { dataset: string; table: string; source: string; query: string }>;
    };
    const placeholder = views.project_placeholder;
    expect(placeholder).toBe('${project_id}');
    expect(Object.keys(views.materialized_views).sort()).toEqual(
      MATERIALIZED_VIEWS.map((v) => v.name).sort(),
    );
    expect(Object.keys(views.rolling_views).sort()).toEqual(ROLLING_VIEWS.map((r) => r.name).sort());
    for (const v of MATERIALIZED_VIEWS) {
      const g = views.materialized_views[v.name];
      expect(`${g.dataset}.${g.table}`).toBe(v.name);
      expect(g.source).toBe(v.source);
      expect(g.query).toBe(bigQueryMaterializedViewSql(v, placeholder));
      expect(g.query).toContain(`FROM \`${placeholder}.${v.source}\``);
    }
    for (const r of ROLLING_VIEWS) {
      const g = views.rolling_views[r.name];
      expect(`${g.dataset}.${g.table}`).toBe(r.name);
      expect(g.over).toBe(r.over);
      expect(g.query).toBe(bigQueryRollingViewSql(r, placeholder));
    }
    expect(Object.keys(views.summary_views).sort()).toEqual(SUMMARY_VIEWS.map((v) => v.name).sort());
    expect(Object.keys(views.summary_views)).toContain('compliance.case_summary');
    for (const v of SUMMARY_VIEWS) {
      const g = views.summary_views[v.name];
      expect(`${g.dataset}.${g.table}`).toBe(v.name);
      expect(g.source).toBe(v.source);
      expect(g.query).toBe(bigQuerySummaryViewSql(v, placeholder));
    }
  });
});
