/**
 * terraform/modules/environment (one environment: every module wired together) and the dev, staging and prod
 * roots that call it: thin, complete, consistent with the modules they call, differing only in literals.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ENVIRONMENTS,
  MODULES_DIR,
  TF_DIR,
  attributes,
  blocks,
  dirText,
  exists,
  moduleNames,
  read,
  stripComments,
  terraform,
  topology,
  unresolved,
} from './hcl';

const envDir = (env: string): string => join(TF_DIR, 'environments', env);
const ENV_MODULE = join(MODULES_DIR, 'environment');
const ROOT_MODULE_SOURCE = '../../modules/environment';
/** The name of the root's one module call. */
const CALL = 'fusion_risk';

/** Top-level assignments of a .tfvars file. */
function tfvars(env: string): Map<string, string> {
  return attributes(stripComments(read(join(envDir(env), 'terraform.tfvars'))));
}

const variablesOf = (dir: string) => blocks(stripComments(dirText(dir)), 'variable');
const callsOf = (dir: string) => blocks(stripComments(dirText(dir)), 'module');
const sourceOf = (call: { body: string }): string =>
  JSON.parse(attributes(call.body).get('source') ?? '""') as string;

/** Arguments a directory's module calls pass that the called module does not declare, or required ones they omit. */
function callProblems(dir: string): string[] {
  const problems: string[] = [];
  for (const call of callsOf(dir)) {
    const args = attributes(call.body);
    const vars = variablesOf(resolve(dir, sourceOf(call)));
    const declared = new Set(vars.map((v) => v.labels[0]));
    for (const a of args.keys())
      if (a !== 'source' && a !== 'depends_on' && !declared.has(a))
        problems.push(`${call.labels[0]}: unknown ${a}`);
    for (const v of vars)
      if (!attributes(v.body).has('default') && !args.has(v.labels[0]))
        problems.push(`${call.labels[0]}: missing ${v.labels[0]}`);
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
};

interface Evaluation {
  /** The root's variables as terraform.tfvars (and -var) set them. */
  given: Record<string, unknown>;
  /** Every input of the environment module as the module sees it (after validation and defaults). */
  effective: Record<string, unknown>;
}

/**
 * Evaluates a root's call of the environment module offline: a scratch copy of the root (its variables, its
 * terraform.tfvars and its module call) calls a scratch copy of the environment module's
 * variables.tf whose outputs echo every input. The module's resources need the provider registry; its inputs
 * (types, validations, defaults) do not. `edit` may rewrite the module call.
 */
function evaluateRoot(
  env: string,
  vars: string[] = [],
  edit: (call: string) => string = (c) => c,
): { ok: true; value: Evaluation } | { ok: false; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), `fr-env-${env}-`));
  try {
    const root = join(dir, 'root');
    const mod = join(dir, 'environment');
    mkdirSync(root);
    mkdirSync(mod);
    copyFileSync(join(ENV_MODULE, 'variables.tf'), join(mod, 'variables.tf'));
    const inputs = variablesOf(ENV_MODULE).map((v) => v.labels[0]);
    writeFileSync(
      join(mod, 'outputs.tf'),
      inputs.map((v) => `output "${v}" {\n  value = var.${v}\n}\n`).join('\n'),
    );

    copyFileSync(join(envDir(env), 'variables.tf'), join(root, 'variables.tf'));
    copyFileSync(join(envDir(env), 'terraform.tfvars'), join(root, 'terraform.tfvars'));
    const rootMain = read(join(envDir(env), 'main.tf'));
    const call = /^module "[^"]+" \{\n[\s\S]*?^\}$/m.exec(rootMain)?.[0] ?? '';
    const rootVars = variablesOf(envDir(env)).map((v) => v.labels[0]);
    writeFileSync(
      join(root, 'main.tf'),
      `${edit(call.replace(`"${ROOT_MODULE_SOURCE}"`, '"../environment"'))}

output "effective" {
  value = module.${CALL}
}

output "given" {
  value = {
${rootVars.map((v) => `    ${v} = var.${v}`).join('\n')}
  }
}
`,
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
  const text = stripComments(dirText(ENV_MODULE));
  const calls = callsOf(ENV_MODULE);

  it('calls every other module once (topology is read inside the modules that need it)', () => {
    // topology and views compute values only; the modules that need them call them.
    const expected = moduleNames()
      .filter((m) => !['topology', 'views', 'environment'].includes(m))
      .map((m) => `../${m}`);
    expect(calls.map(sourceOf).sort()).toEqual(expected.sort());
    expect(calls.map((c) => c.labels[0]).sort()).toEqual(expected.map((s) => s.replace('../', '')).sort());
  });

  it('passes each module only declared variables, and every variable that has no default', () => {
    expect(calls.length).toBeGreaterThan(0);
    expect(callProblems(ENV_MODULE)).toEqual([]);
  });

  it('points the modules at the real topology, generated tables and bundle directory from every root', () => {
    const locals = attributes(blocks(text, 'locals')[0]?.body ?? '');
    const paths = [
      ['topology_path', 'functions/topology.json'],
      ['tables_path', 'terraform/generated/bigquery-tables.json'],
      ['bundle_dir', 'dist/functions'],
    ] as const;
    for (const [name, target] of paths) {
      // Anchored at the root module, as the roots had them, so recorded paths (bundle objects' source) are unchanged.
      const value = locals.get(name) ?? '';
      expect({ name, value }).toEqual({ name, value: expect.stringMatching(/^"\$\{path\.root\}\/[^$]*"$/) });
      const relativePath = value.replace(/^"\$\{path\.root\}\//, '').replace(/"$/, '');
      for (const env of ENVIRONMENTS)
        expect({ env, name, path: resolve(envDir(env), relativePath) }).toEqual({
          env,
          name,
          path: resolve(TF_DIR, '..', target),
        });
    }
  });

  it('configures neither a provider nor a backend: each root does', () => {
    expect(blocks(text, 'provider')).toEqual([]);
    expect(text).not.toMatch(/\bbackend\s+"/);
  });

  it('makes optional inputs non-nullable, so that a null passed by a root means the default', () => {
    const nullableOptional = variablesOf(ENV_MODULE)
      .filter((v) => {
        const attrs = attributes(v.body);
        return attrs.has('default') && attrs.get('default') !== 'null' && attrs.get('nullable') !== 'false';
      })
      .map((v) => v.labels[0]);
    expect(nullableOptional).toEqual([]);
  });

  const same = (call: string): string => call;
  it.each([
    {
      what: 'an unknown environment',
      vars: [],
      edit: (call: string) => call.replace(/environment = "[a-z]+"/, 'environment = "qa"'),
      message: /environment must be one of dev, staging, prod/,
    },
    {
      what: 'an invalid project id',
      vars: ['project_id=Fusion_Risk'],
      edit: same,
      message: /project_id must be a valid Google Cloud project id/,
    },
    {
      what: 'a region that is not one',
      vars: ['region=europe'],
      edit: same,
      message: /region must be a Google Cloud region/,
    },
    {
      what: 'a build service account that is not a resource name',
      vars: ['build_service_account=builder@example.iam.gserviceaccount.com'],
      edit: same,
      message: /build_service_account must be projects\/<project>\/serviceAccounts\/<email>/,
    },
    {
      what: 'a null deletion_protection (required inputs are not nullable)',
      vars: [],
      edit: (call: string) =>
        call.replace(/deletion_protection\s*=\s*var\.deletion_protection/, 'deletion_protection = null'),
      message: /module\.fusion_risk\.var\.deletion_protection .*required variable may not be set to null/,
    },
  ])(
    'refuses $what (checked by evaluating its inputs offline from the dev root)',
    ({ vars, edit, message }) => {
      const result = evaluateRoot('dev', vars, edit);
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.stderr).toMatch(message);
    },
  );
});

describe.each(ENVIRONMENTS)('terraform/environments/%s', (env) => {
  const dir = envDir(env);
  const main = stripComments(read(join(dir, 'main.tf')));
  const calls = blocks(main, 'module');
  const args = attributes(calls[0]?.body ?? '');

  it('has backend, main, variables, outputs, versions and example tfvars', () => {
    const files = ['backend.tf', 'main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'terraform.tfvars'];
    expect(files.filter((f) => !exists(join(dir, f)))).toEqual([]);
  });

  it(`keeps its state in GCS under the prefix fusion-risk/${env}`, () => {
    const backend = stripComments(read(join(dir, 'backend.tf')));
    expect(backend).toMatch(/backend "gcs"/);
    expect(backend).toMatch(new RegExp(`prefix\\s*=\\s*"fusion-risk/${env}"`));
  });

  it(`configures the google provider and calls only modules/environment, as environment "${env}"`, () => {
    const provider = blocks(stripComments(read(join(dir, 'versions.tf'))), 'provider');
    expect(provider.map((p) => p.labels[0])).toEqual(['google']);
    expect(attributes(provider[0]?.body ?? '').get('project')).toBe('var.project_id');
    expect(attributes(provider[0]?.body ?? '').get('region')).toBe('var.region');
    expect(calls.map((c) => [c.labels[0], sourceOf(c)])).toEqual([[CALL, ROOT_MODULE_SOURCE]]);
    expect(args.get('environment')).toBe(`"${env}"`);
    expect(blocks(main, 'resource')).toEqual([]);
    expect(blocks(main, 'locals')).toEqual([]);
  });

  it('passes the environment module only declared variables, and every variable that has no default', () => {
    expect(callProblems(dir)).toEqual([]);
  });

  it('passes every root variable through under its own name, and sets every input of the environment module', () => {
    const rootVars = variablesOf(dir).map((v) => v.labels[0]);
    const passed = [...args.keys()].filter((a) => a !== 'source' && a !== 'environment');
    expect(passed.sort()).toEqual([...rootVars].sort());
    expect(passed.filter((a) => args.get(a) !== `var.${a}`)).toEqual([]);
    const inputs = variablesOf(ENV_MODULE).map((v) => v.labels[0]);
    expect(inputs.filter((i) => !args.has(i))).toEqual([]);
  });

  it('declares each variable with the type of the environment module input it feeds', () => {
    const moduleTypes = new Map(
      variablesOf(ENV_MODULE).map((v) => [v.labels[0], attributes(v.body).get('type')]),
    );
    const mismatched = variablesOf(dir)
      .map((v) => [v.labels[0], attributes(v.body).get('type')] as const)
      .filter(([name, type]) => type === undefined || moduleTypes.get(name) !== type);
    expect(mismatched).toEqual([]);
  });

  it('refers only to declared variables, locals and module outputs', () => {
    expect(unresolved(dir)).toEqual([]);
  });

  it('re-exports every output of the environment module under its own name', () => {
    const outputs = blocks(stripComments(read(join(dir, 'outputs.tf'))), 'output');
    const moduleOutputs = blocks(stripComments(dirText(ENV_MODULE)), 'output').map((o) => o.labels[0]);
    expect(outputs.map((o) => o.labels[0]).sort()).toEqual([...moduleOutputs].sort());
    expect(
      outputs
        .filter((o) => attributes(o.body).get('value') !== `module.${CALL}.${o.labels[0]}`)
        .map((o) => o.labels[0]),
    ).toEqual([]);
  });

  it('sets every variable without a default in terraform.tfvars, and only declared ones', () => {
    const vars = variablesOf(dir);
    const declared = new Set(vars.map((v) => v.labels[0]));
    const set = tfvars(env);
    expect([...set.keys()].filter((k) => !declared.has(k))).toEqual([]);
    expect(
      vars.filter((v) => !attributes(v.body).has('default') && !set.has(v.labels[0])).map((v) => v.labels[0]),
    ).toEqual([]);
  });

  it('hands the environment module the values terraform.tfvars sets, and the former defaults for the rest', () => {
    const result = evaluateRoot(env);
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
    expect([...tfvars(env).keys()].filter((k) => /secret|password|token|api_?key|private/i.test(k))).toEqual(
      [],
    );
  });

  it('names only topology functions in instance overrides', () => {
    const names = new Set(Object.keys(topology().functions));
    const set = tfvars(env);
    const keys = ['min_instances', 'max_instances'].flatMap((v) =>
      [...attributes((set.get(v) ?? '{}').replace(/^\{|\}$/g, '')).keys()].map((k) => `${v}.${k}`),
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

  it('protects data in staging and prod, not in dev, and leaves the irreversible archive lock off by default', () => {
    expect(ENVIRONMENTS.map((e) => tfvars(e).get('deletion_protection'))).toEqual(['false', 'true', 'true']);
    for (const env of ENVIRONMENTS) expect(tfvars(env).get('lock_archive_retention')).toBe('false');
    const lock = variablesOf(ENV_MODULE).find((v) => v.labels[0] === 'lock_archive_retention');
    expect(attributes(lock?.body ?? '').get('default')).toBe('false');
  });

  it('keeps prod warm: minimum instances only where a cold start would delay prices or margin calls', () => {
    const prod = tfvars('prod').get('min_instances') ?? '';
    expect(prod).toMatch(/ingestPrices\s*=\s*1/);
    expect(tfvars('dev').get('min_instances')).toBe('{}');
  });

  it('every module directory is used', () => {
    const used = new Set(
      [
        ...ENVIRONMENTS.map((e) => dirText(envDir(e))),
        ...moduleNames().map((m) => dirText(join(MODULES_DIR, m))),
      ]
        .join('\n')
        .match(/modules\/[a-z]+|source\s*=\s*"\.\.\/[a-z]+"/g)
        ?.map((s) => s.replace(/.*[/"]([a-z]+)"?$/, '$1')) ?? [],
    );
    expect(moduleNames().filter((m) => !used.has(m))).toEqual([]);
  });
});
