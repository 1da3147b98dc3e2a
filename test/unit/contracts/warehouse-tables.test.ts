/**
 * Warehouse tables derive from the row schemas: BigQuery column types and modes (what Terraform creates)
 * and the DuckDB DDL of the local warehouse (where the row id is the primary key that makes inserts
 * idempotent, as insertId does in BigQuery).
 */
import { SCHEMAS, type SchemaName } from '../../../shared/contracts/schema-registry';
import {
  bigQuerySchema,
  duckDbDdl,
  tableDefinition,
  WAREHOUSE_TABLES,
  type TableName,
} from '../../../shared/contracts/warehouse-tables';

interface RowSchema {
  'x-table': string;
  'x-row-id': string;
  required: string[];
  properties: Record<string, { type: string | string[]; format?: string }>;
}

const rowSchemas = (Object.keys(SCHEMAS) as SchemaName[])
  .filter((n) => n.startsWith('warehouse/'))
  .map((n) => SCHEMAS[n] as unknown as RowSchema);

/** The mapping stated independently of the implementation: JSON Schema type/format → BigQuery type. */
function expectedBigQueryType(p: { type: string | string[]; format?: string }): string {
  const t = (Array.isArray(p.type) ? p.type : [p.type]).filter((x) => x !== 'null')[0];
  if (t === 'string') return p.format === 'date-time' ? 'TIMESTAMP' : p.format === 'date' ? 'DATE' : 'STRING';
  return { number: 'FLOAT64', integer: 'INT64', boolean: 'BOOL' }[t as 'number' | 'integer' | 'boolean'];
}

const DUCK: Record<string, string> = {
  STRING: 'VARCHAR',
  FLOAT64: 'DOUBLE',
  INT64: 'BIGINT',
  BOOL: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMPTZ',
  DATE: 'DATE',
};

describe('warehouse tables', () => {
  it('are exactly the x-table of each warehouse row schema, including the platform table risk.margin_events', () => {
    expect(WAREHOUSE_TABLES.map((t) => t.name).sort()).toEqual(rowSchemas.map((s) => s['x-table']).sort());
    expect(tableDefinition('risk.margin_events')).toMatchObject({
      dataset: 'risk',
      table: 'margin_events',
      rowIdColumn: 'event_id',
    });
    expect(() => tableDefinition('risk.nope' as TableName)).toThrow('unknown warehouse table risk.nope');
  });

  it('gives risk.margin_events the BigQuery columns the platform reads', () => {
    expect(
      bigQuerySchema(tableDefinition('risk.margin_events')).map(({ name, type, mode }) => [name, type, mode]),
    ).toEqual([
      ['event_id', 'STRING', 'REQUIRED'],
      ['portfolio_id', 'STRING', 'REQUIRED'],
      ['from_state', 'STRING', 'REQUIRED'],
      ['to_state', 'STRING', 'REQUIRED'],
      ['health_score', 'FLOAT64', 'NULLABLE'],
      ['tick_id', 'STRING', 'REQUIRED'],
      ['as_of', 'TIMESTAMP', 'REQUIRED'],
      ['collateral_usd', 'FLOAT64', 'REQUIRED'],
      ['borrow_usd', 'FLOAT64', 'REQUIRED'],
      ['detected_at', 'TIMESTAMP', 'REQUIRED'],
    ]);
  });

  it.each(rowSchemas.map((s) => [s['x-table'], s] as const))(
    '%s: one BigQuery column per property, typed and moded from the schema',
    (table, schema) => {
      const fields = bigQuerySchema(tableDefinition(table as TableName));
      expect(fields.map((f) => f.name)).toEqual(Object.keys(schema.properties));
      for (const f of fields) {
        const p = schema.properties[f.name];
        expect([f.name, f.type]).toEqual([f.name, expectedBigQueryType(p)]);
        expect([f.name, f.mode]).toEqual([
          f.name,
          schema.required.includes(f.name) ? 'REQUIRED' : 'NULLABLE',
        ]);
      }
    },
  );

  it.each(rowSchemas.map((s) => [s['x-table'], s] as const))(
    '%s: DuckDB DDL with the row id as PRIMARY KEY, TIMESTAMP as TIMESTAMPTZ and NOT NULL for required columns',
    (table, schema) => {
      const def = tableDefinition(table as TableName);
      const [createSchema, createTable] = duckDbDdl(def);
      expect(createSchema).toBe(`CREATE SCHEMA IF NOT EXISTS ${def.dataset}`);
      expect(createTable.startsWith(`CREATE TABLE IF NOT EXISTS ${table} (`)).toBe(true);
      const lines = createTable
        .split('\n')
        .slice(1, -1)
        .map((l) => l.trim().replace(/,$/, ''));
      expect(lines).toHaveLength(Object.keys(schema.properties).length);
      for (const line of lines) {
        const [quoted, type] = line.split(' ');
        const name = quoted.replace(/^"(.*)"$/, '$1');
        const p = schema.properties[name];
        expect(p).toBeDefined();
        expect([name, type]).toEqual([name, DUCK[expectedBigQueryType(p)]]);
        expect([name, line.includes('NOT NULL')]).toEqual([name, schema.required.includes(name)]);
        expect([name, line.endsWith('PRIMARY KEY')]).toEqual([name, name === schema['x-row-id']]);
      }
    },
  );

  it('writes the margin-events DDL a developer can read and run', () => {
    expect(duckDbDdl(tableDefinition('risk.margin_events'))[1]).toBe(
      [
        'CREATE TABLE IF NOT EXISTS risk.margin_events (',
        '  "event_id" VARCHAR NOT NULL PRIMARY KEY,',
        '  "portfolio_id" VARCHAR NOT NULL,',
        '  "from_state" VARCHAR NOT NULL,',
        '  "to_state" VARCHAR NOT NULL,',
        '  "health_score" DOUBLE,',
        '  "tick_id" VARCHAR NOT NULL,',
        '  "as_of" TIMESTAMPTZ NOT NULL,',
        '  "collateral_usd" DOUBLE NOT NULL,',
        '  "borrow_usd" DOUBLE NOT NULL,',
        '  "detected_at" TIMESTAMPTZ NOT NULL',
        ')',
      ].join('\n'),
    );
  });

  it('lets partitions expire unless the row schema says "x-expire-partitions": false (compliance.case_events only)', () => {
    const schemaOf = (t: string) =>
      rowSchemas.find((r) => r['x-table'] === t) as unknown as Record<string, unknown>;
    for (const t of WAREHOUSE_TABLES)
      expect([t.name, t.expirePartitions]).toEqual([
        t.name,
        schemaOf(t.name)['x-expire-partitions'] !== false,
      ]);
    expect(WAREHOUSE_TABLES.filter((t) => !t.expirePartitions).map((t) => t.name)).toEqual([
      'compliance.case_events',
    ]);
    expect(tableDefinition('compliance.case_events')).toMatchObject({
      rowIdColumn: 'event_id',
      partition: { field: 'at', type: 'DAY' },
      cluster: ['case_id'],
      expirePartitions: false,
    });
    expect(tableDefinition('compliance.transactions')).toMatchObject({
      rowIdColumn: 'transaction_id',
      partition: { field: 'evaluated_at', type: 'DAY' },
      cluster: ['user_id', 'outcome'],
      expirePartitions: true,
    });
  });

  it.each(WAREHOUSE_TABLES.map((t) => [t.name, t] as const))(
    '%s: partitioned by day on a required TIMESTAMP column and clustered on existing columns (BigQuery rejects anything else)',
    (_name, def) => {
      expect(def.partition).toBeDefined();
      const col = def.columns.find((c) => c.name === def.partition?.field);
      expect(col).toMatchObject({ type: 'TIMESTAMP', required: true });
      expect(def.cluster.length).toBeGreaterThan(0);
      expect(def.cluster.length).toBeLessThanOrEqual(4);
      for (const c of def.cluster) expect(def.columns.map((x) => x.name)).toContain(c);
      expect(def.columns.find((c) => c.name === def.rowIdColumn)).toMatchObject({
        type: 'STRING',
        required: true,
      });
    },
  );
});
