/**
 * terraform/modules/environment (one environment: every module wired together) and the dev, staging and prod
 * roots that call it: thin, complete, consistent with the modules they call, differing only in literals.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import {
  ENVIRONMENTS,
  MODULES_DIR,
  TF_DIR,
  blocksOf,
  exists,
  labelled,
  localsOf,
  moduleNames,
  parseDir,
  parseHcl,
  read,
  terraform,
  topology,
  unresolved,
  type Body,
} from './hcl';

const envDir = (env: string): string => join(TF_DIR, 'environments', env);
const ENV_MODULE = join(MODULES_DIR, 'environment');
const ROOT_MODULE_SOURCE = '../../modules/environment';
/** The name of the root's one module call. */
const CALL = 'fusion_risk';

/** Top-level assignments of a root's terraform.tfvars. */
function tfvars(env: string): Promise<Body> {
  return parseHcl('terraform.tfvars', read(join(envDir(env), 'terraform.tfvars')));
}

const variablesOf = async (dir: string) => labelled(await parseDir(dir), 'variable');
const callsOf = async (dir: string) => labelled(await parseDir(dir), 'module');

/** Arguments a directory's module calls pass that the called module does not declare, or required ones they omit. */
async function callProblems(dir: string): Promise<string[]> {
  const problems: string[] = [];
  for (const [name, call] of Object.entries(await callsOf(dir))) {
    const vars = await variablesOf(resolve(dir, String(call.source)));
    for (const a of Object.keys(call))
      if (a !== 'source' && a !== 'depends_on' && !(a in vars)) problems.push(`${name}: unknown ${a}`);
    for (const [v, body] of Object.entries(vars))
      if (!('default' in body) && !(v in call)) problems.push(`${name}: missing ${v}`);
  }
  return problems;
}

/** The values the roots' variables had by default before modules/environment held them. */
const FORMER_ROOT_DEFAULTS: Record<string, unknown> = {
  create_firestore_database: true,
  lock_archive_retention: false,
  mv_refresh_interval_minutes: 30,
  min_instances: {},
  max_instances: {},
  pause_schedules: false,
  build_service_account: null,
  alert_emails: [],
  function_environment: {},
  api_invokers: {},
  // Added with the compliance case tool; the defaults a root gets by leaving them unset.
  screen_transaction_callers: [],
  // Added with the lending platform's grants (topology outsideCallers.platform).
  platform_service_accounts: [],
  compliance_case_roles: {},
  compliance_auditors_see_personal_data: false,
  case_sla_hours: { CRITICAL: 4, WARNING: 24, INFO: 72 },
  // Added with the service levels: every attribute unset, so modules/monitoring applies its own defaults.
  service_levels: {
    window_days: null,
    availability_goal: null,
    latency: null,
    price_to_alert_ms: null,
    price_to_alert_goal: null,
  },
};

interface Evaluation {
  /** The root's variables as terraform.tfvars (and -var) set them. */
  given: Record<string, unknown>;
  /** Every input of the environment module as the module sees it (after validation and defaults). */
  effective: Record<string, unknown>;
}

/**
 * Evaluates a root's call of the environment module offline: a scratch copy of the root (its variables, its
 * terraform.tfvars and its module call, in Terraform's JSON syntax) calls a scratch copy of the environment
 * module's variables.tf whose outputs echo every input. The module's resources need the provider registry; its
 * inputs (types, validations, defaults) do not. `edit` may change the module call's arguments.
 */
async function evaluateRoot(
  env: string,
  vars: string[] = [],
  edit: (call: Body) => Body = (c) => c,
): Promise<{ ok: true; value: Evaluation } | { ok: false; stderr: string }> {
  const call = structuredClone((await callsOf(envDir(env)))[CALL]);
  const inputs = Object.keys(await variablesOf(ENV_MODULE));
  const rootVars = Object.keys(await variablesOf(envDir(env)));
  const dir = mkdtempSync(join(tmpdir(), `fr-env-${env}-`));
  try {
    const root = join(dir, 'root');
    const mod = join(dir, 'environment');
    mkdirSync(root);
    mkdirSync(mod);
    copyFileSync(join(ENV_MODULE, 'variables.tf'), join(mod, 'variables.tf'));
    writeFileSync(
      join(mod, 'outputs.tf.json'),
      JSON.stringify({ output: Object.fromEntries(inputs.map((v) => [v, { value: `\${var.${v}}` }])) }),
    );

    copyFileSync(join(envDir(env), 'variables.tf'), join(root, 'variables.tf'));
    copyFileSync(join(envDir(env), 'terraform.tfvars'), join(root, 'terraform.tfvars'));
    expect(call.source).toBe(ROOT_MODULE_SOURCE);
    writeFileSync(
      join(root, 'main.tf.json'),
      JSON.stringify({
        module: { [CALL]: edit({ ...call, source: '../environment' }) },
        output: {
          effective: { value: `\${module.${CALL}}` },
          given: { value: Object.fromEntries(rootVars.map((v) => [v, `\${var.${v}}`])) },
        },
      }),
    );

    const init = terraform(['init', '-no-color', '-input=false'], root);
    if (init.status !== 0) throw new Error(`terraform init failed:\n${init.stdout}\n${init.stderr}`);
    const apply = terraform(
      ['apply', '-no-color', '-input=false', '-auto-approve', ...vars.flatMap((v) => ['-var', v])],
      root,
    );
    if (apply.status !== 0) return { ok: false, stderr: apply.stderr.replace(/\s+/g, ' ') };
    const out = JSON.parse(terraform(['output', '-json'], root).stdout) as Record<string, { value: unknown }>;
    return {
      ok: true,
      value: {
        given: out.given.value as Record<string, unknown>,
        effective: out.effective.value as Record<string, unknown>,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('terraform/modules/environment', () => {
  let config: Body;
  let calls: Record<string, Body>;
  beforeAll(async () => {
    config = await parseDir(ENV_MODULE);
    calls = labelled(config, 'module');
  });

  it('calls every other module once (topology is read inside the modules that need it)', () => {
    // topology and views compute values only; the modules that need them call them. ci (the Cloud Build triggers)
    // is no part of an environment: terraform/ci calls it.
    const expected = moduleNames().filter((m) => !['topology', 'views', 'environment', 'ci'].includes(m));
    expect(
      Object.entries(calls)
        .map(([name, c]) => `${name} ${String(c.source)}`)
        .sort(),
    ).toEqual(expected.map((m) => `${m} ../${m}`).sort());
  });

  it('passes each module only declared variables, and every variable that has no default', async () => {
    expect(Object.keys(calls).length).toBeGreaterThan(0);
    expect(await callProblems(ENV_MODULE)).toEqual([]);
  });

  it('points the modules at the real topology, generated files, contracts and bundle directory from every root', () => {
    const locals = localsOf(config);
    const paths = [
      ['topology_path', 'shared/contracts/topology.json'],
      ['tables_path', 'terraform/generated/bigquery-tables.json'],
      ['views_path', 'shared/contracts/warehouse-views.json'],
      ['generated_views_path', 'terraform/generated/bigquery-views.json'],
      ['retention_path', 'shared/contracts/retention.json'],
      ['bundle_dir', 'dist/functions'],
    ] as const;
    for (const [name, target] of paths) {
      // Anchored at the root module, as the roots had them, so recorded paths (bundle objects' source) are unchanged.
      const value = String(locals[name] ?? '');
      expect({ name, value }).toEqual({ name, value: expect.stringMatching(/^\$\{path\.root\}\/[^$]*$/) });
      const relativePath = value.replace(/^\$\{path\.root\}\//, '');
      for (const env of ENVIRONMENTS)
        expect({ env, name, path: resolve(envDir(env), relativePath) }).toEqual({
          env,
          name,
          path: resolve(TF_DIR, '..', target),
        });
    }
  });

  it('takes the data lifecycle from shared/contracts/retention.json, as the functions do, and hands it on', () => {
    const locals = localsOf(config);
    expect(locals.retention).toBe('${jsondecode(file(local.retention_path))}');
    expect(locals.hot_retention_days).toBe('${local.retention.hotRetentionDays}');
    expect(locals.archive_after_days).toBe('${local.retention.archiveAfterDays}');
    const check = labelled(config, 'check').archive_before_expiry;
    expect(blocksOf(check, 'assert')[0]?.condition).toBe(
      '${local.archive_after_days + local.retention.minArchiveMarginDays <= local.hot_retention_days}',
    );
    expect(calls.warehouse.hot_retention_days).toBe('${local.hot_retention_days}');
    expect(calls.functions.extra_environment).toMatchObject({
      HOT_RETENTION_DAYS: '${tostring(module.warehouse.hot_retention_days)}',
      ARCHIVE_AFTER_DAYS: '${tostring(local.archive_after_days)}',
    });
  });

  it('configures neither a provider nor a backend: each root does', () => {
    expect(config.provider).toBeUndefined();
    expect(blocksOf(config, 'terraform').filter((t) => 'backend' in t)).toEqual([]);
  });

  it('makes optional inputs non-nullable, so that a null passed by a root means the default', async () => {
    const nullableOptional = Object.entries(await variablesOf(ENV_MODULE))
      .filter(([, v]) => 'default' in v && v.default !== null && v.nullable !== false)
      .map(([name]) => name);
    expect(nullableOptional).toEqual([]);
  });

  it.each([
    {
      what: 'an unknown environment',
      vars: [],
      edit: (call: Body): Body => ({ ...call, environment: 'qa' }),
      message: /environment must be one of dev, staging, prod/,
    },
    {
      what: 'an invalid project id',
      vars: ['project_id=Fusion_Risk'],
      edit: undefined,
      message: /project_id must be a valid Google Cloud project id/,
    },
    {
      what: 'a region that is not one',
      vars: ['region=europe'],
      edit: undefined,
      message: /region must be a Google Cloud region/,
    },
    {
      what: 'a build service account that is not a resource name',
      vars: ['build_service_account=builder@example.iam.gserviceaccount.com'],
      edit: undefined,
      message: /build_service_account must be projects\/<project>\/serviceAccounts\/<email>/,
    },
    {
      what: 'a compliance case role that is not one',
      vars: ['compliance_case_roles={"ann@bank.example"=["officer","boss"]}'],
      edit: undefined,
      message: /compliance_case_roles values must be non-empty lists of officer, senior_officer and auditor/,
    },
    {
      what: 'a compliance case user that is not an e-mail',
      vars: ['compliance_case_roles={"ann"=["officer"]}'],
      edit: undefined,
      message: /compliance_case_roles keys must be e-mail addresses/,
    },
    {
      what: 'a screenTransaction caller given as an IAM member instead of an e-mail',
      vars: ['screen_transaction_callers=["serviceAccount:lending@fusion-risk-dev.iam.gserviceaccount.com"]'],
      edit: undefined,
      message: /screen_transaction_callers must be service account e-mails/,
    },
    {
      what: 'a platform service account given as an IAM member instead of an e-mail',
      vars: ['platform_service_accounts=["serviceAccount:lending@fusion-risk-dev.iam.gserviceaccount.com"]'],
      edit: undefined,
      message: /platform_service_accounts must be service account e-mails/,
    },
    {
      what: "checkRisk's callers set through function_environment (they are its run.invoker members)",
      vars: [
        'function_environment={"checkRisk"={"RISK_CHECK_CALLERS"="lending@fusion-risk-dev.iam.gserviceaccount.com"}}',
      ],
      edit: undefined,
      message: /function_environment must not set .*RISK_CHECK_CALLERS: .*platform_service_accounts/,
    },
    {
      what: 'a case deadline for an unknown severity',
      vars: ['case_sla_hours={"URGENT"=2}'],
      edit: undefined,
      message: /case_sla_hours keys must be CRITICAL, WARNING or INFO/,
    },
    {
      what: 'a rendered case setting set through function_environment',
      vars: [
        'function_environment={"complianceCases"={"COMPLIANCE_CASES_ROLES"="ann@bank.example=auditor"}}',
      ],
      edit: undefined,
      message:
        /function_environment must not set CASE_SLA_HOURS, SCREEN_TRANSACTION_CALLERS, COMPLIANCE_CASES_ROLES/,
    },
    {
      what: 'a null deletion_protection (required inputs are not nullable)',
      vars: [],
      edit: (call: Body): Body => {
        expect(call.deletion_protection).toBe('${var.deletion_protection}');
        return { ...call, deletion_protection: null };
      },
      message: /module\.fusion_risk\.var\.deletion_protection .*required variable may not be set to null/,
    },
  ])(
    'refuses $what (checked by evaluating its inputs offline from the dev root)',
    async ({ vars, edit, message }) => {
      const result = await evaluateRoot('dev', vars, edit);
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.stderr).toMatch(message);
    },
  );
});

describe.each(ENVIRONMENTS)('terraform/environments/%s', (env) => {
  const dir = envDir(env);
  let root: Body;
  let args: Body;
  let set: Body;
  beforeAll(async () => {
    root = await parseDir(dir);
    args = labelled(root, 'module')[CALL] ?? {};
    set = await tfvars(env);
  });

  it('has backend, main, variables, outputs, versions and example tfvars', () => {
    const files = ['backend.tf', 'main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'terraform.tfvars'];
    expect(files.filter((f) => !exists(join(dir, f)))).toEqual([]);
  });

  it(`keeps its state in GCS under the prefix fusion-risk/${env}`, async () => {
    const backend = blocksOf(await parseHcl('backend.tf', read(join(dir, 'backend.tf'))), 'terraform');
    expect(backend.map((t) => labelled(t, 'backend').gcs?.prefix)).toEqual([`fusion-risk/${env}`]);
  });

  it(`configures the google provider and calls only modules/environment, as environment "${env}"`, async () => {
    const versions = await parseHcl('versions.tf', read(join(dir, 'versions.tf')));
    const provider = labelled(versions, 'provider');
    expect(Object.keys(provider)).toEqual(['google']);
    expect(provider.google.project).toBe('${var.project_id}');
    expect(provider.google.region).toBe('${var.region}');
    expect(Object.entries(labelled(root, 'module')).map(([name, c]) => [name, c.source])).toEqual([
      [CALL, ROOT_MODULE_SOURCE],
    ]);
    expect(args.environment).toBe(env);
    expect(root.resource).toBeUndefined();
    expect(root.data).toBeUndefined();
    expect(root.locals).toBeUndefined();
  });

  it('passes the environment module only declared variables, and every variable that has no default', async () => {
    expect(await callProblems(dir)).toEqual([]);
  });

  it('passes every root variable through under its own name, and sets every input of the environment module', async () => {
    const rootVars = Object.keys(labelled(root, 'variable'));
    const passed = Object.keys(args).filter((a) => a !== 'source' && a !== 'environment');
    expect(passed.sort()).toEqual([...rootVars].sort());
    expect(passed.filter((a) => args[a] !== `\${var.${a}}`)).toEqual([]);
    const inputs = Object.keys(await variablesOf(ENV_MODULE));
    expect(inputs.filter((i) => !(i in args))).toEqual([]);
  });

  it('declares each variable with the type of the environment module input it feeds', async () => {
    const moduleVars = await variablesOf(ENV_MODULE);
    const mismatched = Object.entries(labelled(root, 'variable'))
      .map(([name, v]) => [name, v.type] as const)
      .filter(([name, type]) => type === undefined || moduleVars[name]?.type !== type);
    expect(mismatched).toEqual([]);
  });

  it('refers only to declared variables, locals and module outputs', async () => {
    expect(await unresolved(dir)).toEqual([]);
  });

  it('re-exports every output of the environment module under its own name', async () => {
    const outputs = labelled(await parseHcl('outputs.tf', read(join(dir, 'outputs.tf'))), 'output');
    const moduleOutputs = Object.keys(labelled(await parseDir(ENV_MODULE), 'output'));
    expect(Object.keys(outputs).sort()).toEqual([...moduleOutputs].sort());
    expect(
      Object.entries(outputs)
        .filter(([name, o]) => o.value !== `\${module.${CALL}.${name}}`)
        .map(([name]) => name),
    ).toEqual([]);
  });

  it('sets every variable without a default in terraform.tfvars, and only declared ones', () => {
    const vars = labelled(root, 'variable');
    expect(Object.keys(set).filter((k) => !(k in vars))).toEqual([]);
    expect(
      Object.entries(vars)
        .filter(([name, v]) => !('default' in v) && !(name in set))
        .map(([name]) => name),
    ).toEqual([]);
  });

  it('hands the environment module the values terraform.tfvars sets, and the former defaults for the rest', async () => {
    const result = await evaluateRoot(env);
    expect(result.ok ? '' : result.stderr).toBe('');
    if (!result.ok) return;
    const { given, effective } = result.value;
    const expected = Object.fromEntries(
      Object.entries(given).map(([k, v]) => [
        k,
        v ?? (k in FORMER_ROOT_DEFAULTS ? FORMER_ROOT_DEFAULTS[k] : v),
      ]),
    );
    expect(effective).toEqual({ ...expected, environment: env });
    expect(given.project_id).toBe(`fusion-risk-${env}`);
  });

  it('holds no secret value in terraform.tfvars', () => {
    const text = read(join(dir, 'terraform.tfvars'));
    const secretNames = Object.values(topology().functions).flatMap((f) => f.secrets ?? []);
    expect(secretNames.filter((s) => text.includes(s))).toEqual([]);
    expect(Object.keys(set).filter((k) => /secret|password|token|api_?key|private/i.test(k))).toEqual([]);
  });

  it('names only topology functions in instance overrides', () => {
    const names = new Set(Object.keys(topology().functions));
    const keys = ['min_instances', 'max_instances'].flatMap((v) =>
      Object.keys((set[v] as Record<string, number> | undefined) ?? {}).map((k) => `${v}.${k}`),
    );
    expect(keys.filter((k) => !names.has(k.split('.')[1]))).toEqual([]);
  });
});

describe('environment roots together', () => {
  it('differ only in literals: every .tf file is the same but for the environment name', () => {
    for (const file of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'backend.tf']) {
      const normalised = ENVIRONMENTS.map((env) =>
        read(join(envDir(env), file)).replace(new RegExp(`\\b${env}\\b`, 'g'), '<env>'),
      );
      expect({ file, same: new Set(normalised).size }).toEqual({ file, same: 1 });
    }
  });

  it('protects data in staging and prod, not in dev, and leaves the irreversible archive lock off by default', async () => {
    const sets = await Promise.all(ENVIRONMENTS.map(tfvars));
    expect(sets.map((s) => s.deletion_protection)).toEqual([false, true, true]);
    expect(sets.map((s) => s.lock_archive_retention)).toEqual([false, false, false]);
    expect((await variablesOf(ENV_MODULE)).lock_archive_retention.default).toBe(false);
  });

  it('keeps prod warm: minimum instances only where a cold start would delay prices or margin calls', async () => {
    expect((await tfvars('prod')).min_instances).toMatchObject({ ingestPrices: 1 });
    expect((await tfvars('dev')).min_instances).toEqual({});
  });

  it('every module directory is used', async () => {
    // terraform/ci (the Cloud Build triggers) is a root too.
    const dirs = [
      ...ENVIRONMENTS.map(envDir),
      join(TF_DIR, 'ci'),
      ...moduleNames().map((m) => join(MODULES_DIR, m)),
    ];
    const used = new Set<string>();
    for (const d of dirs)
      for (const call of Object.values(labelled(await parseDir(d), 'module')))
        used.add(relative(MODULES_DIR, resolve(d, String(call.source))));
    expect(moduleNames().filter((m) => !used.has(m))).toEqual([]);
  });
});
