/**
 * restore-archive's pieces that need no cloud: the command line, and the BigQuery table and load job it builds —
 * the restore table takes the source's schema and partitioning and sets NO partition or table expiration (a
 * restored 2024 partition in a table with the 90-day expiry would be dropped on arrival), and reruns insert only
 * row ids not yet restored (MERGE).
 */
import {
  restoreLoadJob,
  restoreMergeSql,
  restoreTableMetadata,
} from '../../../shared/adapters/gcp/bigquery-maintenance';
import { bigQuerySchema, tableDefinition } from '../../../shared/contracts/warehouse-tables';
import { daysBetween, parseRestoreArgs } from '../../../ops/restore-archive';

describe('restore-archive: BigQuery restore table and load job', () => {
  it('creates the restore table with the source schema, partitioning and clustering, and no expiration', () => {
    const meta = restoreTableMetadata('market.prices');
    expect(meta.schema.fields).toEqual(bigQuerySchema(tableDefinition('market.prices')));
    expect(meta.timePartitioning).toEqual({ type: 'DAY', field: 'as_of' });
    expect(meta.clustering).toEqual({ fields: ['asset'] });
    const text = JSON.stringify(meta);
    expect(text).not.toMatch(/expiration/i);
    expect(meta).not.toHaveProperty('expirationTime');
    expect(meta.timePartitioning).not.toHaveProperty('expirationMs');
  });

  it('loads exactly the manifest objects as Parquet into a scratch table, with no partition expiration', () => {
    const job = restoreLoadJob({
      projectId: 'p',
      location: 'EU',
      bucket: 'fusion-archive',
      objects: ['market/prices/dt=2024-01-02/attempt-1/part-000000000000.parquet'],
      dataset: 'restore',
      table: 'market_prices__restore_staging',
    });
    expect(job).toEqual({
      location: 'EU',
      configuration: {
        load: {
          sourceUris: ['gs://fusion-archive/market/prices/dt=2024-01-02/attempt-1/part-000000000000.parquet'],
          sourceFormat: 'PARQUET',
          destinationTable: {
            projectId: 'p',
            datasetId: 'restore',
            tableId: 'market_prices__restore_staging',
          },
          createDisposition: 'CREATE_IF_NEEDED',
          writeDisposition: 'WRITE_TRUNCATE',
        },
      },
    });
    expect(JSON.stringify(job)).not.toMatch(/expiration|timePartitioning/i);
  });

  it('merges by the table row id, inserting only rows not restored yet', () => {
    const sql = restoreMergeSql('market.prices', '`p.restore.market_prices`', '`p.restore.s`');
    expect(sql).toContain(
      'MERGE `p.restore.market_prices` T USING `p.restore.s` S ON T.`row_id` = S.`row_id`',
    );
    expect(sql).toContain('WHEN NOT MATCHED THEN INSERT (`row_id`, ');
    expect(sql).not.toMatch(/WHEN MATCHED/);
  });
});

describe('restore-archive: command line', () => {
  const base = ['--table', 'market.prices', '--from', '2024-01-01', '--to', '2024-01-03'];
  it('accepts a range and a restore table', () => {
    expect(parseRestoreArgs([...base, '--into', 'restore.prices'])).toEqual({
      table: 'market.prices',
      from: '2024-01-01',
      to: '2024-01-03',
      into: 'restore.prices',
    });
    expect(daysBetween('2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
  });
  it.each([
    [[...base], /--into is required/],
    [[...base, '--into', 'market.prices'], /warehouse table/],
    [[...base, '--into', 'x; DROP TABLE y'], /not dataset.table/],
    [['--table', 'nope.t', '--from', '2024-01-01', '--to', '2024-01-01', '--into', 'r.t'], /unknown/],
    [
      ['--table', 'market.prices', '--from', '2024-02-30', '--to', '2024-03-01', '--into', 'r.t'],
      /not a day/,
    ],
    [['--table', 'market.prices', '--from', '2024-03-01', '--to', '2024-02-01', '--into', 'r.t'], /after/],
    [[...base, '--into', 'r.t', '--local-archive', '/tmp/a'], /go together/],
  ])('refuses %j', (argv, problem) => {
    expect(parseRestoreArgs(argv as string[])).toMatch(problem);
  });
});
