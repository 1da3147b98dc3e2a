/**
 * Static checks of terraform/modules: the four-file habit, references that `terraform validate` would resolve
 * (it cannot run offline), and the project's rules — names from the topology and the generated schemas, the
 * deterministic materialized view, 7-year retention, nodejs22, no secret values.
 */
import { join } from 'node:path';
import {
  MODULES_DIR,
  ROOT,
  TF_DIR,
  attributes,
  blocks,
  dirText,
  exists,
  generatedTables,
  heredoc,
  moduleNames,
  read,
  rel,
  unresolved,
  stripComments,
  tfFiles,
  topology,
} from './hcl';

const modText = (m: string, file = ''): string =>
  file ? read(join(MODULES_DIR, m, file)) : dirText(join(MODULES_DIR, m));

describe('terraform modules', () => {
  const modules = moduleNames();

  it('has the expected modules', () => {
    expect(modules).toEqual(
      expect.arrayContaining([
        'archive',
        'environment',
        'functions',
        'project',
        'pubsub',
        'secrets',
        'topology',
        'warehouse',
      ]),
    );
  });

  it.each(modules)('%s follows the four-file habit with a bounded google provider range', (m) => {
    for (const f of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf'])
      expect({ file: `${m}/${f}`, exists: exists(join(MODULES_DIR, m, f)) }).toEqual({
        file: `${m}/${f}`,
        exists: true,
      });
    const versions = modText(m, 'versions.tf');
    expect(versions).toMatch(/required_version\s*=\s*">=\s*1\.\d+,\s*<\s*2\.0"/);
    if (m !== 'topology') {
      expect(versions).toMatch(/source\s*=\s*"hashicorp\/google"/);
      expect(versions).toMatch(/version\s*=\s*">=\s*\d+\.\d+,\s*<\s*\d+"/);
    }
  });

  it.each(modules)('%s types and describes every variable and describes every output', (m) => {
    const text = stripComments(modText(m));
    const undocumented = [
      ...blocks(text, 'variable')
        .filter((b) => !attributes(b.body).has('type') || !attributes(b.body).has('description'))
        .map((b) => `variable ${b.labels[0]}`),
      ...blocks(text, 'output')
        .filter((b) => !attributes(b.body).has('description'))
        .map((b) => `output ${b.labels[0]}`),
    ];
    expect(undocumented).toEqual([]);
  });

  it.each(modules)('%s refers only to declared variables, locals, resources and module outputs', (m) => {
    expect(unresolved(join(MODULES_DIR, m))).toEqual([]);
  });

  it('hard-codes no topology name (topic, subscription, function, folder) in any module', () => {
    const topo = topology();
    const names = [
      ...Object.keys(topo.topics),
      ...Object.entries(topo.functions).flatMap(([n, f]) => [
        n,
        f.folder,
        ...(f.subscriptions ?? []).map((s) => s.name),
      ]),
    ];
    const offenders = tfFiles(MODULES_DIR).flatMap((file) => {
      const text = read(file);
      return names
        .filter((n) => text.includes(`"${n}"`) || text.includes(`"${n}.`))
        .map((n) => `${rel(file)}: ${n}`);
    });
    expect(offenders).toEqual([]);
  });

  it('runs every function on nodejs22 and never on a deprecated runtime', () => {
    const runtimes = [...modText('functions').matchAll(/runtime\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
    expect(runtimes).toEqual(['nodejs22']);
    const everything = [...tfFiles(TF_DIR).map(read), read(join(ROOT, 'cloudbuild.yaml'))].join('\n');
    expect(everything).not.toMatch(/nodejs(1\d|20)\b/);
  });

  it('references secrets but never holds a secret value', () => {
    const all = tfFiles(TF_DIR).map(read).join('\n');
    expect(all).not.toMatch(/google_secret_manager_secret_version|secret_data/);
    const fn = stripComments(modText('functions'));
    expect(fn).toMatch(/dynamic "secret_environment_variables"/);
    expect(fn).toMatch(/version\s*=\s*"latest"/);
  });
});

describe('pubsub module', () => {
  const text = stripComments(modText('pubsub'));
  const topologyText = stripComments(modText('topology'));

  it('derives topics and subscriptions from the topology file', () => {
    expect(topologyText).toMatch(/jsondecode\(file\(var\.topology_path\)\)/);
    const res = (type: string, name: string) =>
      blocks(text, 'resource').find((b) => b.labels[0] === type && b.labels[1] === name);
    expect(attributes(res('google_pubsub_topic', 'this')?.body ?? '').get('for_each')).toBe(
      'module.topology.topics',
    );
    expect(attributes(res('google_pubsub_subscription', 'push')?.body ?? '').get('for_each')).toBe(
      'module.topology.subscriptions',
    );
  });

  it('pushes with OIDC to <function uri>/projects/<project>/topics/<topic>, with dead-letter and retry policies', () => {
    expect(topologyText).toContain('/projects/${var.project_id}/topics/${s.topic}');
    const push = blocks(text, 'resource').find((b) => b.labels[1] === 'push')?.body ?? '';
    for (const part of [
      'push_config',
      'oidc_token',
      'dead_letter_policy',
      'retry_policy',
      'expiration_policy',
    ])
      expect(push).toContain(part);
    expect(push).toMatch(/push_endpoint\s*=\s*each\.value\.push_endpoint/);
    expect(push).toMatch(/max_delivery_attempts\s*=\s*each\.value\.max_delivery_attempts/);
  });

  it('lets the Pub/Sub service agent publish dead letters and acknowledge, and inspects dead letters by pull', () => {
    expect(text).toContain('gcp-sa-pubsub.iam.gserviceaccount.com');
    expect(text).toMatch(/resource "google_pubsub_topic_iam_member" "dead_letter_publisher"/);
    expect(text).toMatch(/resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber"/);
    const inspect =
      blocks(text, 'resource').find((b) => b.labels[1] === 'dead_letter_inspection')?.body ?? '';
    expect(inspect).not.toContain('push_config');
    expect(inspect).toContain('module.topology.dead_letter_topics');
  });
});

describe('functions module', () => {
  const text = stripComments(modText('functions'));
  const fn =
    blocks(text, 'resource').find((b) => b.labels[0] === 'google_cloudfunctions2_function')?.body ?? '';

  it('deploys one function per topology entry, entry point = topology key, source named by content hash', () => {
    expect(attributes(fn).get('for_each')).toBe('local.functions');
    expect(fn).toMatch(/entry_point\s*=\s*each\.key/);
    expect(fn).toMatch(/object\s*=\s*google_storage_bucket_object\.source\[each\.key\]\.name/);
    const object =
      blocks(text, 'resource').find((b) => b.labels[0] === 'google_storage_bucket_object')?.body ?? '';
    expect(attributes(object).get('name')).toMatch(/filesha256\(/);
    expect(text).toMatch(/\$\{var\.bundle_dir\}\/\$\{f\.folder\}\.zip/);
  });

  it('sizes each function from the topology and gives it its own service account', () => {
    expect(fn).toMatch(/available_memory\s*=\s*each\.value\.memory/);
    expect(fn).toMatch(/timeout_seconds\s*=\s*each\.value\.timeout_seconds/);
    expect(fn).toMatch(/service_account_email\s*=\s*google_service_account\.fn\[each\.key\]\.email/);
    for (const v of ['GOOGLE_CLOUD_PROJECT', 'ENVIRONMENT', 'WAREHOUSE'])
      expect(text).toMatch(new RegExp(`${v}\\s*=`));
    expect(text).toMatch(/WAREHOUSE\s*=\s*"bigquery"/);
  });

  it('grants least privilege from the topology bindings, never project-wide editor roles', () => {
    expect(text).toMatch(/for_each\s*=\s*module\.topology\.publisher_bindings/);
    expect(text).toMatch(/for_each\s*=\s*module\.topology\.secret_bindings/);
    expect(text).toMatch(/for_each\s*=\s*module\.topology\.dataset_bindings/);
    // Project-wide grants are limited to Firestore and BigQuery job execution; everything else is per resource.
    const projectRoles = blocks(text, 'resource')
      .filter((b) => b.labels[0] === 'google_project_iam_member')
      .map((b) => attributes(b.body).get('role'));
    expect(projectRoles.sort()).toEqual(['"roles/bigquery.jobUser"', '"roles/datastore.user"']);
    const allRoles = [...text.matchAll(/role\s*=\s*"(roles\/[^"]+)"/g)].map((m) => m[1]);
    expect(allRoles.filter((r) => /\/(owner|editor)$|\.admin$/.test(r))).toEqual([]);
    expect(allRoles).toEqual(expect.arrayContaining(['roles/pubsub.publisher', 'roles/run.invoker']));
  });

  it('calls scheduled functions with an OIDC token of the invoker service account', () => {
    const job =
      blocks(text, 'resource').find((b) => b.labels[0] === 'google_cloud_scheduler_job')?.body ?? '';
    expect(attributes(job).get('for_each')).toBe('module.topology.scheduled_functions');
    for (const part of ['http_target', 'oidc_token', 'retry_config', 'attempt_deadline', 'time_zone'])
      expect(job).toContain(part);
    expect(job).toMatch(/service_account_email\s*=\s*google_service_account\.invoker\.email/);
  });
});

describe('warehouse module', () => {
  const raw = modText('warehouse', 'main.tf');
  const text = stripComments(raw);
  const tables = generatedTables().tables;
  const resource = (name: string) =>
    blocks(text, 'resource').find((b) => b.labels[0] === 'google_bigquery_table' && b.labels[1] === name)
      ?.body ?? '';

  it('creates datasets and tables from the generated JSON (schema, DAY partitions with 90-day expiry, clustering)', () => {
    expect(text).toMatch(/jsondecode\(file\(var\.tables_path\)\)\.tables/);
    const table = resource('table');
    expect(attributes(table).get('for_each')).toBe('local.tables');
    expect(attributes(table).get('schema')).toBe('jsonencode(each.value.schema)');
    expect(attributes(table).get('table_id')).toBe('each.value.table');
    expect(table).toMatch(/field\s*=\s*time_partitioning\.value\.partition_field/);
    expect(table).toMatch(/expiration_ms\s*=\s*local\.hot_retention_ms/);
    expect(attributes(table).get('deletion_protection')).toBe('var.deletion_protection');
    expect(modText('warehouse', 'variables.tf')).toMatch(
      /variable "hot_retention_days"[\s\S]*?default\s*=\s*90\b/,
    );
    expect(tables['risk.margin_events']).toMatchObject({ dataset: 'risk', table: 'margin_events' });
  });

  it('names the contract materialized view risk.recent_portfolio_exposures_mv over a table of the generated file', () => {
    expect(text).toContain('"risk.recent_portfolio_exposures_mv"');
    const base = /exposures_key\s*=\s*"([^"]+)"/.exec(text)?.[1] ?? '';
    expect(Object.keys(tables)).toContain(base);
    expect(tables[base].dataset).toBe('risk');
    const mv = resource('recent_exposures_mv');
    expect(attributes(mv).get('table_id')).toBe('local.mv_table');
    expect(mv).toMatch(/refresh_interval_ms\s*=/);
    expect(mv).toMatch(/enable_refresh\s*=\s*true/);
  });

  it('keeps the materialized view deterministic and aligned with the base partitioning', () => {
    const sql = heredoc(raw, 'MVSQL');
    expect(sql).not.toMatch(
      /\b(CURRENT_TIMESTAMP|CURRENT_DATE|CURRENT_DATETIME|CURRENT_TIME|RAND|GENERATE_UUID|SESSION_USER|NOW)\b/i,
    );
    const base = tables['risk.portfolio_exposures'];
    const partitionAlias = new RegExp(`TIMESTAMP_TRUNC\\(${base.partition_field}, HOUR\\) AS ([a-z_]+)`).exec(
      sql,
    )?.[1];
    expect(partitionAlias).toBeDefined();
    expect(resource('recent_exposures_mv')).toMatch(
      new RegExp(`type\\s*=\\s*"${base.partition_type}"\\s*\\n\\s*field\\s*=\\s*"${partitionAlias}"`),
    );
    expect(sql).toMatch(/GROUP BY portfolio_id, asset, /);

    // Keywords and functions are upper case, so lower-case words are columns or aliases: every column must exist.
    const columns = new Set(base.schema.map((c) => c.name));
    const aliases = new Set([...sql.matchAll(/\bAS ([a-z_0-9]+)/g)].map((m) => m[1]));
    const referenced = [...sql.replace(/`[^`]*`/g, '').matchAll(/\b[a-z_][a-z0-9_]*\b/g)].map((m) => m[0]);
    expect(referenced.filter((w) => !columns.has(w) && !aliases.has(w))).toEqual([]);
  });

  it('puts the rolling 24 h window in a logical view over the materialized view', () => {
    const sql = heredoc(raw, 'VIEWSQL');
    expect(sql).toContain('CURRENT_TIMESTAMP()');
    expect(sql).toMatch(/INTERVAL 24 HOUR/);
    expect(sql).toContain('${local.mv_dataset}.${local.mv_table}');
    const view = resource('recent_exposures_24h');
    expect(attributes(view).get('table_id')).toBe('local.recent_view_table');
    expect(text).toMatch(/recent_view_table\s*=\s*"recent_portfolio_exposures_24h"/);
    expect(view).toMatch(/use_legacy_sql\s*=\s*false/);
  });
});

describe('archive module', () => {
  const text = stripComments(modText('archive', 'main.tf'));
  const bucket = (name: string) =>
    blocks(text, 'resource').find((b) => b.labels[0] === 'google_storage_bucket' && b.labels[1] === name)
      ?.body ?? '';

  it('keeps the archive 7 years (7 x 365.25 days, in seconds) behind a retention policy that is unlocked by default', () => {
    const seconds = Number(/seven_years_seconds\s*=\s*(\d+)/.exec(text)?.[1]);
    expect(seconds).toBe(7 * 365.25 * 24 * 60 * 60);
    expect(seconds).toBe(220_903_200);
    const archive = bucket('archive');
    expect(archive).toMatch(/retention_period\s*=\s*local\.seven_years_seconds/);
    expect(archive).toMatch(/is_locked\s*=\s*var\.lock_retention_policy/);
    const variables = modText('archive', 'variables.tf');
    expect(variables).toMatch(
      /variable "lock_retention_policy"[\s\S]*?IRREVERSIBLE[\s\S]*?default\s*=\s*false/,
    );
  });

  it('moves archived objects to COLDLINE then ARCHIVE, uniform access, public access prevented, soft delete on', () => {
    const archive = bucket('archive');
    const classes = [...archive.matchAll(/storage_class\s*=\s*"([A-Z]+)"/g)].map((m) => m[1]);
    expect(classes).toEqual(['STANDARD', 'COLDLINE', 'ARCHIVE']);
    expect(archive).toMatch(/type\s*=\s*"SetStorageClass"/);
    expect(archive).toMatch(/uniform_bucket_level_access\s*=\s*true/);
    expect(archive).toMatch(/public_access_prevention\s*=\s*"enforced"/);
    expect(archive).toMatch(/soft_delete_policy/);
    expect(archive).toMatch(/force_destroy\s*=\s*false/);
  });

  it('exports through a separate, un-locked staging bucket that deletes files quickly', () => {
    const staging = bucket('export_staging');
    expect(staging).not.toBe('');
    expect(staging).not.toContain('retention_policy');
    expect(staging).toMatch(/type\s*=\s*"Delete"/);
    expect(staging).toMatch(/public_access_prevention\s*=\s*"enforced"/);
  });
});
