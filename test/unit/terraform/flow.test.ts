/**
 * A topic added to shared/contracts/topology.json, a table added to the schemas (terraform/generated/bigquery-tables.json)
 * and a secret a function declares reach Terraform with no second edit: evaluated offline on temporary copies, the
 * modules that create topics, subscriptions, secrets, tables and grants pick them up.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import retention from '../../../shared/contracts/retention.json';
import { evaluateLocals, evaluateModule } from './evaluate';
import { ROOT, TF_DIR, type GeneratedTables, type Topology } from './hcl';

interface TopologyOut {
  topics: Record<string, unknown>;
  subscriptions: Record<
    string,
    { function: string; topic: string; dead_letter_topic: string; push_endpoint: string }
  >;
  functions: Record<string, { writes: string[]; secrets: string[] }>;
  table_bindings: Record<string, { function: string; table: string; dataset: string; role: string }>;
  dataset_bindings: Record<string, { function: string; dataset: string; role: string }>;
  secret_bindings: Record<string, { function: string; secret: string }>;
  partitioned_tables: string[];
}

const NEW_TOPIC = 'ops.flow-check.v1';
const NEW_TABLE = 'ledger.flow_check_events';
const NEW_SECRET = 'FLOW_CHECK_TOKEN';

describe('a new topic, table or secret flows into Terraform with no second edit', () => {
  let dir: string;
  let topologyPath: string;
  let tablesPath: string;
  let consumer: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fr-flow-'));
    const topo = JSON.parse(
      readFileSync(join(ROOT, 'shared', 'contracts', 'topology.json'), 'utf8'),
    ) as Topology;
    topo.topics[NEW_TOPIC] = { schema: null, description: 'added by the flow test' };
    consumer =
      Object.keys(topo.functions).find((f) => (topo.functions[f].subscriptions ?? []).length > 0) ?? '';
    topo.functions[consumer].subscriptions = [
      ...(topo.functions[consumer].subscriptions ?? []),
      { name: 'flow-check.consumer', topic: NEW_TOPIC },
    ];
    topo.functions[consumer].secrets = [...(topo.functions[consumer].secrets ?? []), NEW_SECRET];
    topologyPath = join(dir, 'topology.json');
    writeFileSync(topologyPath, JSON.stringify(topo));

    const tables = JSON.parse(
      readFileSync(join(TF_DIR, 'generated', 'bigquery-tables.json'), 'utf8'),
    ) as GeneratedTables;
    tables.tables[NEW_TABLE] = {
      dataset: 'ledger',
      table: 'flow_check_events',
      partition_field: 'occurred_at',
      partition_type: 'DAY',
      clustering: ['event_id'],
      schema: [
        { name: 'event_id', type: 'STRING', mode: 'REQUIRED' },
        { name: 'occurred_at', type: 'TIMESTAMP', mode: 'REQUIRED' },
      ],
    };
    tablesPath = join(dir, 'bigquery-tables.json');
    writeFileSync(tablesPath, JSON.stringify(tables));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the topic and a dead-lettered push subscription to its consumer, and grants the new secret', () => {
    const r = evaluateModule<TopologyOut>('topology', {
      topology_path: topologyPath,
      tables_path: tablesPath,
      views_path: join(ROOT, 'shared', 'contracts', 'warehouse-views.json'),
      project_id: 'demo-project',
      function_uris: { [consumer]: 'https://consumer.example.run.app' },
    });
    expect(r.ok ? '' : r.stderr).toBe('');
    if (!r.ok) return;
    expect(Object.keys(r.value.topics)).toContain(NEW_TOPIC);
    expect(r.value.subscriptions['flow-check.consumer']).toMatchObject({
      function: consumer,
      topic: NEW_TOPIC,
      dead_letter_topic: 'dead-letter.v1',
      push_endpoint: `https://consumer.example.run.app/projects/demo-project/topics/${NEW_TOPIC}`,
    });
    expect(r.value.secret_bindings[`${consumer}/${NEW_SECRET}`]).toEqual({
      function: consumer,
      secret: NEW_SECRET,
    });
  });

  it('makes the new partitioned table a hot table the archiving function may export and delete', () => {
    const r = evaluateModule<TopologyOut>('topology', {
      topology_path: topologyPath,
      tables_path: tablesPath,
      views_path: join(ROOT, 'shared', 'contracts', 'warehouse-views.json'),
    });
    expect(r.ok ? '' : r.stderr).toBe('');
    if (!r.ok) return;
    expect(r.value.partitioned_tables).toContain(NEW_TABLE);
    expect(r.value.functions.archiveColdData.writes).toContain(NEW_TABLE);
    // dataEditor on the new table alone, and metadata (partition listing) on its dataset.
    expect(r.value.table_bindings[`archiveColdData/${NEW_TABLE}/writer`]).toEqual({
      function: 'archiveColdData',
      table: NEW_TABLE,
      dataset: 'ledger',
      role: 'roles/bigquery.dataEditor',
    });
    expect(r.value.dataset_bindings['archiveColdData/ledger/archive-metadata']).toMatchObject({
      function: 'archiveColdData',
      dataset: 'ledger',
      role: 'roles/bigquery.metadataViewer',
    });
  });

  it('creates the dataset and the table (partitions expiring after the hot retention) the warehouse module iterates over', async () => {
    const r = await evaluateLocals<{
      tables: Record<string, { dataset: string }>;
      datasets: string[];
      hot_retention_ms: number;
    }>(
      'warehouse',
      {
        project_id: 'demo-project',
        environment: 'dev',
        tables_path: tablesPath,
        views_path: join(ROOT, 'shared', 'contracts', 'warehouse-views.json'),
        generated_views_path: join(TF_DIR, 'generated', 'bigquery-views.json'),
        location: 'EU',
        hot_retention_days: retention.hotRetentionDays,
        deletion_protection: false,
      },
      ['tables', 'datasets', 'hot_retention_ms'],
    );
    expect(r.ok ? '' : r.stderr).toBe('');
    if (!r.ok) return;
    expect(r.value.tables[NEW_TABLE]).toMatchObject({ dataset: 'ledger' });
    expect(r.value.datasets).toContain('ledger');
    expect(r.value.hot_retention_ms).toBe(retention.hotRetentionDays * 24 * 3600 * 1000);
  });

  it('creates the Secret Manager secret the secrets module iterates over', async () => {
    const r = await evaluateLocals<{ secret_names: string[] }>(
      'secrets',
      { project_id: 'demo-project', environment: 'dev', topology_path: topologyPath },
      ['secret_names'],
    );
    expect(r.ok ? '' : r.stderr).toBe('');
    if (r.ok) expect(r.value.secret_names).toContain(NEW_SECRET);
  });
});
