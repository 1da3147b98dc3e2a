/**
 * The one derivation of warehouse tables from the row schemas in schemas/warehouse: BigQuery table schemas
 * (serialised for Terraform) and the DuckDB DDL of the local warehouse come from the same columns.
 */
import type { AmlTable } from './areas/aml';
import type { KycTable } from './areas/kyc';
import type { NotificationTable } from './areas/notifications';
import type { OperationsTable } from './areas/operations';
import { SCHEMAS, type SchemaName } from './schema-registry';

export type TableName =
  | 'market.prices'
  | 'risk.portfolio_exposures'
  | 'risk.margin_events'
  | KycTable
  | AmlTable
  | NotificationTable
  | OperationsTable;

type JsonType = 'string' | 'number' | 'integer' | 'boolean';

interface PropertySchema {
  type: JsonType | JsonType[];
  format?: string;
  description?: string;
}

interface RowSchema {
  'x-table': string;
  'x-row-id': string;
  'x-partition'?: { field: string; type: 'DAY' | 'HOUR' };
  'x-cluster'?: string[];
  description?: string;
  required: readonly string[];
  properties: Record<string, PropertySchema>;
}

export type ColumnType = 'STRING' | 'FLOAT64' | 'INT64' | 'BOOL' | 'TIMESTAMP' | 'DATE';

export interface Column {
  name: string;
  type: ColumnType;
  required: boolean;
  description?: string;
}

export interface TableDefinition {
  name: TableName;
  dataset: string;
  table: string;
  rowIdColumn: string;
  partition?: { field: string; type: 'DAY' | 'HOUR' };
  cluster: string[];
  description?: string;
  columns: Column[];
}

function columnType(p: PropertySchema, where: string): ColumnType {
  const types = (Array.isArray(p.type) ? p.type : [p.type]).filter((t) => (t as string) !== 'null');
  if (types.length !== 1) throw new Error(`${where}: a column needs exactly one non-null type`);
  switch (types[0]) {
    case 'string':
      return p.format === 'date-time' ? 'TIMESTAMP' : p.format === 'date' ? 'DATE' : 'STRING';
    case 'number':
      return 'FLOAT64';
    case 'integer':
      return 'INT64';
    case 'boolean':
      return 'BOOL';
    default:
      throw new Error(`${where}: unsupported type ${String(types[0])}`);
  }
}

function definitionOf(schemaName: SchemaName): TableDefinition {
  const s = SCHEMAS[schemaName] as unknown as RowSchema;
  const [dataset, table] = s['x-table'].split('.');
  const columns = Object.entries(s.properties).map(([name, p]) => ({
    name,
    type: columnType(p, `${schemaName}.${name}`),
    required: s.required.includes(name),
    ...(p.description ? { description: p.description } : {}),
  }));
  if (!columns.some((c) => c.name === s['x-row-id']))
    throw new Error(`${schemaName}: x-row-id is not a column`);
  return {
    name: s['x-table'] as TableName,
    dataset,
    table,
    rowIdColumn: s['x-row-id'],
    partition: s['x-partition'],
    cluster: s['x-cluster'] ?? [],
    description: s.description,
    columns,
  };
}

export const WAREHOUSE_TABLES: readonly TableDefinition[] = (Object.keys(SCHEMAS) as SchemaName[])
  .filter((n) => n.startsWith('warehouse/'))
  .map(definitionOf);

export function tableDefinition(name: TableName): TableDefinition {
  const t = WAREHOUSE_TABLES.find((d) => d.name === name);
  if (!t) throw new Error(`unknown warehouse table ${name}`);
  return t;
}

export function rowSchemaName(name: TableName): SchemaName {
  return `warehouse/${name}` as SchemaName;
}

/** BigQuery REST table schema fields, as google_bigquery_table's `schema` argument takes them. */
export function bigQuerySchema(
  t: TableDefinition,
): { name: string; type: ColumnType; mode: string; description?: string }[] {
  return t.columns.map((c) => ({
    name: c.name,
    type: c.type,
    mode: c.required ? 'REQUIRED' : 'NULLABLE',
    ...(c.description ? { description: c.description } : {}),
  }));
}

const DUCKDB_TYPES: Record<ColumnType, string> = {
  STRING: 'VARCHAR',
  FLOAT64: 'DOUBLE',
  INT64: 'BIGINT',
  BOOL: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMPTZ',
  DATE: 'DATE',
};

/** DDL of the local warehouse; the row-id column is the primary key that makes inserts idempotent. */
export function duckDbDdl(t: TableDefinition): string[] {
  const cols = t.columns.map(
    (c) =>
      `  ${c.name} ${DUCKDB_TYPES[c.type]}${c.required ? ' NOT NULL' : ''}${c.name === t.rowIdColumn ? ' PRIMARY KEY' : ''}`,
  );
  return [
    `CREATE SCHEMA IF NOT EXISTS ${t.dataset}`,
    `CREATE TABLE IF NOT EXISTS ${t.name} (\n${cols.join(',\n')}\n)`,
  ];
}
