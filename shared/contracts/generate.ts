/**
 * Regenerates what derives from schemas/: TypeScript types (shared/contracts/generated/types.ts) and the
 * BigQuery table schemas Terraform reads (terraform/generated/bigquery-tables.json).
 * `npm run gen` writes them; `renderGenerated()` lets a test prove the committed copies are current.
 */
import { compile } from 'json-schema-to-typescript';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import topologyJson from '../../functions/topology.json';
import { SCHEMAS, type SchemaName } from './schema-registry';
import { WAREHOUSE_TABLES, bigQuerySchema } from './warehouse-tables';

const ROOT = join(__dirname, '..', '..');
export const TYPES_FILE = join(ROOT, 'shared/contracts/generated/types.ts');
export const TABLES_FILE = join(ROOT, 'terraform/generated/bigquery-tables.json');

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
  parts.push('/** Message type per topic that declares a schema in functions/topology.json. */');
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

export async function renderGenerated(): Promise<Record<string, string>> {
  return { [TYPES_FILE]: await renderTypes(), [TABLES_FILE]: renderTables() };
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
