/**
 * Static checks of terraform/modules, read with @cdktf/hcl2json: the four-file habit, references that
 * `terraform validate` would resolve (it cannot run offline), and the project's rules — names from the topology
 * and the generated schemas, the deterministic materialized view, 7-year retention, nodejs22, no secret values.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MODULES_DIR,
  ROOT,
  TF_DIR,
  block,
  blocksOf,
  dynamicContent,
  exists,
  generatedTables,
  labelled,
  localsOf,
  moduleNames,
  parseDir,
  read,
  rel,
  resourcesOf,
  tfFiles,
  topology,
  unresolved,
  valuesOf,
  type Body,
} from './hcl';
import { PROVIDER_PACKAGES, providerVersionOf } from './provider-schema';
import { evaluateLocals } from './evaluate';

/** Modules that only compute values (no provider), so tests can evaluate them offline. */
const DATA_ONLY_MODULES = ['topology', 'views'];

const modDir = (m: string): string => join(MODULES_DIR, m);

/** A module's parsed configuration and its resources (type => name => body). */
async function loadModule(m: string): Promise<{ config: Body; res: (type: string, name: string) => Body }> {
  const config = await parseDir(modDir(m));
  const resources = resourcesOf(config);
  return {
    config,
    res: (type, name) => {
      const body = resources[type]?.[name];
      if (!body) throw new Error(`modules/${m}: no resource ${type}.${name}`);
      return body;
    },
  };
}

/** Roles (roles/...) a configuration grants anywhere. */
const rolesOf = (config: Body): string[] =>
  valuesOf(config, 'role').filter((r): r is string => typeof r === 'string' && r.startsWith('roles/'));

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

  it.each(modules)('%s follows the four-file habit with the pinned google provider', async (m) => {
    for (const f of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf'])
      expect({ file: `${m}/${f}`, exists: exists(join(MODULES_DIR, m, f)) }).toEqual({
        file: `${m}/${f}`,
        exists: true,
      });
    const terraformBlocks = blocksOf(await parseDir(modDir(m)), 'terraform');
    expect(terraformBlocks.map((t) => t.required_version)).toEqual([
      expect.stringMatching(/^>=\s*1\.\d+,\s*<\s*2\.0$/),
    ]);
    const providers = terraformBlocks.flatMap((t) => blocksOf(t, 'required_providers'));
    if (DATA_ONLY_MODULES.includes(m)) expect(providers).toEqual([]);
    else
      expect(providers).toEqual([
        {
          google: {
            source: 'hashicorp/google',
            // Exactly the release the offline schema checks use (provider-schema.test.ts).
            version: `= ${providerVersionOf(PROVIDER_PACKAGES.google)}`,
          },
        },
      ]);
  });

  it.each(modules)('%s types and describes every variable and describes every output', async (m) => {
    const config = await parseDir(modDir(m));
    const undocumented = [
      ...Object.entries(labelled(config, 'variable'))
        .filter(([, v]) => !('type' in v) || !('description' in v))
        .map(([name]) => `variable ${name}`),
      ...Object.entries(labelled(config, 'output'))
        .filter(([, o]) => !('description' in o))
        .map(([name]) => `output ${name}`),
    ];
    expect(undocumented).toEqual([]);
  });

  it.each(modules)(
    '%s refers only to declared variables, locals, resources and module outputs',
    async (m) => {
      expect(await unresolved(modDir(m))).toEqual([]);
    },
  );

  it('finds undeclared references, and none in comments, literal text or moved blocks (checker check)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fr-unresolved-'));
    try {
      writeFileSync(
        join(dir, 'main.tf'),
        [
          'variable "known" {',
          '  type = string',
          '}',
          '# var.in_a_comment',
          'locals {',
          '  ok      = "${var.known} var.in_literal_text"',
          '  missing = [for k, v in var.known_map : local.not_a_local if v != null]',
          '}',
          'module "views" {',
          `  source = ${JSON.stringify(modDir('views'))}`,
          '}',
          'resource "google_storage_bucket" "b" {',
          '  name   = "${var.known}-${module.views.materialized_views}-${module.views.no_output}"',
          '  labels = data.google_project.absent.labels',
          '  other  = google_storage_bucket.absent.name',
          '}',
          'moved {',
          '  from = google_storage_bucket.old',
          '  to   = google_storage_bucket.b',
          '}',
          '',
        ].join('\n'),
      );
      expect(await unresolved(dir)).toEqual([
        'data.google_project.absent',
        'google_storage_bucket.absent',
        'local.not_a_local',
        'module.views.no_output',
        'var.known_map',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hard-codes no topology name (topic, subscription, function, folder) in any module', async () => {
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
    // The one place a module names functions: the environment module renders a few functions' settings (and
    // screenTransaction's invokers) from typed variables, keyed like terraform.tfvars' function_environment. Each
    // must be a topology function (the functions module also checks function_environment and api_invokers).
    const env = localsOf(await parseDir(modDir('environment')));
    const named = [
      ...Object.keys(env.rendered_environment as Record<string, unknown>),
      ...Object.keys(env.rendered_invokers as Record<string, unknown>),
    ];
    expect(named.filter((n) => !(n in topo.functions))).toEqual([]);
  });

  it('runs every function on nodejs22 and never on a deprecated runtime', async () => {
    const { config, res } = await loadModule('functions');
    expect(valuesOf(config, 'runtime')).toEqual(['nodejs22']);
    expect(block(res('google_cloudfunctions2_function', 'fn'), 'build_config')?.runtime).toBe('nodejs22');
    const everything = [...tfFiles(TF_DIR).map(read), read(join(ROOT, 'cloudbuild.yaml'))].join('\n');
    expect(everything).not.toMatch(/nodejs(1\d|20)\b/);
  });

  it('references secrets but never holds a secret value', async () => {
    const all = tfFiles(TF_DIR).map(read).join('\n');
    expect(all).not.toMatch(/google_secret_manager_secret_version|secret_data/);
    const { res } = await loadModule('functions');
    const service = block(res('google_cloudfunctions2_function', 'fn'), 'service_config');
    // The code reads Secret Manager itself (short-lived cache); no copy of a secret in any environment.
    expect(service && 'dynamic' in service ? JSON.stringify(service.dynamic) : '').not.toContain(
      'secret_environment_variables',
    );
    expect(read(join(TF_DIR, 'modules', 'functions', 'main.tf'))).not.toMatch(
      /^\s*(dynamic ")?secret_environment_variables/m,
    );
  });
});

describe('pubsub module', () => {
  let res: (type: string, name: string) => Body;
  let pubsub: Body;
  let topologyLocals: Body;
  beforeAll(async () => {
    ({ config: pubsub, res } = await loadModule('pubsub'));
    topologyLocals = localsOf(await parseDir(modDir('topology')));
  });

  it('derives topics and subscriptions from the topology file', () => {
    expect(topologyLocals.topology).toBe('${jsondecode(file(var.topology_path))}');
    expect(res('google_pubsub_topic', 'this').for_each).toBe('${module.topology.topics}');
    expect(res('google_pubsub_subscription', 'push').for_each).toBe('${module.topology.subscriptions}');
  });

  it('pushes with OIDC to <function uri>/projects/<project>/topics/<topic>, with dead-letter and retry policies', () => {
    expect(String(topologyLocals.subscriptions)).toContain('/projects/${var.project_id}/topics/${s.topic}');
    const push = res('google_pubsub_subscription', 'push');
    for (const part of ['push_config', 'dead_letter_policy', 'retry_policy', 'expiration_policy'])
      expect({ part, present: block(push, part) !== undefined }).toEqual({ part, present: true });
    expect(block(block(push, 'push_config'), 'oidc_token')).toBeDefined();
    expect(block(push, 'push_config')?.push_endpoint).toBe('${each.value.push_endpoint}');
    expect(block(push, 'dead_letter_policy')?.max_delivery_attempts).toBe(
      '${each.value.max_delivery_attempts}',
    );
  });

  it('lets the Pub/Sub service agent publish dead letters and acknowledge, and inspects dead letters by pull', () => {
    expect(String(localsOf(pubsub).pubsub_service_agent)).toContain('gcp-sa-pubsub.iam.gserviceaccount.com');
    expect(res('google_pubsub_topic_iam_member', 'dead_letter_publisher').member).toBe(
      '${local.pubsub_service_agent}',
    );
    expect(res('google_pubsub_subscription_iam_member', 'dead_letter_subscriber').member).toBe(
      '${local.pubsub_service_agent}',
    );
    const inspect = res('google_pubsub_subscription', 'dead_letter_inspection');
    expect(block(inspect, 'push_config')).toBeUndefined();
    expect(inspect.for_each).toContain('module.topology.dead_letter_topics');
  });
});

describe('functions module', () => {
  let config: Body;
  let res: (type: string, name: string) => Body;
  let fn: Body;
  beforeAll(async () => {
    ({ config, res } = await loadModule('functions'));
    fn = res('google_cloudfunctions2_function', 'fn');
  });

  it('deploys one function per topology entry, entry point = topology key, source named by content hash', () => {
    expect(fn.for_each).toBe('${local.functions}');
    const build = block(fn, 'build_config');
    expect(build?.entry_point).toBe('${each.key}');
    expect(block(block(build, 'source'), 'storage_source')?.object).toBe(
      '${google_storage_bucket_object.source[each.key].name}',
    );
    expect(res('google_storage_bucket_object', 'source').name).toMatch(/filesha256\(/);
    expect(String(localsOf(config).bundles)).toContain('${var.bundle_dir}/${f.folder}.zip');
  });

  it('sizes each function from the topology and gives it its own service account', () => {
    const service = block(fn, 'service_config');
    expect(service?.available_memory).toBe('${each.value.memory}');
    expect(service?.timeout_seconds).toBe('${each.value.timeout_seconds}');
    expect(service?.min_instance_count).toBe(
      '${lookup(var.min_instances, each.key, each.value.min_instances)}',
    );
    expect(service?.max_instance_request_concurrency).toBe('${each.value.concurrency}');
    expect(service?.available_cpu).toBe('${each.value.concurrency > 1 ? "1" : null}');
    expect(service?.service_account_email).toBe('${google_service_account.fn[each.key].email}');
    expect(localsOf(config).base_environment).toMatchObject({
      GOOGLE_CLOUD_PROJECT: '${var.project_id}',
      ENVIRONMENT: '${var.environment}',
      WAREHOUSE: 'bigquery',
    });
  });

  it('grants least privilege from the topology bindings, never project-wide editor roles', () => {
    expect(res('google_pubsub_topic_iam_member', 'publisher').for_each).toBe(
      '${module.topology.publisher_bindings}',
    );
    expect(res('google_secret_manager_secret_iam_member', 'accessor').for_each).toBe(
      '${module.topology.secret_bindings}',
    );
    expect(res('google_bigquery_table_iam_member', 'warehouse').for_each).toBe(
      '${module.topology.table_bindings}',
    );
    expect(res('google_bigquery_dataset_iam_member', 'warehouse').for_each).toBe(
      '${module.topology.dataset_bindings}',
    );
    // Project-wide grants are limited to Firestore and BigQuery job execution, each for the functions the topology
    // says use them, plus secret access narrowed by an IAM condition to a name prefix; everything else is per
    // resource.
    const projectGrants = resourcesOf(config).google_project_iam_member ?? {};
    expect(
      Object.entries(projectGrants)
        .map(([name, g]) => `${name} ${String(g.role)} ${String(g.for_each)}`)
        .sort(),
    ).toEqual([
      'bigquery_job_user roles/bigquery.jobUser ${toset(module.topology.bigquery_job_functions)}',
      'firestore_user roles/datastore.user ${toset(module.topology.firestore_functions)}',
      'secret_prefix_accessor roles/secretmanager.secretAccessor ${module.topology.secret_prefix_bindings}',
    ]);
    expect(block(projectGrants.secret_prefix_accessor, 'condition')?.expression).toBe(
      'resource.name.startsWith("projects/${data.google_project.this[0].number}/secrets/${each.value.prefix}")',
    );
    const allRoles = rolesOf(config);
    expect(allRoles.filter((r) => /\/(owner|editor)$|\.admin$/.test(r))).toEqual([]);
    expect(allRoles).toEqual(expect.arrayContaining(['roles/pubsub.publisher', 'roles/run.invoker']));
  });

  it('calls scheduled functions with an OIDC token of the invoker service account', () => {
    const job = res('google_cloud_scheduler_job', 'fn');
    expect(job.for_each).toBe('${module.topology.scheduled_functions}');
    expect(job.attempt_deadline).toBeDefined();
    expect(job.time_zone).toBe('${each.value.timeZone}');
    expect(block(job, 'retry_config')).toBeDefined();
    expect(block(block(job, 'http_target'), 'oidc_token')?.service_account_email).toBe(
      '${google_service_account.invoker.email}',
    );
  });
});

describe('warehouse module', () => {
  const tables = generatedTables().tables;
  let config: Body;
  let res: (type: string, name: string) => Body;
  let variables: Record<string, Body>;
  beforeAll(async () => {
    ({ config, res } = await loadModule('warehouse'));
    variables = labelled(config, 'variable');
  });

  it('creates datasets and tables from the generated JSON (schema, DAY partitions expiring after the hot retention, clustering)', () => {
    const locals = localsOf(config);
    expect(locals.tables).toBe('${jsondecode(file(var.tables_path)).tables}');
    const table = res('google_bigquery_table', 'table');
    expect(table.for_each).toBe('${local.tables}');
    expect(table.schema).toBe('${jsonencode(each.value.schema)}');
    expect(table.table_id).toBe('${each.value.table}');
    expect(table.deletion_protection).toBe('${var.deletion_protection}');
    expect(dynamicContent(table, 'time_partitioning')).toMatchObject({
      field: '${time_partitioning.value.partition_field}',
      expiration_ms: '${try(each.value.expire_partitions, true) ? local.hot_retention_ms : null}',
    });
    expect(locals.hot_retention_ms).toBe('${var.hot_retention_days * 24 * 60 * 60 * 1000}');
    // No default: the number comes from shared/contracts/retention.json, through modules/environment.
    expect(variables.hot_retention_days).toBeDefined();
    expect('default' in variables.hot_retention_days).toBe(false);
    expect(tables['risk.margin_events']).toMatchObject({ dataset: 'risk', table: 'margin_events' });
  });

  it('lets partitions expire after the hot retention but in a table whose row schema says x-expire-partitions: false', async () => {
    // The generated file carries the flag: false on compliance.case_events (its trail must verify for years).
    expect(tables['compliance.case_events'].expire_partitions).toBe(false);
    expect(tables['risk.margin_events'].expire_partitions).toBe(true);
    // The expiration each table gets, evaluated by Terraform from the module's own expression.
    const expiration = String(
      dynamicContent(res('google_bigquery_table', 'table'), 'time_partitioning')?.expiration_ms,
    )
      .replace(/^\$\{/, '')
      .replace(/\}$/, '');
    const dir = mkdtempSync(join(tmpdir(), 'fr-expiry-'));
    try {
      // A table of an older generated file, without the key, keeps expiring.
      const legacy = { ...tables['risk.margin_events'] } as Record<string, unknown>;
      delete legacy.expire_partitions;
      const tablesPath = join(dir, 'tables.json');
      writeFileSync(
        tablesPath,
        JSON.stringify({ tables: { ...tables, 'legacy.events': { ...legacy, dataset: 'legacy' } } }),
      );
      const of = (t: string) => expiration.split('each.value').join(`local.tables[${JSON.stringify(t)}]`);
      const r = await evaluateLocals<{
        hot_retention_ms: number;
        case_events: number | null;
        margin_events: number | null;
        legacy: number | null;
      }>(
        'warehouse',
        {
          project_id: 'demo-project',
          environment: 'dev',
          tables_path: tablesPath,
          views_path: join(ROOT, 'shared', 'contracts', 'warehouse-views.json'),
          generated_views_path: join(TF_DIR, 'generated', 'bigquery-views.json'),
          location: 'EU',
          hot_retention_days: 90,
          deletion_protection: false,
        },
        ['hot_retention_ms'],
        {
          case_events: of('compliance.case_events'),
          margin_events: of('risk.margin_events'),
          legacy: of('legacy.events'),
        },
      );
      expect(r.ok ? '' : r.stderr).toBe('');
      if (!r.ok) return;
      expect(r.value.hot_retention_ms).toBe(90 * 24 * 3600 * 1000);
      expect(r.value.margin_events).toBe(r.value.hot_retention_ms);
      expect(r.value.legacy).toBe(r.value.hot_retention_ms);
      // Terraform drops a null output value: no expiration at all.
      expect(r.value.case_events ?? null).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creates every materialized view, rolling view and summary view of shared/contracts/warehouse-views.json, through modules/views', () => {
    const views = labelled(config, 'module').views;
    expect(views).toMatchObject({
      source: '../views',
      views_path: '${var.views_path}',
      generated_views_path: '${var.generated_views_path}',
    });
    expect(localsOf(config)).toMatchObject({
      materialized_views: '${module.views.materialized_views}',
      rolling_views: '${module.views.rolling_views}',
    });
    const mv = res('google_bigquery_table', 'materialized_view');
    expect(mv.for_each).toBe('${local.materialized_views}');
    expect(block(mv, 'materialized_view')).toEqual({
      query: '${each.value.query}',
      enable_refresh: true,
      refresh_interval_ms: '${var.mv_refresh_interval_minutes * 60 * 1000}',
      allow_non_incremental_definition: false,
    });
    // Partition expiration is inherited from the base table; a materialized view cannot set it.
    expect(block(mv, 'time_partitioning')).toEqual({
      field: '${each.value.partition.field}',
      type: '${each.value.partition.type}',
    });
    const view = res('google_bigquery_table', 'rolling_view');
    expect(view.for_each).toBe('${local.rolling_views}');
    expect(block(view, 'view')).toEqual({ query: '${each.value.query}', use_legacy_sql: false });
    // Summary views: logical views grouped over a table, authorised on its dataset like the materialized views.
    expect(localsOf(config).summary_views).toBe('${module.views.summary_views}');
    const summary = res('google_bigquery_table', 'summary_view');
    expect(summary.for_each).toBe('${local.summary_views}');
    expect(block(summary, 'view')).toEqual({ query: '${each.value.query}', use_legacy_sql: false });
    expect(summary.depends_on).toEqual(['${google_bigquery_table.table}']);
    const access = res('google_bigquery_dataset_access', 'summary_view');
    expect(access.for_each).toBe('${local.summary_views}');
    expect(block(access, 'view')).toMatchObject({
      table_id: '${google_bigquery_table.summary_view[each.key].table_id}',
    });
  });

  it('keeps the state of the former single-view addresses (moved blocks to the contract names)', () => {
    expect(blocksOf(config, 'moved').map((m) => m.to)).toEqual([
      '${google_bigquery_table.materialized_view["risk.recent_portfolio_exposures_mv"]}',
      '${google_bigquery_table.rolling_view["risk.recent_portfolio_exposures_24h"]}',
    ]);
  });
});

describe('project module', () => {
  it('keeps Firestore recoverable: point-in-time recovery on, delete protection from the environment, abandon on removal', async () => {
    const { res } = await loadModule('project');
    const db = res('google_firestore_database', 'default');
    expect(db.point_in_time_recovery_enablement).toBe('POINT_IN_TIME_RECOVERY_ENABLED');
    expect(db.deletion_policy).toBe('ABANDON');
  });
});

describe('kms module', () => {
  let config: Body;
  let res: (type: string, name: string) => Body;
  beforeAll(async () => {
    ({ config, res } = await loadModule('kms'));
  });

  it('rotates the KYC key every 90 days and protects it from destruction', () => {
    const key = res('google_kms_crypto_key', 'this');
    expect(key.purpose).toBe('ENCRYPT_DECRYPT');
    expect(key.rotation_period).toBe('${each.value.rotation_days * 24 * 60 * 60}s');
    expect(block(key, 'lifecycle')?.prevent_destroy).toBe(true);
    const keys = labelled(config, 'variable').keys;
    expect(keys.type).toMatch(/rotation_days\s*=\s*optional\(number, 90\)/);
    expect(keys.default).toMatchObject({ kyc: { env_var: 'KYC_KMS_KEY_NAME' } });
  });

  it('grants cryptoKeyEncrypter to the functions that name the key under "encrypts" and cryptoKeyDecrypter only to those under "decrypts", per key, never cryptoKeyEncrypterDecrypter', async () => {
    expect(rolesOf(config).sort()).toEqual([
      'roles/cloudkms.cryptoKeyDecrypter',
      'roles/cloudkms.cryptoKeyEncrypter',
    ]);
    expect(rolesOf(config).filter((r) => /EncrypterDecrypter/.test(r))).toEqual([]);
    const encrypter = res('google_kms_crypto_key_iam_member', 'encrypter');
    const decrypter = res('google_kms_crypto_key_iam_member', 'decrypter');
    expect(encrypter.role).toBe('roles/cloudkms.cryptoKeyEncrypter');
    expect(decrypter.role).toBe('roles/cloudkms.cryptoKeyDecrypter');
    for (const grant of [encrypter, decrypter])
      expect(grant.crypto_key_id).toBe('${google_kms_crypto_key.this[each.value.key].id}');
    expect(encrypter.for_each).toBe('${var.encrypters}');
    expect(decrypter.for_each).toBe('${var.decrypters}');
    // Like the encrypter, the decrypter refuses a key the module does not declare.
    expect(JSON.stringify(block(decrypter, 'lifecycle'))).toContain(
      'contains(keys(var.keys), each.value.key)',
    );

    const access = JSON.parse(read(join(ROOT, 'shared', 'contracts', 'topology.json'))) as {
      functions: Record<string, { encrypts?: string[]; decrypts?: string[] }>;
    };
    const naming = (field: 'encrypts' | 'decrypts') =>
      Object.entries(access.functions)
        .filter(([, a]) => (a[field] ?? []).includes('kyc'))
        .map(([f]) => f)
        .sort();
    expect(naming('encrypts')).toEqual([
      'complianceCases',
      'evaluateAml',
      'personaWebhook',
      'screenTransaction',
    ]);
    // Only the case tool reads personal data back; the internet-facing webhook still only encrypts.
    expect(naming('decrypts')).toEqual(['complianceCases']);
    const functionsLocals = localsOf(await parseDir(modDir('functions')));
    // A function that encrypts or decrypts with a key receives its name (KYC_KMS_KEY_NAME).
    expect(String(functionsLocals.environment)).toContain('distinct(concat(f.encrypts, f.decrypts))');
    expect(String(functionsLocals.environment)).toContain('var.kms_keys[k].env_var => var.kms_keys[k].id');
  });
});

describe('monitoring module', () => {
  let config: Body;
  let res: (type: string, name: string) => Body;
  beforeAll(async () => {
    ({ config, res } = await loadModule('monitoring'));
  });
  const threshold = (policy: Body) => block(block(policy, 'conditions'), 'condition_threshold');

  it('alerts on dead-letter backlog, function error rate and notification success per channel', () => {
    const backlog = res('google_monitoring_alert_policy', 'dead_letter_backlog');
    expect(backlog.for_each).toBe('${var.dead_letter_subscriptions}');
    expect(threshold(backlog)?.filter).toContain(
      'pubsub.googleapis.com/subscription/num_undelivered_messages',
    );
    const errors = res('google_monitoring_alert_policy', 'function_error_rate');
    expect(errors.for_each).toBe('${var.functions}');
    expect(threshold(errors)?.filter).toContain('response_code_class="5xx"');
    const success = res('google_monitoring_alert_policy', 'notification_success');
    expect(success.for_each).toBe('${var.notification_success_targets}');
    expect(threshold(success)?.threshold_value).toBe('${1 - each.value / 100}');
    // Final outcomes only: retried attempts (transient_failure) count neither way, in numerator and denominator.
    for (const f of ['filter', 'denominator_filter'])
      expect({ f, text: threshold(success)?.[f] }).toEqual({
        f,
        text: expect.stringMatching(/\$\{local\.final_outcomes\}$/),
      });
    expect(labelled(config, 'variable').delivery_log.type).toMatch(
      /retried_outcomes\s*=\s*optional\(list\(string\), \["transient_failure"\]\)/,
    );
  });

  it('targets email 99.5 %, SMS 99 % and webhook 99.9 % from a log-based metric on channel and outcome', () => {
    expect(labelled(config, 'variable').notification_success_targets.default).toEqual({
      email: 99.5,
      sms: 99,
      webhook: 99.9,
    });
    const metric = res('google_logging_metric', 'notification_attempts');
    expect(metric.label_extractors).toEqual({
      channel: 'EXTRACT(jsonPayload.channel)',
      outcome: 'EXTRACT(jsonPayload.outcome)',
    });
    expect(block(metric, 'metric_descriptor')?.metric_kind).toBe('DELTA');
  });

  it('is wired to the functions and dead-letter inspection subscriptions of the environment', async () => {
    const call = labelled(await parseDir(modDir('environment')), 'module').monitoring;
    expect(call.functions).toBe('${module.functions.function_folders}');
    expect(call.dead_letter_subscriptions).toBe('${module.pubsub.dead_letter_inspection_subscription_names}');
  });
});

describe('archive module', () => {
  let config: Body;
  let res: (type: string, name: string) => Body;
  beforeAll(async () => {
    ({ config, res } = await loadModule('archive'));
  });

  it('keeps the archive 7 years (7 x 365.25 days, in seconds) behind a retention policy that is unlocked by default', () => {
    const seconds = localsOf(config).seven_years_seconds;
    expect(seconds).toBe(7 * 365.25 * 24 * 60 * 60);
    expect(seconds).toBe(220_903_200);
    expect(block(res('google_storage_bucket', 'archive'), 'retention_policy')).toEqual({
      retention_period: '${local.seven_years_seconds}',
      is_locked: '${var.lock_retention_policy}',
    });
    const lock = labelled(config, 'variable').lock_retention_policy;
    expect(lock.description).toContain('IRREVERSIBLE');
    expect(lock.default).toBe(false);
  });

  it('moves archived objects to COLDLINE then ARCHIVE, uniform access, public access prevented, soft delete on', () => {
    const archive = res('google_storage_bucket', 'archive');
    const actions = ((archive.lifecycle_rule as Body[] | undefined) ?? []).map((r) => block(r, 'action'));
    expect([archive.storage_class, ...actions.map((a) => a?.storage_class)]).toEqual([
      'STANDARD',
      'COLDLINE',
      'ARCHIVE',
    ]);
    expect(actions.map((a) => a?.type)).toEqual(['SetStorageClass', 'SetStorageClass']);
    expect(archive.uniform_bucket_level_access).toBe(true);
    expect(archive.public_access_prevention).toBe('enforced');
    expect(block(archive, 'soft_delete_policy')).toBeDefined();
    expect(archive.force_destroy).toBe(false);
  });

  it('exports through a separate, un-locked staging bucket that deletes files quickly', () => {
    const staging = res('google_storage_bucket', 'export_staging');
    expect(block(staging, 'retention_policy')).toBeUndefined();
    const rules = (staging.lifecycle_rule as Body[] | undefined) ?? [];
    expect(rules.map((r) => block(r, 'action')?.type)).toContain('Delete');
    expect(staging.public_access_prevention).toBe('enforced');
  });
});
