/**
 * What the code uses exists in Terraform, for every environment. The configuration is read with @cdktf/hcl2json
 * (offline) from each root through its module calls; the file paths the roots hand the modules are resolved and
 * must be the project's own topology, generated tables, views and view SQL; the provider-free topology module is evaluated
 * on that topology. Then every topic, subscription, function, schedule, table and secret the code names must be
 * among what the modules create, each function must run as its own service account, no primitive role may be
 * granted anywhere, and every consumer subscription must carry a dead-letter policy.
 */
import { FIRESTORE_INDEXES, FIRESTORE_UNINDEXED } from '../../../shared/contracts/firestore';
import { PORTFOLIO_VIEWS, PORTFOLIO_VIEW_TEXT } from '../../../shared/use-cases/portfolio-views';
import { ALERT_FEED } from '../../../shared/use-cases/alert-feed';
import { MARGIN_COLLECTIONS } from '../../../shared/use-cases/detect-margin-events';
import { CONTROLS_COLLECTIONS } from '../../../shared/use-cases/controls/controls-store';
import { FIRESTORE_TTL } from '../../../shared/contracts/firestore';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WAREHOUSE_TABLES } from '../../../shared/contracts/warehouse-tables';
import { MATERIALIZED_VIEWS, ROLLING_VIEWS } from '../../../shared/contracts/warehouse-views';
import { AML_COLLECTIONS } from '../../../shared/use-cases/evaluate-aml';
import { KYC_COLLECTIONS } from '../../../shared/domain/kyc/documents';
import { NOTIFICATION_COLLECTIONS } from '../../../shared/domain/notifications/types';
import { EXPIRE_AT_FIELD } from '../../../shared/domain/retention';
import { SUBSCRIPTIONS, TOPICS } from '../../../shared/topology/topology';
import { evaluateModule } from './evaluate';
import {
  ENVIRONMENTS,
  ROOT,
  TF_DIR,
  allModules,
  block,
  generatedTables,
  loadEnvironment,
  moduleNamed,
  type Body,
  type ModuleNode,
} from './hcl';

interface TopologyOut {
  topics: Record<string, unknown>;
  functions: Record<
    string,
    { folder: string; schedule: unknown; secrets: string[]; secret_prefixes: string[]; writes: string[] }
  >;
  subscriptions: Record<string, { function: string; topic: string; dead_letter_topic: string }>;
  scheduled_functions: Record<string, { cron: string }>;
  secrets: string[];
  dead_letter_topics: string[];
  partitioned_tables: string[];
}

/** Source files of the code that is deployed (functions and the shared library), without generated code. */
function codeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'generated' || name === 'local-stack' ? [] : codeFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}
const code = [...codeFiles(join(ROOT, 'functions')), ...codeFiles(join(ROOT, 'shared'))].map((f) => ({
  f,
  text: readFileSync(f, 'utf8'),
}));
const named = (re: RegExp): string[] =>
  [...new Set(code.flatMap(({ text }) => [...text.matchAll(re)].map((m) => m[1])))].sort();

/** Functions the code wires (each wiring is registered with the Functions Framework under its name). */
const registeredFunctions = named(/(?:httpWiring|pubsubWiring)\(\s*'([A-Za-z]+)'/g);
/** Secrets the code reads by a literal name. */
const secretLiterals = [
  ...new Set(
    code.flatMap(({ text }) =>
      [...text.matchAll(/(?:secrets\.get\(\s*'([A-Z][A-Z0-9_]+)'|_SECRET\s*=\s*'([A-Z][A-Z0-9_]+)')/g)].map(
        (m) => m[1] ?? m[2],
      ),
    ),
  ),
].sort();

const resource = (m: ModuleNode, type: string, name: string): Body => {
  const r = m.resources[type]?.[name];
  if (!r) throw new Error(`${m.address || 'root'}: no ${type}.${name}`);
  return r;
};

describe.each(ENVIRONMENTS)('Terraform of %s holds everything the code uses', (env) => {
  let tree: ModuleNode;
  let topo: TopologyOut;

  beforeAll(async () => {
    tree = await loadEnvironment(env);
    const result = evaluateModule<TopologyOut>('topology', {
      topology_path: join(ROOT, 'shared', 'contracts', 'topology.json'),
      tables_path: join(TF_DIR, 'generated', 'bigquery-tables.json'),
      views_path: join(ROOT, 'shared', 'contracts', 'warehouse-views.json'),
    });
    if (!result.ok) throw new Error(result.stderr);
    topo = result.value;
  });

  it('hands every module the project topology, generated tables, view definitions and generated view SQL', () => {
    const expected: Record<string, string> = {
      topology_path: join(ROOT, 'shared', 'contracts', 'topology.json'),
      tables_path: join(TF_DIR, 'generated', 'bigquery-tables.json'),
      views_path: join(ROOT, 'shared', 'contracts', 'warehouse-views.json'),
      generated_views_path: join(TF_DIR, 'generated', 'bigquery-views.json'),
    };
    const seen = allModules(tree).flatMap((m) =>
      Object.keys(expected)
        .filter((k) => k in m.inputs && m.inputs[k] !== null)
        .map((k) => ({ module: m.address, input: k, path: m.inputs[k] })),
    );
    expect(seen.map((s) => s.input)).toEqual(expect.arrayContaining(Object.keys(expected)));
    for (const s of seen)
      expect({ ...s, path: resolve(String(s.path)) }).toEqual({ ...s, path: expected[s.input] });
  });

  it('creates every topic and every push subscription the code and the local stack use', () => {
    const pubsub = moduleNamed(tree, 'pubsub');
    expect(resource(pubsub, 'google_pubsub_topic', 'this').for_each).toBe('${module.topology.topics}');
    expect(resource(pubsub, 'google_pubsub_subscription', 'push').for_each).toBe(
      '${module.topology.subscriptions}',
    );
    const topicLiterals = named(/'([a-z]+\.[a-z-]+(?:\.[a-z-]+)*\.v\d+)'/g);
    expect(topicLiterals.filter((t) => !(t in topo.topics))).toEqual([]);
    expect(TOPICS.filter((t) => !(t in topo.topics))).toEqual([]);
    expect(SUBSCRIPTIONS.map((s) => s.name).filter((s) => !(s in topo.subscriptions))).toEqual([]);
  });

  it('deploys every function the code registers, each as its own service account', () => {
    const fns = moduleNamed(tree, 'functions');
    expect(registeredFunctions.length).toBeGreaterThan(0);
    expect(registeredFunctions.filter((f) => !(f in topo.functions))).toEqual([]);
    const fn = resource(fns, 'google_cloudfunctions2_function', 'fn');
    const sa = resource(fns, 'google_service_account', 'fn');
    expect([fn.for_each, sa.for_each]).toEqual(['${local.functions}', '${local.functions}']);
    expect(fns.locals.functions).toBe('${module.topology.functions}');
    expect(block(fn, 'service_config')?.service_account_email).toBe(
      '${google_service_account.fn[each.key].email}',
    );
    expect(sa.account_id).toBe('${each.value.service_account_id}');
    const ids = Object.values(topo.functions).map((f) => f.folder);
    expect(new Set(ids).size).toBe(Object.keys(topo.functions).length);
  });

  it('schedules every function the topology schedules, with an OIDC token', () => {
    const fns = moduleNamed(tree, 'functions');
    const job = resource(fns, 'google_cloud_scheduler_job', 'fn');
    expect(job.for_each).toBe('${module.topology.scheduled_functions}');
    expect(block(block(job, 'http_target'), 'oidc_token')?.service_account_email).toBe(
      '${google_service_account.invoker.email}',
    );
    expect(Object.keys(topo.scheduled_functions)).toEqual(
      expect.arrayContaining(['ingestPrices', 'refreshMaterializedViews', 'archiveColdData']),
    );
  });

  it('creates every warehouse table the code defines or writes, and every view the code refreshes or reads', () => {
    const wh = moduleNamed(tree, 'warehouse');
    expect(resource(wh, 'google_bigquery_table', 'table').for_each).toBe('${local.tables}');
    expect(resource(wh, 'google_bigquery_table', 'materialized_view').for_each).toBe(
      '${local.materialized_views}',
    );
    expect(resource(wh, 'google_bigquery_table', 'rolling_view').for_each).toBe('${local.rolling_views}');
    const generated = generatedTables().tables;
    // The code can only insert into a TableName (Warehouse.insert is typed by the generated table → row map).
    expect(Object.keys(generated).sort()).toEqual(WAREHOUSE_TABLES.map((t) => t.name).sort());
    expect(MATERIALIZED_VIEWS.map((v) => v.name)).toContain('risk.recent_portfolio_exposures_mv');
    expect(ROLLING_VIEWS.every((v) => MATERIALIZED_VIEWS.some((m) => m.name === v.over))).toBe(true);
  });

  it('creates a Secret Manager secret for every secret the code reads, readable only by the functions declaring it', () => {
    const secrets = moduleNamed(tree, 'secrets');
    expect(resource(secrets, 'google_secret_manager_secret', 'this').for_each).toBe('${local.secret_names}');
    expect(secretLiterals.length).toBeGreaterThan(0);
    expect(secretLiterals.filter((s) => !topo.secrets.includes(s))).toEqual([]);
    const accessor = resource(
      moduleNamed(tree, 'functions'),
      'google_secret_manager_secret_iam_member',
      'accessor',
    );
    expect(accessor.for_each).toBe('${module.topology.secret_bindings}');
  });

  it('lets deliverNotification read per-endpoint webhook secrets by the prefix the code enforces, and only those', () => {
    const prefixes = named(/WEBHOOK_SECRET_PREFIX\s*=\s*'([A-Z][A-Z0-9_]+)'/g);
    expect(prefixes).toEqual(['NOTIFY_WEBHOOK_']);
    expect(topo.functions.deliverNotification.secret_prefixes).toEqual(prefixes);
    const others = Object.entries(topo.functions).filter(([n]) => n !== 'deliverNotification');
    expect(others.filter(([, f]) => f.secret_prefixes.length > 0)).toEqual([]);
    const grant = resource(
      moduleNamed(tree, 'functions'),
      'google_project_iam_member',
      'secret_prefix_accessor',
    );
    expect(grant.for_each).toBe('${module.topology.secret_prefix_bindings}');
    expect(JSON.stringify(grant.condition)).toContain('resource.name.startsWith');
  });

  it('gives every collection of idempotency records the code writes a Firestore TTL policy on its expiry field', () => {
    const ttl = FIRESTORE_TTL;
    expect(ttl.field).toBe(EXPIRE_AT_FIELD);
    expect([...ttl.collections].sort()).toEqual(
      [
        KYC_COLLECTIONS.webhookEvents,
        AML_COLLECTIONS.evaluations,
        NOTIFICATION_COLLECTIONS.sends,
        NOTIFICATION_COLLECTIONS.dedup,
        NOTIFICATION_COLLECTIONS.rateLimits,
        NOTIFICATION_COLLECTIONS.decisions,
        MARGIN_COLLECTIONS.outbox,
        CONTROLS_COLLECTIONS.decisions,
        CONTROLS_COLLECTIONS.limitOutbox,
        ALERT_FEED,
      ].sort(),
    );
    // Every module that writes an expiry names one of those collections' records.
    const writers = code.filter(({ text }) => /\bidempotencyExpiry\(|expireAt:/.test(text)).map(({ f }) => f);
    expect(writers.length).toBeGreaterThanOrEqual(3);
    const project = moduleNamed(tree, 'project');
    const field = resource(project, 'google_firestore_field', 'ttl');
    expect(field.for_each).toContain('var.firestore_ttl.collections');
    expect(field.field).toBe('${var.firestore_ttl.field}');
    expect(field.ttl_config).toBeDefined();
  });

  it('creates the composite index each multi-field query needs (the emulator would answer it without one)', () => {
    const views = FIRESTORE_INDEXES.find((i) => i.collection === PORTFOLIO_VIEWS);
    expect(views?.fields.map((f) => f.field)).toEqual(['deskId', 'updatedAt']);
    // The query it serves: an equality on deskId and a range on updatedAt.
    const src = code.find(({ f }) => f.endsWith('shared/use-cases/portfolio-views.ts'))?.text ?? '';
    expect(src).toMatch(/field: 'deskId', op: '=='[\s\S]*field: 'updatedAt', op: '>'/);
    const index = resource(moduleNamed(tree, 'project'), 'google_firestore_index', 'composite');
    expect(index.for_each).toContain('var.firestore_indexes');
    expect(index.collection).toBe('${each.value.collection}');
  });

  it("exempts the portfolio views' JSON text from indexing: nothing queries it and every tick rewrites it", () => {
    expect(FIRESTORE_UNINDEXED).toContainEqual(
      expect.objectContaining({ collection: PORTFOLIO_VIEWS, field: PORTFOLIO_VIEW_TEXT }),
    );
    // No field a query filters on is exempt.
    const queried = FIRESTORE_INDEXES.flatMap((i) => i.fields.map((f) => `${i.collection}.${f.field}`));
    expect(FIRESTORE_UNINDEXED.filter((f) => queried.includes(`${f.collection}.${f.field}`))).toEqual([]);
    expect(moduleNamed(tree, 'project').inputs).toHaveProperty('firestore_unindexed_fields');
    const field = resource(moduleNamed(tree, 'project'), 'google_firestore_field', 'unindexed');
    expect(field.for_each).toContain('var.firestore_unindexed_fields');
    expect(field.field).toBe('${each.value.field}');
    // An empty index_config removes the field's single-field indexes.
    expect(field.index_config).toEqual([{}]);
  });

  it('grants no primitive role (owner, editor, viewer) and no project-wide policy anywhere', () => {
    const roles: string[] = [];
    const kinds: string[] = [];
    for (const m of allModules(tree))
      for (const [type, byName] of Object.entries(m.resources)) {
        kinds.push(type);
        for (const body of Object.values(byName)) if (typeof body.role === 'string') roles.push(body.role);
      }
    expect(roles.length).toBeGreaterThan(5);
    expect(roles.filter((r) => /^roles\/(owner|editor|viewer)$/.test(r))).toEqual([]);
    expect(kinds.filter((k) => /_iam_(policy|binding)$/.test(k))).toEqual([]);
  });

  it('gives every consumer subscription a dead-letter policy into a declared topic, with the IAM it needs', () => {
    const pubsub = moduleNamed(tree, 'pubsub');
    const subs = pubsub.resources.google_pubsub_subscription ?? {};
    for (const [name, body] of Object.entries(subs)) {
      const pushes = block(body, 'push_config') !== undefined;
      // A pull subscription may only be the inspection subscription of a dead-letter topic.
      expect({
        name,
        deadLettered: pushes ? block(body, 'dead_letter_policy') !== undefined : body.for_each,
      }).toEqual({
        name,
        deadLettered: pushes ? true : '${toset(module.topology.dead_letter_topics)}',
      });
    }
    for (const [name, s] of Object.entries(topo.subscriptions)) {
      expect({ name, dlq: s.dead_letter_topic in topo.topics }).toEqual({ name, dlq: true });
      expect(s.dead_letter_topic).not.toBe(s.topic);
    }
    const publisher = resource(pubsub, 'google_pubsub_topic_iam_member', 'dead_letter_publisher');
    const subscriber = resource(pubsub, 'google_pubsub_subscription_iam_member', 'dead_letter_subscriber');
    expect([publisher.role, subscriber.role]).toEqual(['roles/pubsub.publisher', 'roles/pubsub.subscriber']);
    expect(String(pubsub.locals.pubsub_service_agent)).toContain('gcp-sa-pubsub.iam.gserviceaccount.com');
  });

  it('lets only the KYC functions use the KYC key, and the archiving function reach every hot table', () => {
    const kms = moduleNamed(tree, 'kms');
    const key = resource(kms, 'google_kms_crypto_key', 'this');
    expect(key.rotation_period).toBe('${each.value.rotation_days * 24 * 60 * 60}s');
    expect(resource(kms, 'google_kms_crypto_key_iam_member', 'encrypter').role).toBe(
      'roles/cloudkms.cryptoKeyEncrypter',
    );
    expect(resource(kms, 'google_kms_crypto_key_iam_member', 'decrypter').role).toBe(
      'roles/cloudkms.cryptoKeyDecrypter',
    );
    expect(moduleNamed(tree, 'environment').children.kms.inputs).toHaveProperty('encrypters');
    expect(moduleNamed(tree, 'environment').children.kms.inputs).toHaveProperty('decrypters');
    expect(topo.functions.archiveColdData.writes).toEqual(topo.partitioned_tables);
  });
});
