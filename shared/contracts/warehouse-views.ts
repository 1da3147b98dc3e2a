/**
 * The warehouse views of shared/contracts/warehouse-views.json, rendered once per dialect: for BigQuery (`npm run
 * gen` writes it to terraform/generated/bigquery-views.json, which Terraform deploys as is) and for the local
 * DuckDB warehouse (the same roll-up in DuckDB's dialect). Materialized views stay deterministic; rolling views take
 * "now" as a parameter locally, so the local 24-hour view follows the scenario clock rather than the machine's.
 * Summary views are plain (logical) grouped views straight over a table, e.g. one row per compliance case folded
 * from its trail; BigQuery computes them at query time, so they may use conditional aggregates.
 */
import definitions from './warehouse-views.json';
import { tableDefinition, type TableName } from './warehouse-tables';

export type AggregateFn = 'COUNT' | 'MIN' | 'MAX' | 'AVG' | 'SUM' | 'MAX_BY' | 'MIN_BY';

const AGGREGATE_FNS: readonly AggregateFn[] = ['COUNT', 'MIN', 'MAX', 'AVG', 'SUM', 'MAX_BY', 'MIN_BY'];

/** A condition of a conditional measure: column compared with a literal (summary views only). */
export interface Condition {
  column: string;
  op: '=' | '<>';
  value: string;
}

export interface Measure {
  as: string;
  fn: AggregateFn;
  column?: string;
  by?: string;
  /** Summary views only: the measure aggregates the rows meeting every condition, FN(CASE WHEN ... THEN col END). */
  where?: Condition[];
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

export interface SummaryViewDefinition {
  name: string;
  description: string;
  source: TableName;
  groupBy: string[];
  measures: Measure[];
}

interface ViewsFile {
  materializedViews: Record<string, Omit<MaterializedViewDefinition, 'name'>>;
  rollingViews: Record<string, Omit<RollingViewDefinition, 'name'>>;
  summaryViews?: Record<string, Omit<SummaryViewDefinition, 'name'>>;
}

const file = definitions as unknown as ViewsFile;

export const MATERIALIZED_VIEWS: readonly MaterializedViewDefinition[] = Object.entries(
  file.materializedViews,
).map(([name, v]) => ({ name, ...v, cluster: v.cluster ?? [] }));

export const ROLLING_VIEWS: readonly RollingViewDefinition[] = Object.entries(file.rollingViews).map(
  ([name, v]) => ({ name, ...v }),
);

/** Values of conditions: inlined as SQL string literals, so nothing that could close the quote. */
const LITERAL_VALUE = /^[A-Za-z0-9_.:-]*$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CONDITION_OPS: readonly string[] = ['=', '<>'];

/**
 * Checks a summary view against the table it reads, at load: a view naming a column its source lacks, a value that
 * is not a plain literal, or an aggregate it cannot render fails here rather than in a deployed query.
 */
export function checkSummaryView(v: SummaryViewDefinition): SummaryViewDefinition {
  const fail = (problem: string): never => {
    throw new Error(`summary view ${v.name}: ${problem}`);
  };
  const [dataset, table, ...rest] = v.name.split('.');
  if (!dataset || !table || rest.length > 0 || !IDENTIFIER.test(dataset) || !IDENTIFIER.test(table))
    fail('the name must be dataset.table');
  let source: ReturnType<typeof tableDefinition> | undefined;
  try {
    source = tableDefinition(v.source);
  } catch {
    fail(`source ${v.source} is not a warehouse table`);
  }
  if (!source) return v;
  if (dataset !== source.dataset) fail(`must live in the dataset of its source ${v.source}`);
  const columns = new Map(source.columns.map((c) => [c.name, c]));
  const column = (name: unknown, role: string): void => {
    if (typeof name !== 'string' || !columns.has(name))
      fail(`${role} ${String(name)} is not a column of ${v.source}`);
  };
  if (!Array.isArray(v.groupBy) || v.groupBy.length === 0) fail('groupBy must name at least one column');
  for (const c of v.groupBy) column(c, 'groupBy');
  if (!Array.isArray(v.measures) || v.measures.length === 0) fail('no measures');
  const names = new Set<string>(v.groupBy);
  for (const m of v.measures) {
    const where = `measure ${String(m.as)}`;
    if (typeof m.as !== 'string' || !IDENTIFIER.test(m.as)) fail(`${where}: "as" must be an identifier`);
    if (names.has(m.as)) fail(`${where}: the output column ${m.as} is declared twice`);
    names.add(m.as);
    if (!AGGREGATE_FNS.includes(m.fn)) fail(`${where}: unknown aggregate ${String(m.fn)}`);
    if (m.fn !== 'COUNT') column(m.column, `${where}: column`);
    else if (m.column !== undefined) fail(`${where}: COUNT counts rows and takes no column`);
    if (m.fn === 'MAX_BY' || m.fn === 'MIN_BY') column(m.by, `${where}: by`);
    else if (m.by !== undefined) fail(`${where}: only MAX_BY and MIN_BY take "by"`);
    if (m.where === undefined) continue;
    if (m.fn === 'MAX_BY' || m.fn === 'MIN_BY') fail(`${where}: ${m.fn} takes no conditions`);
    if (!Array.isArray(m.where) || m.where.length === 0) fail(`${where}: "where" must list conditions`);
    for (const c of m.where) {
      column(c.column, `${where}: condition on`);
      if (columns.get(c.column)?.type !== 'STRING')
        fail(`${where}: condition on ${c.column}, which is not a STRING column`);
      if (!CONDITION_OPS.includes(c.op)) fail(`${where}: operator ${String(c.op)} is not one of = <>`);
      if (typeof c.value !== 'string' || !LITERAL_VALUE.test(c.value))
        fail(`${where}: value ${JSON.stringify(c.value)} must match ${String(LITERAL_VALUE)}`);
    }
  }
  return v;
}

export const SUMMARY_VIEWS: readonly SummaryViewDefinition[] = Object.entries(file.summaryViews ?? {}).map(
  ([name, v]) => checkSummaryView({ name, ...v }),
);

// A view's name is its own: not a table's, nor another kind of view's.
{
  const seen = new Set<string>();
  for (const name of [
    ...MATERIALIZED_VIEWS.map((v) => v.name),
    ...ROLLING_VIEWS.map((v) => v.name),
    ...SUMMARY_VIEWS.map((v) => v.name),
  ]) {
    let isTable = true;
    try {
      tableDefinition(name as TableName);
    } catch {
      isTable = false;
    }
    if (seen.has(name) || isTable) throw new Error(`warehouse view ${name} is declared twice`);
    seen.add(name);
  }
  for (const v of MATERIALIZED_VIEWS)
    if (v.measures.some((m) => m.where !== undefined))
      throw new Error(`materialized view ${v.name}: conditional measures are for summary views only`);
}

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

export function summaryView(name: string): SummaryViewDefinition {
  const v = SUMMARY_VIEWS.find((s) => s.name === name);
  if (!v) throw new Error(`unknown summary view ${name}`);
  return v;
}

/** Hours one bucket of the view spans; a rolling view reads one bucket more than its window. */
export const bucketHours = (v: MaterializedViewDefinition): number => (v.bucket.unit === 'HOUR' ? 1 : 24);

type Dialect = 'bigquery' | 'duckdb';

/**
 * How one dialect spells what the views share. BigQuery's MAX_BY(x, y) returns x of the row with the greatest y, NULL
 * included; DuckDB's max_by skips rows whose x is NULL, so DuckDB takes arg_max_null, which does not.
 */
interface Spelling {
  dialect: Dialect;
  /** Column names as written: plain in the materialized views, quoted in summary views (`at` is reserved in BigQuery). */
  ident: (name: string) => string;
}

const DUCKDB_FNS: Partial<Record<AggregateFn, string>> = { MAX_BY: 'arg_max_null', MIN_BY: 'arg_min_null' };

const plain = (dialect: Dialect): Spelling => ({ dialect, ident: (n) => n });
const quoted = (dialect: Dialect): Spelling => ({
  dialect,
  ident: (n) => (dialect === 'bigquery' ? `\`${n}\`` : `"${n}"`),
});

function aggregate(m: Measure, sp: Spelling): string {
  const fn = sp.dialect === 'duckdb' ? (DUCKDB_FNS[m.fn] ?? m.fn) : m.fn;
  // Values are checked at load (LITERAL_VALUE): nothing in them can close the quote.
  const when = m.where?.map((c) => `${sp.ident(c.column)} ${c.op} '${c.value}'`).join(' AND ');
  const arg = (expr: string) => (when ? `CASE WHEN ${when} THEN ${expr} END` : expr);
  if (m.fn === 'COUNT') return when ? `COUNT(${arg('1')})` : 'COUNT(*)';
  if (m.fn === 'MAX_BY' || m.fn === 'MIN_BY') return `${fn}(${sp.ident(m.column!)}, ${sp.ident(m.by!)})`;
  return `${fn}(${arg(sp.ident(m.column!))})`;
}

/** SELECT the group columns, any extra (name, expression) pairs and the measures, grouped by the columns and names. */
function groupedSelectSql(
  groupBy: string[],
  extra: { as: string; expr: string }[],
  measures: Measure[],
  from: string,
  sp: Spelling,
): string {
  return [
    'SELECT',
    [
      ...groupBy.map((c) => `  ${sp.ident(c)}`),
      ...extra.map((e) => `  ${e.expr} AS ${sp.ident(e.as)}`),
      ...measures.map((m) => `  ${aggregate(m, sp)} AS ${sp.ident(m.as)}`),
    ].join(',\n'),
    `FROM ${from}`,
    `GROUP BY ${[...groupBy, ...extra.map((e) => e.as)].map(sp.ident).join(', ')}`,
  ].join('\n');
}

function selectSql(
  v: MaterializedViewDefinition,
  bucketExpr: string,
  from: string,
  dialect: Dialect,
): string {
  return groupedSelectSql(
    v.groupBy,
    [{ as: v.bucket.as, expr: bucketExpr }],
    v.measures,
    from,
    plain(dialect),
  );
}

/** The materialized view's query as BigQuery runs it (what Terraform deploys, via the generated file). */
export function bigQueryMaterializedViewSql(v: MaterializedViewDefinition, projectId: string): string {
  return selectSql(
    v,
    `TIMESTAMP_TRUNC(${v.bucket.column}, ${v.bucket.unit})`,
    `\`${projectId}.${v.source}\``,
    'bigquery',
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
  return selectSql(v, `date_trunc('${v.bucket.unit.toLowerCase()}', ${v.bucket.column})`, v.source, 'duckdb');
}

/** The summary view's query as BigQuery runs it (a logical view: computed at query time, never stored). */
export function bigQuerySummaryViewSql(v: SummaryViewDefinition, projectId: string): string {
  return groupedSelectSql(v.groupBy, [], v.measures, `\`${projectId}.${v.source}\``, quoted('bigquery'));
}

/** The same summary in DuckDB's dialect (arg_max_null for MAX_BY, so a NULL latest value stays NULL). */
export function duckDbSummaryViewSql(v: SummaryViewDefinition): string {
  return groupedSelectSql(v.groupBy, [], v.measures, v.source, quoted('duckdb'));
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
 * refresh rebuilds it, as refreshMaterializedViews does), each rolling view as a DuckDB view over it at now(), and
 * each summary view as a DuckDB view over its table (run after the tables exist), so queries that name the views run
 * unchanged on both warehouses.
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
    ...SUMMARY_VIEWS.map((v) => `CREATE OR REPLACE VIEW ${v.name} AS\n${duckDbSummaryViewSql(v)}`),
  ];
}
