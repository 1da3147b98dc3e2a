/**
 * Terraform grants BigQuery access per function from its entry in the topology (writes/reads); this checks the grants
 * against the code: every table a function's runtime-imported code inserts into must be among the tables its
 * service account may write, or the deployed function would fail with Access Denied on its first insert.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runtimeClosure } from '../contracts/publish-scan';
import { evaluateModule } from './evaluate';
import { ROOT, TF_DIR, topology } from './hcl';

interface TopologyOut {
  functions: Record<string, { writes: string[] }>;
  dataset_bindings: Record<string, { function: string; dataset: string; role: string }>;
}

/** Tables named by `.insert('<dataset>.<table>'` in the files a function loads at runtime. */
function insertedTables(folder: string): string[] {
  const files = [...runtimeClosure(`functions/${folder}/index.ts`)];
  const tables = files.flatMap((f) =>
    [...readFileSync(join(ROOT, f), 'utf8').matchAll(/\.insert\(\s*'([a-z_]+\.[a-z_]+)'/g)].map((m) => m[1]),
  );
  return [...new Set(tables)].sort();
}

describe('warehouse grants cover what each function writes', () => {
  let out: TopologyOut;
  beforeAll(() => {
    const r = evaluateModule<TopologyOut>('topology', {
      topology_path: join(ROOT, 'shared', 'contracts', 'topology.json'),
      tables_path: join(TF_DIR, 'generated', 'bigquery-tables.json'),
    });
    if (!r.ok) throw new Error(r.stderr);
    out = r.value;
  });

  it('finds inserts in the code at all (the scan is not blind)', () => {
    expect(insertedTables('ingest-prices')).toEqual(['market.prices']);
  });

  it.each(Object.entries(topology().functions).map(([n, f]) => [n, f.folder] as const))(
    '%s may write every table it inserts into (dataEditor on its dataset)',
    (name, folder) => {
      const inserted = insertedTables(folder);
      expect({ name, ungranted: inserted.filter((t) => !out.functions[name].writes.includes(t)) }).toEqual({
        name,
        ungranted: [],
      });
      for (const t of inserted)
        expect(out.dataset_bindings[`${name}/${t.split('.')[0]}/writer`]?.role).toBe(
          'roles/bigquery.dataEditor',
        );
    },
  );
});
