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
  moduleNames,
  read,
  rel,
  unresolved,
  stripComments,
  tfFiles,
  topology,
} from './hcl';

/** Modules that only compute values (no provider), so tests can evaluate them offline. */
const DATA_ONLY_MODULES = ['topology', 'views'];

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
        'kms',
        'monitoring',
        'project',
        'pubsub',
        'secrets',
        'topology',
        'views',
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
    if (!DATA_ONLY_MODULES.includes(m)) {
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
    // Project-wide grants are limited to Firestore and BigQuery job execution, plus secret access narrowed by an
    // IAM condition to a name prefix; everything else is per resource.
    const projectGrants = blocks(text, 'resource').filter((b) => b.labels[0] === 'google_project_iam_member');
    const projectRoles = projectGrants.map((b) => attributes(b.body).get('role'));
    expect(projectRoles.sort()).toEqual([
      '"roles/bigquery.jobUser"',
      '"roles/datastore.user"',
      '"roles/secretmanager.secretAccessor"',
    ]);
    const prefixGrant = projectGrants.find((b) => b.labels[1] === 'secret_prefix_accessor')?.body ?? '';
    expect(prefixGrant).toMatch(/for_each\s*=\s*module\.topology\.secret_prefix_bindings/);
    expect(prefixGrant).toMatch(
      /condition\s*\{[\s\S]*expression\s*=\s*"resource\.name\.startsWith\(\\"projects\/\$\{data\.google_project\.this\[0\]\.number\}\/secrets\/\$\{each\.value\.prefix\}\\"\)"/,
    );
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

  it('creates every materialized view and rolling view of shared/contracts/warehouse-views.json, through modules/views', () => {
    const views = blocks(text, 'module').find((b) => b.labels[0] === 'views')?.body ?? '';
    expect(attributes(views).get('views_path')).toBe('var.views_path');
    expect(text).toMatch(/materialized_views\s*=\s*module\.views\.materialized_views/);
    expect(text).toMatch(/rolling_views\s*=\s*module\.views\.rolling_views/);
    const mv = resource('materialized_view');
    expect(attributes(mv).get('for_each')).toBe('local.materialized_views');
    expect(mv).toMatch(/query\s*=\s*each\.value\.query/);
    expect(mv).toMatch(/enable_refresh\s*=\s*true/);
    expect(mv).toMatch(/refresh_interval_ms\s*=\s*var\.mv_refresh_interval_minutes \* 60 \* 1000/);
    expect(mv).toMatch(/allow_non_incremental_definition\s*=\s*false/);
    expect(mv).toMatch(/field\s*=\s*each\.value\.partition\.field/);
    // Partition expiration is inherited from the base table; a materialized view cannot set it.
    expect(mv).not.toContain('expiration_ms');
    const view = resource('rolling_view');
    expect(attributes(view).get('for_each')).toBe('local.rolling_views');
    expect(view).toMatch(/use_legacy_sql\s*=\s*false/);
  });

  it('keeps the state of the former single-view addresses (moved blocks to the contract names)', () => {
    const moved = blocks(raw, 'moved').map((b) => attributes(b.body).get('to'));
    expect(moved).toEqual([
      'google_bigquery_table.materialized_view["risk.recent_portfolio_exposures_mv"]',
      'google_bigquery_table.rolling_view["risk.recent_portfolio_exposures_24h"]',
    ]);
  });
});

describe('kms module', () => {
  const text = stripComments(modText('kms'));
  const res = (type: string) => blocks(text, 'resource').find((b) => b.labels[0] === type)?.body ?? '';

  it('rotates the KYC key every 90 days and protects it from destruction', () => {
    const key = res('google_kms_crypto_key');
    expect(key).toMatch(/purpose\s*=\s*"ENCRYPT_DECRYPT"/);
    expect(key).toMatch(/rotation_period\s*=\s*"\$\{each\.value\.rotation_days \* 24 \* 60 \* 60\}s"/);
    expect(key).toMatch(/prevent_destroy\s*=\s*true/);
    const variables = modText('kms', 'variables.tf');
    expect(variables).toMatch(/rotation_days\s*=\s*optional\(number, 90\)/);
    expect(variables).toMatch(/kyc = \{[\s\S]*?env_var\s*=\s*"KYC_KMS_KEY_NAME"/);
  });

  it('grants only cryptoKeyEncrypterDecrypter, per key, to the functions that name the key', () => {
    const roles = [...text.matchAll(/role\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
    expect(roles).toEqual(['roles/cloudkms.cryptoKeyEncrypterDecrypter']);
    expect(res('google_kms_crypto_key_iam_member')).toMatch(
      /crypto_key_id\s*=\s*google_kms_crypto_key\.this\[each\.value\.key\]\.id/,
    );
    const access = JSON.parse(read(join(ROOT, 'functions', 'topology.json'))) as {
      functions: Record<string, { encrypts?: string[] }>;
    };
    const encrypting = Object.entries(access.functions)
      .filter(([, a]) => (a.encrypts ?? []).includes('kyc'))
      .map(([f]) => f);
    expect(encrypting.sort()).toEqual(['personaWebhook']);
    const fns = stripComments(modText('functions'));
    expect(fns).toMatch(/var\.kms_keys\[k\]\.env_var => var\.kms_keys\[k\]\.id/);
  });
});

describe('monitoring module', () => {
  const text = stripComments(modText('monitoring'));
  const policy = (name: string) =>
    blocks(text, 'resource').find(
      (b) => b.labels[0] === 'google_monitoring_alert_policy' && b.labels[1] === name,
    )?.body ?? '';

  it('alerts on dead-letter backlog, function error rate and notification success per channel', () => {
    expect(attributes(policy('dead_letter_backlog')).get('for_each')).toBe('var.dead_letter_subscriptions');
    expect(policy('dead_letter_backlog')).toContain(
      'pubsub.googleapis.com/subscription/num_undelivered_messages',
    );
    expect(attributes(policy('function_error_rate')).get('for_each')).toBe('var.functions');
    expect(policy('function_error_rate')).toContain('response_code_class=\\"5xx\\"');
    expect(attributes(policy('notification_success')).get('for_each')).toBe(
      'var.notification_success_targets',
    );
    expect(policy('notification_success')).toMatch(/threshold_value\s*=\s*1 - each\.value \/ 100/);
    // Final outcomes only: retried attempts (transient_failure) count neither way, in numerator and denominator.
    expect(policy('notification_success').match(/\$\{local\.final_outcomes\}/g)).toHaveLength(2);
    expect(modText('monitoring', 'variables.tf')).toMatch(
      /retried_outcomes\s*=\s*optional\(list\(string\), \["transient_failure"\]\)/,
    );
  });

  it('targets email 99.5 %, SMS 99 % and webhook 99.9 % from a log-based metric on channel and outcome', () => {
    const targets = /variable "notification_success_targets"[\s\S]*?default = \{([\s\S]*?)\}/.exec(
      modText('monitoring', 'variables.tf'),
    )?.[1];
    expect(Object.fromEntries([...attributes(targets ?? '')].map(([k, v]) => [k, Number(v)]))).toEqual({
      email: 99.5,
      sms: 99,
      webhook: 99.9,
    });
    const metric = blocks(text, 'resource').find((b) => b.labels[0] === 'google_logging_metric')?.body ?? '';
    expect(metric).toContain('EXTRACT(jsonPayload.channel)');
    expect(metric).toContain('EXTRACT(jsonPayload.outcome)');
    expect(metric).toMatch(/metric_kind\s*=\s*"DELTA"/);
  });

  it('is wired to the functions and dead-letter inspection subscriptions of the environment', () => {
    const env = stripComments(modText('environment'));
    const call = blocks(env, 'module').find((b) => b.labels[0] === 'monitoring')?.body ?? '';
    expect(attributes(call).get('functions')).toBe('module.functions.function_folders');
    expect(attributes(call).get('dead_letter_subscriptions')).toBe(
      'module.pubsub.dead_letter_inspection_subscription_names',
    );
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
