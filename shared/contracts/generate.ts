/**
 * Regenerates what derives from schemas/ and shared/contracts: TypeScript types
 * (shared/contracts/generated/types.ts), the BigQuery table schemas Terraform reads
 * (terraform/generated/bigquery-tables.json) and the BigQuery SQL of the warehouse views it deploys
 * (terraform/generated/bigquery-views.json, rendered by warehouse-views.ts so HCL renders no SQL).
 * `npm run gen` writes them; `renderGenerated()` lets a test prove the committed copies are current.
 */
import { compile } from 'json-schema-to-typescript';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import topologyJson from './topology.json';
import { SCHEMAS, type SchemaName } from './schema-registry';
import { WAREHOUSE_TABLES, bigQuerySchema } from './warehouse-tables';
import {
  MATERIALIZED_VIEWS,
  ROLLING_VIEWS,
  bigQueryMaterializedViewSql,
  bigQueryRollingViewSql,
  bucketHours,
} from './warehouse-views';

const ROOT = join(__dirname, '..', '..');
export const TYPES_FILE = join(ROOT, 'shared/contracts/generated/types.ts');
export const TABLES_FILE = join(ROOT, 'terraform/generated/bigquery-tables.json');
export const VIEWS_FILE = join(ROOT, 'terraform/generated/bigquery-views.json');
/** Stands for the project in the generated SQL; Terraform replaces it (the file names it, so HCL does not). */
export const PROJECT_PLACEHOLDER = '${project_id}';

function typeName(name: SchemaName): string {
  return (SCHEMAS[name] as { title: string }).title;
}

export async function renderTypes(): Promise<string> {
  const parts = ['/* Generated from schemas/ by `npm run gen`. Do not edit. */', ''];
  for (const name of Object.keys(SCHEMAS) as SchemaName[]) {
    const schema = JSON.parse(JSON.stringify(SCHEMAS[name])) as Record<string, unknown>;
    const dir = join(ROOT, 'schemas', name.split('/')[0]);
    const ts = await compile(schema as never, typeName(name), {
      bannerComment: '',
      cwd: dir,
      additionalProperties: false,
      declareExternallyReferenced: true,
      format: false,
      strictIndexSignatures: true,
      ignoreMinAndMaxItems: true,
    });
    parts.push(ts.trim(), '');
  }
  parts.push('export interface SchemaTypes {');
  for (const name of Object.keys(SCHEMAS) as SchemaName[]) parts.push(`  '${name}': ${typeName(name)};`);
  parts.push('}', '');
  // What EventBus.publish and Warehouse.insert are typed by: the wrong message or row fails typecheck.
  parts.push('/** Message type per topic that declares a schema in shared/contracts/topology.json. */');
  parts.push('export interface TopicMessages {');
  for (const [topic, spec] of Object.entries(topologyJson.topics) as [string, { schema: string | null }][])
    if (spec.schema) parts.push(`  '${topic}': ${typeName(spec.schema as SchemaName)};`);
  parts.push('}', '');
  parts.push('/** Row type per warehouse table: the row schema whose x-table names it. */');
  parts.push('export interface TableRows {');
  for (const name of Object.keys(SCHEMAS) as SchemaName[]) {
    const table = (SCHEMAS[name] as { 'x-table'?: string })['x-table'];
    if (table) parts.push(`  '${table}': ${typeName(name)};`);
  }
  parts.push('}', '');
  return dedupeDeclarations(parts.join('\n'));
}

/** Shared $refs are emitted once per referencing schema; keep the first declaration of each name. */
function dedupeDeclarations(source: string): string {
  const seen = new Set<string>();
  const blocks = source.split(/\n(?=export )/);
  return blocks
    .filter((b) => {
      const m = /^export (?:interface|type) (\w+)/.exec(b.trimStart());
      if (!m) return true;
      if (seen.has(m[1])) return false;
      seen.add(m[1]);
      return true;
    })
    .join('\n');
}

export function renderTables(): string {
  const tables = Object.fromEntries(
    WAREHOUSE_TABLES.map((t) => [
      t.name,
      {
        dataset: t.dataset,
        table: t.table,
        description: t.description ?? '',
        row_id: t.rowIdColumn,
        partition_field: t.partition?.field ?? null,
        partition_type: t.partition?.type ?? null,
        clustering: t.cluster,
        schema: bigQuerySchema(t),
      },
    ]),
  );
  return JSON.stringify({ tables }, null, 2) + '\n';
}

/** Per view, what modules/views deploys: names, layout and the BigQuery query with the project placeholder. */
export function renderViews(): string {
  const split = (name: string) => {
    const [dataset, table] = name.split('.');
    return { dataset, table };
  };
  const materializedViews = Object.fromEntries(
    MATERIALIZED_VIEWS.map((v) => [
      v.name,
      {
        ...split(v.name),
        description: v.description,
        source: v.source,
        partition: v.partition,
        cluster: v.cluster,
        bucket_hours: bucketHours(v),
        query: bigQueryMaterializedViewSql(v, PROJECT_PLACEHOLDER),
      },
    ]),
  );
  const rollingViews = Object.fromEntries(
    ROLLING_VIEWS.map((r) => [
      r.name,
      {
        ...split(r.name),
        description: r.description,
        over: r.over,
        window_hours: r.windowHours,
        query: bigQueryRollingViewSql(r, PROJECT_PLACEHOLDER),
      },
    ]),
  );
  return (
    JSON.stringify(
      {
        project_placeholder: PROJECT_PLACEHOLDER,
        materialized_views: materializedViews,
        rolling_views: rollingViews,
      },
      null,
      2,
    ) + '\n'
  );
}

export async function renderGenerated(): Promise<Record<string, string>> {
  return { [TYPES_FILE]: await renderTypes(), [TABLES_FILE]: renderTables(), [VIEWS_FILE]: renderViews() };
}

if (require.main === module) {
  void (async () => {
    const files = await renderGenerated();
    for (const [file, content] of Object.entries(files)) {
      const current = (() => {
        try {
          return readFileSync(file, 'utf8');
        } catch {
          return '';
        }
      })();
      if (current !== content) writeFileSync(file, content);
    }
  })();
}
