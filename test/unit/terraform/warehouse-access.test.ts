/**
 * Terraform grants BigQuery access per function from its entry in the topology (writes/reads), and per TABLE: a
 * dataset-level grant would let the writer of one table rewrite every other table of the dataset (the writer of
 * compliance.kyc_events could rewrite compliance.aml_alerts). This checks the grants against the code and the
 * topology: every table a function's runtime-imported code inserts into is granted on that table; each function's
 * table grants are exactly its writes (dataEditor) and reads (dataViewer); and the few dataset-level grants left are
 * the ones allowed below, each with its reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MATERIALIZED_VIEWS } from '../../../shared/contracts/warehouse-views';
import { runtimeClosure } from '../contracts/publish-scan';
import { evaluateModule } from './evaluate';
import {
  MODULES_DIR,
  ROOT,
  TF_DIR,
  generatedTables,
  moduleNames,
  parseDir,
  resourcesOf,
  topology,
  valuesOf,
} from './hcl';

interface TopologyOut {
  functions: Record<string, { writes: string[]; reads: string[]; archive: boolean; refreshes: string[] }>;
  table_bindings: Record<string, { function: string; table: string; dataset: string; role: string }>;
  dataset_bindings: Record<string, { function: string; dataset: string; role: string; reason: string }>;
  partitioned_tables: string[];
}

const EDITOR = 'roles/bigquery.dataEditor';
const VIEWER = 'roles/bigquery.dataViewer';
const METADATA = 'roles/bigquery.metadataViewer';

const tables = generatedTables().tables;
const datasetOf = (t: string): string => tables[t]?.dataset ?? t.split('.')[0];
const partitionedDatasets = (): string[] =>
  [
    ...new Set(
      Object.entries(tables)
        .filter(([, t]) => t.partition_field)
        .map(([, t]) => t.dataset),
    ),
  ].sort();
const viewDatasets = (): string[] => [...new Set(MATERIALIZED_VIEWS.map((v) => v.name.split('.')[0]))].sort();

/**
 * The only dataset-level BigQuery grants a function may hold: function => role, the datasets it may hold it on
 * and why a table grant does not do. Anything else at dataset level fails.
 */
const DATASET_GRANTS_ALLOWED: Record<string, { role: string; datasets: () => string[]; reason: string }> = {
  archiveColdData: {
    role: METADATA,
    datasets: partitionedDatasets,
    reason:
      'lists the partitions to archive from <dataset>.INFORMATION_SCHEMA.PARTITIONS, which needs bigquery.tables.list ' +
      'on the dataset; metadataViewer reads no rows (exports and deletes run under its per-table dataEditor)',
  },
  refreshMaterializedViews: {
    role: EDITOR,
    datasets: viewDatasets,
    reason:
      'CALL BQ.REFRESH_MATERIALIZED_VIEW updates the stored view with the caller rights on the view dataset ' +
      '(its source dataset); only the datasets holding materialized views',
  },
};

/** Tables named by `.insert('<dataset>.<table>'` in the files a function loads at runtime. */
function insertedTables(folder: string): string[] {
  const files = [...runtimeClosure(`functions/${folder}/index.ts`)];
  const inserted = files.flatMap((f) =>
    [...readFileSync(join(ROOT, f), 'utf8').matchAll(/\.insert\(\s*'([a-z_]+\.[a-z_]+)'/g)].map((m) => m[1]),
  );
  return [...new Set(inserted)].sort();
}

describe('warehouse grants: per table, exactly what each function writes and reads', () => {
  let out: TopologyOut;
  beforeAll(() => {
    const r = evaluateModule<TopologyOut>('topology', {
      topology_path: join(ROOT, 'shared', 'contracts', 'topology.json'),
      tables_path: join(TF_DIR, 'generated', 'bigquery-tables.json'),
      views_path: join(ROOT, 'shared', 'contracts', 'warehouse-views.json'),
    });
    if (!r.ok) throw new Error(r.stderr);
    out = r.value;
  });

  const grantsOf = (name: string, role: string): string[] =>
    Object.values(out.table_bindings ?? {})
      .filter((b) => b.function === name && b.role === role)
      .map((b) => b.table)
      .sort();

  it('finds inserts in the code at all (the scan is not blind)', () => {
    expect(insertedTables('ingest-prices')).toEqual(['market.prices']);
  });

  it('every allowed dataset-level grant has a reason and names datasets that exist', () => {
    const datasets = new Set(Object.values(tables).map((t) => t.dataset));
    for (const [name, allowed] of Object.entries(DATASET_GRANTS_ALLOWED)) {
      expect({ name, reason: allowed.reason.length > 40 }).toEqual({ name, reason: true });
      expect({ name, unknown: allowed.datasets().filter((d) => !datasets.has(d)) }).toEqual({
        name,
        unknown: [],
      });
    }
  });

  describe.each(Object.entries(topology().functions).map(([n, f]) => [n, f.folder] as const))(
    '%s',
    (name, folder) => {
      it('may write every table it inserts into (dataEditor on that table)', () => {
        const inserted = insertedTables(folder);
        expect({ name, ungranted: inserted.filter((t) => !out.functions[name].writes.includes(t)) }).toEqual({
          name,
          ungranted: [],
        });
        expect({ name, ungranted: inserted.filter((t) => !grantsOf(name, EDITOR).includes(t)) }).toEqual({
          name,
          ungranted: [],
        });
      });

      it('holds dataEditor on exactly the tables it writes and dataViewer on exactly those it only reads', () => {
        const f = out.functions[name];
        expect({ name, editor: grantsOf(name, EDITOR) }).toEqual({ name, editor: [...f.writes].sort() });
        expect({ name, viewer: grantsOf(name, VIEWER) }).toEqual({
          name,
          viewer: f.reads.filter((t) => !f.writes.includes(t)).sort(),
        });
        const others = Object.values(out.table_bindings ?? {}).filter(
          (b) => b.function === name && b.role !== EDITOR && b.role !== VIEWER,
        );
        expect(others).toEqual([]);
        for (const b of Object.values(out.table_bindings ?? {}).filter((x) => x.function === name))
          expect({ table: b.table, dataset: b.dataset }).toEqual({
            table: b.table,
            dataset: datasetOf(b.table),
          });
      });

      it('holds a dataset-level grant only as the allow-list says (role, datasets, reason)', () => {
        const held = Object.values(out.dataset_bindings)
          .filter((b) => b.function === name)
          .map((b) => `${b.dataset} ${b.role}`)
          .sort();
        const allowed = DATASET_GRANTS_ALLOWED[name];
        expect({ name, held }).toEqual({
          name,
          held: allowed ? allowed.datasets().map((d) => `${d} ${allowed.role}`) : [],
        });
        for (const b of Object.values(out.dataset_bindings).filter((x) => x.function === name))
          expect({ name, reason: typeof b.reason === 'string' && b.reason.length > 0 }).toEqual({
            name,
            reason: true,
          });
      });
    },
  );

  it('binds only the three BigQuery data roles, table grants keyed function/dataset.table/reader|writer', () => {
    const roles = new Set([
      ...Object.values(out.table_bindings ?? {}).map((b) => b.role),
      ...Object.values(out.dataset_bindings).map((b) => b.role),
    ]);
    expect([...roles].filter((x) => ![EDITOR, VIEWER, METADATA].includes(x))).toEqual([]);
    expect(
      Object.keys(out.table_bindings ?? {}).filter((k) => !/\/[a-z_]+\.[a-z0-9_]+\/(reader|writer)$/.test(k)),
    ).toEqual([]);
  });

  it('refreshes materialized views only in refreshMaterializedViews, and archives only in archiveColdData', () => {
    const refreshing = Object.entries(out.functions)
      .filter(([, f]) => (f.refreshes ?? []).length > 0)
      .map(([n]) => n);
    expect(refreshing).toEqual(['refreshMaterializedViews']);
    expect(out.functions.refreshMaterializedViews.refreshes).toEqual(
      MATERIALIZED_VIEWS.map((v) => v.name).sort(),
    );
    expect(Object.keys(out.functions).filter((n) => out.functions[n].archive)).toEqual(['archiveColdData']);
  });
});

describe('the Terraform makes BigQuery data grants only through the topology bindings', () => {
  it('grants table roles per table from table_bindings, dataset roles only from the allow-listed dataset_bindings', async () => {
    const { google_bigquery_table_iam_member: table, google_bigquery_dataset_iam_member: dataset } =
      resourcesOf(await parseDir(join(MODULES_DIR, 'functions')));
    expect(Object.keys(table ?? {})).toEqual(['warehouse']);
    expect(table?.warehouse.for_each).toBe('${module.topology.table_bindings}');
    expect(table?.warehouse.role).toBe('${each.value.role}');
    expect(Object.keys(dataset ?? {})).toEqual(['warehouse']);
    expect(dataset?.warehouse.for_each).toBe('${module.topology.dataset_bindings}');
  });

  it('no module grants a BigQuery data role project-wide or through any other IAM resource', async () => {
    const offenders: string[] = [];
    for (const m of moduleNames()) {
      const resources = resourcesOf(await parseDir(join(MODULES_DIR, m)));
      for (const [type, byName] of Object.entries(resources))
        for (const [name, body] of Object.entries(byName)) {
          const dataRoles = valuesOf(body, 'role').filter(
            (r) => typeof r === 'string' && /^roles\/bigquery\.(data|metadata)/.test(r),
          );
          const perBinding =
            m === 'functions' &&
            (type === 'google_bigquery_table_iam_member' || type === 'google_bigquery_dataset_iam_member');
          if (dataRoles.length > 0 && !perBinding)
            offenders.push(`${m}: ${type}.${name} ${String(dataRoles)}`);
        }
    }
    expect(offenders).toEqual([]);
  });
});
