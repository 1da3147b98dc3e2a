/**
 * The warehouse views of shared/contracts/warehouse-views.json, rendered once per dialect: for BigQuery (`npm run
 * gen` writes it to terraform/generated/bigquery-views.json, which Terraform deploys as is) and for the local
 * DuckDB warehouse (the same roll-up in DuckDB's dialect). Materialized views stay deterministic; rolling views take
 * "now" as a parameter locally, so the local 24-hour view follows the scenario clock rather than the machine's.
 */
import definitions from './warehouse-views.json';
import type { TableName } from './warehouse-tables';

export type AggregateFn = 'COUNT' | 'MIN' | 'MAX' | 'AVG' | 'SUM' | 'MAX_BY' | 'MIN_BY';

export interface Measure {
  as: string;
  fn: AggregateFn;
  column?: string;
  by?: string;
}

export interface MaterializedViewDefinition {
  name: string;
  description: string;
  source: TableName;
  groupBy: string[];
  bucket: { column: string; unit: 'HOUR' | 'DAY'; as: string };
  partition: { field: string; type: 'DAY' | 'HOUR' };
  cluster: string[];
  measures: Measure[];
}

export interface RollingViewDefinition {
  name: string;
  description: string;
  over: string;
  bucketColumn: string;
  timeColumn: string;
  windowHours: number;
}

interface ViewsFile {
  materializedViews: Record<string, Omit<MaterializedViewDefinition, 'name'>>;
  rollingViews: Record<string, Omit<RollingViewDefinition, 'name'>>;
}

const file = definitions as unknown as ViewsFile;

export const MATERIALIZED_VIEWS: readonly MaterializedViewDefinition[] = Object.entries(
  file.materializedViews,
).map(([name, v]) => ({ name, ...v, cluster: v.cluster ?? [] }));

export const ROLLING_VIEWS: readonly RollingViewDefinition[] = Object.entries(file.rollingViews).map(
  ([name, v]) => ({ name, ...v }),
);

export function materializedView(name: string): MaterializedViewDefinition {
  const v = MATERIALIZED_VIEWS.find((m) => m.name === name);
  if (!v) throw new Error(`unknown materialized view ${name}`);
  return v;
}

export function rollingView(name: string): RollingViewDefinition {
  const v = ROLLING_VIEWS.find((r) => r.name === name);
  if (!v) throw new Error(`unknown rolling view ${name}`);
  return v;
}

/** Hours one bucket of the view spans; a rolling view reads one bucket more than its window. */
export const bucketHours = (v: MaterializedViewDefinition): number => (v.bucket.unit === 'HOUR' ? 1 : 24);

function aggregate(m: Measure): string {
  if (m.fn === 'COUNT') return 'COUNT(*)';
  if (m.fn === 'MAX_BY' || m.fn === 'MIN_BY') return `${m.fn}(${m.column}, ${m.by})`;
  return `${m.fn}(${m.column})`;
}

function selectSql(v: MaterializedViewDefinition, bucketExpr: string, from: string): string {
  return [
    'SELECT',
    [
      ...v.groupBy.map((c) => `  ${c}`),
      `  ${bucketExpr} AS ${v.bucket.as}`,
      ...v.measures.map((m) => `  ${aggregate(m)} AS ${m.as}`),
    ].join(',\n'),
    `FROM ${from}`,
    `GROUP BY ${[...v.groupBy, v.bucket.as].join(', ')}`,
  ].join('\n');
}

/** The materialized view's query as BigQuery runs it (what Terraform deploys, via the generated file). */
export function bigQueryMaterializedViewSql(v: MaterializedViewDefinition, projectId: string): string {
  return selectSql(
    v,
    `TIMESTAMP_TRUNC(${v.bucket.column}, ${v.bucket.unit})`,
    `\`${projectId}.${v.source}\``,
  );
}

/** The rolling view's query as BigQuery runs it (CURRENT_TIMESTAMP lives here, never in the MV). */
export function bigQueryRollingViewSql(r: RollingViewDefinition, projectId: string): string {
  const hours = r.windowHours + bucketHours(materializedView(r.over));
  return [
    'SELECT *',
    `FROM \`${projectId}.${r.over}\``,
    `WHERE ${r.bucketColumn} >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL ${hours} HOUR)`,
    `  AND ${r.timeColumn} >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL ${r.windowHours} HOUR)`,
  ].join('\n');
}

/** The same roll-up in DuckDB's dialect (date_trunc instead of TIMESTAMP_TRUNC). */
export function duckDbMaterializedViewSql(v: MaterializedViewDefinition): string {
  return selectSql(v, `date_trunc('${v.bucket.unit.toLowerCase()}', ${v.bucket.column})`, v.source);
}

/** The rolling view in DuckDB, evaluated against the parameter @now (the Clock's time) instead of now(). */
export function duckDbRollingViewSql(r: RollingViewDefinition): string {
  const hours = r.windowHours + bucketHours(materializedView(r.over));
  return [
    'SELECT *',
    `FROM ${r.over}`,
    `WHERE ${r.bucketColumn} >= CAST(@now AS TIMESTAMPTZ) - INTERVAL ${hours} HOUR`,
    `  AND ${r.timeColumn} >= CAST(@now AS TIMESTAMPTZ) - INTERVAL ${r.windowHours} HOUR`,
    `  AND ${r.timeColumn} <= CAST(@now AS TIMESTAMPTZ)`,
    `ORDER BY ${r.bucketColumn}`,
  ].join('\n');
}

/**
 * The local warehouse's standing objects for the views: each materialized view as a table (empty until the first
 * refresh rebuilds it, as refreshMaterializedViews does) and each rolling view as a DuckDB view over it at now(),
 * so queries that name the views run unchanged on both warehouses.
 */
export function duckDbViewDdl(): string[] {
  return [
    ...MATERIALIZED_VIEWS.map(
      (v) => `CREATE TABLE IF NOT EXISTS ${v.name} AS\n${duckDbMaterializedViewSql(v)}`,
    ),
    ...ROLLING_VIEWS.map(
      (r) =>
        `CREATE OR REPLACE VIEW ${r.name} AS\n${duckDbRollingViewSql(r).replace(/CAST\(@now AS TIMESTAMPTZ\)/g, 'now()')}`,
    ),
  ];
}
