/**
 * Evaluates terraform/modules/topology for real (it needs no provider, so `terraform apply` runs offline in a
 * scratch root) and compares what every other module derives its resources from with shared/contracts/topology.json and
 * the generated warehouse tables.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { MODULES_DIR, ROOT, TF_DIR, generatedTables, readJson, terraform, topology } from './hcl';

interface Subscription {
  function: string;
  topic: string;
  dead_letter_topic: string;
  max_delivery_attempts: number;
  minimum_backoff: string;
  maximum_backoff: string;
  ack_deadline_seconds: number;
  message_retention_duration: string;
  push_endpoint: string | null;
}

interface FunctionOut {
  folder: string;
  trigger: string;
  schedule: { cron: string; timeZone: string; attemptDeadline: string } | null;
  publishes: string[];
  secrets: string[];
  memory: string;
  timeout_seconds: number;
  min_instances: number;
  concurrency: number;
  consumes: string[];
  service_account_id: string;
  writes: string[];
  reads: string[];
  archive: boolean;
  bigquery_jobs: boolean;
  firestore: boolean;
}

interface TopologyModule {
  topics: Record<string, { description: string; schema: string | null }>;
  functions: Record<string, FunctionOut>;
  subscriptions: Record<string, Subscription>;
  dead_letter_topics: string[];
  secrets: string[];
  publisher_bindings: Record<string, { function: string; topic: string }>;
  secret_bindings: Record<string, { function: string; secret: string }>;
  table_bindings: Record<string, { function: string; table: string; dataset: string; role: string }>;
  dataset_bindings: Record<string, { function: string; dataset: string; role: string; reason: string }>;
  bigquery_job_functions: string[];
  firestore_functions: string[];
  archive_functions: string[];
  scheduled_functions: Record<string, { cron: string; timeZone: string; attemptDeadline: string }>;
}

const PROJECT = 'demo-project';

function scratchRoot(
  topologyPath: string,
  functionUris: Record<string, string>,
  withTables: boolean,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'fr-topology-'));
  const source = relative(dir, join(MODULES_DIR, 'topology')).split('\\').join('/');
  const uris = Object.entries(functionUris)
    .map(([k, v]) => `    ${k} = ${JSON.stringify(v)}`)
    .join('\n');
  writeFileSync(
    join(dir, 'main.tf'),
    `module "topology" {
  source        = ${JSON.stringify(source.startsWith('.') ? source : `./${source}`)}
  topology_path = ${JSON.stringify(topologyPath)}
${withTables ? `  tables_path   = ${JSON.stringify(join(TF_DIR, 'generated', 'bigquery-tables.json'))}\n  views_path    = ${JSON.stringify(join(ROOT, 'shared', 'contracts', 'warehouse-views.json'))}\n` : ''}  project_id    = ${JSON.stringify(PROJECT)}
  function_uris = {
${uris}
  }
}

output "topology" {
  value = module.topology
}
`,
  );
  return dir;
}

/** init + apply (outputs only, local state) in a scratch root; returns the module's outputs or the failure. */
function evaluate(
  topologyPath: string,
  functionUris: Record<string, string>,
  withTables = true,
): { ok: true; value: TopologyModule } | { ok: false; stderr: string } {
  const dir = scratchRoot(topologyPath, functionUris, withTables);
  try {
    const init = terraform(['init', '-no-color', '-input=false'], dir);
    if (init.status !== 0) throw new Error(`terraform init failed:\n${init.stdout}\n${init.stderr}`);
    const apply = terraform(['apply', '-no-color', '-input=false', '-auto-approve'], dir);
    if (apply.status !== 0) return { ok: false, stderr: apply.stderr };
    const out = terraform(['output', '-json', 'topology'], dir);
    return { ok: true, value: JSON.parse(out.stdout) as TopologyModule };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('terraform/modules/topology evaluated against shared/contracts/topology.json', () => {
  const topo = topology();
  // Tables, and the views a function may read like one (shared/contracts/warehouse-views.json).
  const views = readJson<{
    materializedViews: Record<string, unknown>;
    rollingViews: Record<string, unknown>;
    summaryViews: Record<string, unknown>;
  }>(join(ROOT, 'shared', 'contracts', 'warehouse-views.json'));
  const tables: Record<string, { dataset: string }> = {
    ...generatedTables().tables,
    ...Object.fromEntries(
      [
        ...Object.keys(views.materializedViews),
        ...Object.keys(views.rollingViews),
        ...Object.keys(views.summaryViews),
      ].map((k) => [k, { dataset: k.split('.')[0] }]),
    ),
  };
  const uris = Object.fromEntries(
    Object.entries(topo.functions).map(([name, f]) => [name, `https://${f.folder}-abc123-ew.a.run.app/`]),
  );
  let mod: TopologyModule;

  beforeAll(() => {
    const result = evaluate(join(ROOT, 'shared', 'contracts', 'topology.json'), uris);
    if (!result.ok)
      throw new Error(`the topology module rejected shared/contracts/topology.json:\n${result.stderr}`);
    mod = result.value;
  });

  it('declares exactly the topology topics, including the contract topics market.prices.v1 and alerts.margin.v1', () => {
    expect(Object.keys(mod.topics).sort()).toEqual(Object.keys(topo.topics).sort());
    expect(Object.keys(mod.topics)).toEqual(expect.arrayContaining(['market.prices.v1', 'alerts.margin.v1']));
  });

  it('declares one push subscription per topology subscription, with the topology defaults applied', () => {
    const expected = Object.entries(topo.functions).flatMap(([fn, f]) =>
      (f.subscriptions ?? []).map((s) => [s.name, { fn, topic: s.topic }] as const),
    );
    expect(Object.keys(mod.subscriptions).sort()).toEqual(expected.map(([n]) => n).sort());
    const d = topo.subscriptionDefaults;
    for (const [name, { fn, topic }] of expected) {
      expect({ name, ...mod.subscriptions[name] }).toEqual({
        name,
        function: fn,
        topic,
        dead_letter_topic: d.deadLetterTopic,
        max_delivery_attempts: d.maxDeliveryAttempts,
        minimum_backoff: d.minimumBackoff,
        maximum_backoff: d.maximumBackoff,
        ack_deadline_seconds: d.ackDeadlineSeconds,
        message_retention_duration: d.messageRetentionDuration,
        push_endpoint: `${uris[fn].replace(/\/$/, '')}/projects/${PROJECT}/topics/${topic}`,
      });
    }
  });

  it('dead-letters into the declared dead-letter topic', () => {
    expect(mod.dead_letter_topics).toEqual([topo.subscriptionDefaults.deadLetterTopic]);
    expect(Object.keys(topo.topics)).toContain(topo.subscriptionDefaults.deadLetterTopic);
  });

  it('grants publish only on the topics each function lists under publishes', () => {
    const expected = Object.entries(topo.functions)
      .flatMap(([fn, f]) => (f.publishes ?? []).map((t) => `${fn}/${t}`))
      .sort();
    expect(Object.keys(mod.publisher_bindings).sort()).toEqual(expected);
  });

  it('creates one secret per secret name and lets only the declaring function read it', () => {
    const expected = Object.entries(topo.functions).flatMap(([fn, f]) =>
      (f.secrets ?? []).map((s) => `${fn}/${s}`),
    );
    expect(Object.keys(mod.secret_bindings).sort()).toEqual(expected.sort());
    expect(mod.secrets).toEqual([...new Set(expected.map((k) => k.split('/')[1]))].sort());
  });

  it('deploys every topology function with its folder, memory, timeout and a valid, unique service account id', () => {
    expect(Object.keys(mod.functions).sort()).toEqual(Object.keys(topo.functions).sort());
    for (const [name, f] of Object.entries(topo.functions)) {
      const out = mod.functions[name];
      expect({ name, folder: out.folder, memory: out.memory, timeout: out.timeout_seconds }).toEqual({
        name,
        folder: f.folder,
        memory: f.memory ?? '256Mi',
        timeout: f.timeoutSeconds ?? 60,
      });
      expect(out.service_account_id).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
    }
    const ids = Object.values(mod.functions).map((f) => f.service_account_id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps warm the instances a function declares (minInstances), none otherwise', () => {
    for (const [name, f] of Object.entries(topo.functions))
      expect({ name, min: mod.functions[name].min_instances }).toEqual({
        name,
        min: (f as { minInstances?: number }).minInstances ?? 0,
      });
    // checkRisk decides in milliseconds from state held in memory: a cold start would miss that by far.
    expect(mod.functions.checkRisk.min_instances).toBeGreaterThanOrEqual(1);
  });

  it('lets an instance serve several requests at once only where the topology says (checkRisk, riskApi, screenTransaction, complianceCases), one elsewhere', () => {
    const shared = Object.keys(topo.functions).filter((n) => mod.functions[n].concurrency > 1);
    expect(shared.sort()).toEqual(['checkRisk', 'complianceCases', 'riskApi', 'screenTransaction']);
    for (const [name, f] of Object.entries(topo.functions))
      expect({ name, concurrency: mod.functions[name].concurrency }).toEqual({
        name,
        concurrency: (f as { concurrency?: number }).concurrency ?? 1,
      });
    // One warm instance absorbs a burst from state it already holds instead of cold-starting more.
    expect(mod.functions.checkRisk.concurrency).toBe(80);
    // Each open alert stream holds a request for minutes: one instance serves a desk's screens.
    expect(mod.functions.riskApi.concurrency).toBe(250);
  });

  it('schedules exactly the functions that have a schedule in the topology', () => {
    const expected = Object.fromEntries(
      Object.entries(topo.functions)
        .filter(([, f]) => f.schedule)
        .map(([n, f]) => [n, f.schedule]),
    );
    expect(mod.scheduled_functions).toEqual(expected);
  });

  it('grants warehouse access per table, only for tables that exist in the generated file', () => {
    for (const [key, b] of Object.entries(mod.table_bindings)) {
      expect({ key, known: b.table in tables }).toEqual({ key, known: true });
      expect({ key, dataset: b.dataset }).toEqual({ key, dataset: tables[b.table].dataset });
      expect(['roles/bigquery.dataEditor', 'roles/bigquery.dataViewer']).toContain(b.role);
    }
    for (const [name, f] of Object.entries(mod.functions)) {
      for (const t of f.writes) {
        expect(mod.table_bindings[`${name}/${t}/writer`]?.role).toBe('roles/bigquery.dataEditor');
      }
    }
    const datasets = new Set(Object.values(tables).map((t) => t.dataset));
    for (const [key, b] of Object.entries(mod.dataset_bindings))
      expect({ key, known: datasets.has(b.dataset), reason: b.reason.length > 0 }).toEqual({
        key,
        known: true,
        reason: true,
      });
  });

  it('grants BigQuery jobs to the functions that declare them or archive, Firestore to all but those that opt out', () => {
    const raw = readJson<{
      functions: Record<string, { bigqueryJobs?: boolean; archive?: boolean; firestore?: boolean }>;
    }>(join(ROOT, 'shared', 'contracts', 'topology.json')).functions;
    const names = Object.keys(raw).sort();
    expect(mod.bigquery_job_functions).toEqual(names.filter((n) => raw[n].bigqueryJobs || raw[n].archive));
    expect(mod.firestore_functions).toEqual(names.filter((n) => raw[n].firestore !== false));
    for (const [name, f] of Object.entries(mod.functions)) {
      expect({ name, jobs: f.bigquery_jobs }).toEqual({
        name,
        jobs: mod.bigquery_job_functions.includes(name),
      });
      expect({ name, firestore: f.firestore }).toEqual({
        name,
        firestore: mod.firestore_functions.includes(name),
      });
    }
    // A function that runs jobs reads or writes tables, so it also holds a table grant.
    const granted = new Set(Object.values(mod.table_bindings).map((b) => b.function));
    expect(mod.bigquery_job_functions.filter((n) => !granted.has(n))).toEqual([]);
  });

  it('names only existing warehouse tables in the access of every function', () => {
    const access = readJson<{ functions: Record<string, { writes?: string[]; reads?: string[] }> }>(
      join(ROOT, 'shared', 'contracts', 'topology.json'),
    ).functions;
    const named = Object.entries(access).flatMap(([fn, a]) =>
      [...(a.writes ?? []), ...(a.reads ?? [])].map((t) => `${fn}: ${t}`),
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((n) => !(n.split(': ')[1] in tables))).toEqual([]);
  });

  it('evaluates without the tables file too, as the pubsub module calls it, leaving push endpoints unset without URIs', () => {
    const result = evaluate(join(ROOT, 'shared', 'contracts', 'topology.json'), {}, false);
    expect(result.ok ? '' : result.stderr).toBe('');
    if (!result.ok) return;
    expect(Object.keys(result.value.subscriptions).sort()).toEqual(Object.keys(mod.subscriptions).sort());
    expect(Object.values(result.value.subscriptions).map((s) => s.push_endpoint)).toEqual(
      Object.values(mod.subscriptions).map(() => null),
    );
  });

  it('takes writes/reads from the topology when a function declares them, one grant per table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fr-access-topology-'));
    try {
      const withAccess = JSON.parse(JSON.stringify(topo)) as typeof topo & {
        functions: Record<string, { reads?: string[]; writes?: string[] }>;
      };
      const riskTables = Object.keys(tables).filter((t) => tables[t].dataset === 'risk');
      const marketTables = Object.keys(tables).filter((t) => tables[t].dataset === 'market');
      expect(riskTables.length).toBeGreaterThan(1);
      const first = Object.keys(withAccess.functions)[0];
      withAccess.functions[first].reads = [...riskTables, ...marketTables];
      withAccess.functions[first].writes = [riskTables[0]];
      const path = join(dir, 'topology.json');
      writeFileSync(path, JSON.stringify(withAccess));
      const result = evaluate(path, {});
      expect(result.ok ? '' : result.stderr).toBe('');
      if (!result.ok) return;
      const grants = Object.entries(result.value.table_bindings)
        .filter(([, b]) => b.function === first)
        .map(([k, b]) => `${k} ${b.role}`)
        .sort();
      // Editor on the written table covers reading it; every other table is read only, each on its own.
      expect(grants).toEqual(
        [
          `${first}/${riskTables[0]}/writer roles/bigquery.dataEditor`,
          ...[...riskTables.slice(1), ...marketTables].map(
            (t) => `${first}/${t}/reader roles/bigquery.dataViewer`,
          ),
        ].sort(),
      );
      expect(Object.values(result.value.dataset_bindings).filter((b) => b.function === first)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('grants read on a summary view (compliance.case_summary) like on a table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fr-summary-topology-'));
    try {
      const withView = JSON.parse(JSON.stringify(topo)) as typeof topo & {
        functions: Record<string, { reads?: string[]; writes?: string[] }>;
      };
      const first = Object.keys(withView.functions)[0];
      withView.functions[first].reads = [
        ...(withView.functions[first].reads ?? []),
        'compliance.case_summary',
      ];
      const path = join(dir, 'topology.json');
      writeFileSync(path, JSON.stringify(withView));
      const result = evaluate(path, {});
      expect(result.ok ? '' : result.stderr).toBe('');
      if (!result.ok) return;
      expect(result.value.table_bindings[`${first}/compliance.case_summary/reader`]).toEqual({
        function: first,
        table: 'compliance.case_summary',
        dataset: 'compliance',
        role: 'roles/bigquery.dataViewer',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a topology whose function publishes to an undeclared topic', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fr-bad-topology-'));
    try {
      const bad = JSON.parse(JSON.stringify(topo)) as typeof topo;
      const first = Object.keys(bad.functions)[0];
      bad.functions[first].publishes = [...(bad.functions[first].publishes ?? []), 'nowhere.v1'];
      const path = join(dir, 'topology.json');
      writeFileSync(path, JSON.stringify(bad));
      const result = evaluate(path, {});
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.stderr.replace(/\s+/g, ' ')).toContain(`${first} publishes nowhere.v1`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
