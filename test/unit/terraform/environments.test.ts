/** The dev, staging and prod roots: thin, complete, consistent with the modules they call, differing only in literals. */
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
  topology,
  unresolved,
} from './hcl';

const envDir = (env: string): string => join(TF_DIR, 'environments', env);

/** Top-level assignments of a .tfvars file. */
function tfvars(env: string): Map<string, string> {
  return attributes(stripComments(read(join(envDir(env), 'terraform.tfvars'))));
}

describe.each(ENVIRONMENTS)('terraform/environments/%s', (env) => {
  const dir = envDir(env);
  const main = stripComments(read(join(dir, 'main.tf')));
  const calls = blocks(main, 'module');

  it('has backend, main, variables, outputs, versions and example tfvars', () => {
    const files = ['backend.tf', 'main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'terraform.tfvars'];
    expect(files.filter((f) => !exists(join(dir, f)))).toEqual([]);
  });

  it(`keeps its state in GCS under the prefix fusion-risk/${env}`, () => {
    const backend = stripComments(read(join(dir, 'backend.tf')));
    expect(backend).toMatch(/backend "gcs"/);
    expect(backend).toMatch(new RegExp(`prefix\\s*=\\s*"fusion-risk/${env}"`));
  });

  it('calls every module (topology is read inside the modules that need it)', () => {
    const sources = calls.map((c) => attributes(c.body).get('source'));
    const expected = moduleNames()
      .filter((m) => m !== 'topology')
      .map((m) => `"../../modules/${m}"`);
    expect(sources.sort()).toEqual(expected.sort());
  });

  it('passes each module only declared variables, and every variable that has no default', () => {
    const problems: string[] = [];
    for (const call of calls) {
      const args = attributes(call.body);
      const source = JSON.parse(args.get('source') ?? '""') as string;
      const vars = blocks(stripComments(dirText(resolve(dir, source))), 'variable');
      const declared = new Set(vars.map((v) => v.labels[0]));
      for (const a of args.keys())
        if (a !== 'source' && a !== 'depends_on' && !declared.has(a)) problems.push(`${call.labels[0]}: unknown ${a}`);
      for (const v of vars)
        if (!attributes(v.body).has('default') && !args.has(v.labels[0]))
          problems.push(`${call.labels[0]}: missing ${v.labels[0]}`);
    }
    expect(problems).toEqual([]);
  });

  it('refers only to declared variables, locals and module outputs', () => {
    expect(unresolved(dir)).toEqual([]);
  });

  it('points the modules at the real topology, generated tables and bundle directory', () => {
    const locals = attributes(blocks(main, 'locals')[0]?.body ?? '');
    expect(locals.get('environment')).toBe(`"${env}"`);
    for (const [name, file] of [
      ['topology_path', 'functions/topology.json'],
      ['tables_path', 'terraform/generated/bigquery-tables.json'],
    ]) {
      const path = (locals.get(name) ?? '').replace(/^"\$\{path\.module\}\//, '').replace(/"$/, '');
      expect(resolve(dir, path)).toBe(resolve(TF_DIR, '..', file));
    }
    const bundles = (locals.get('bundle_dir') ?? '').replace(/^"\$\{path\.module\}\//, '').replace(/"$/, '');
    expect(resolve(dir, bundles)).toBe(resolve(TF_DIR, '..', 'dist', 'functions'));
  });

  it('sets every variable without a default in terraform.tfvars, and only declared ones', () => {
    const vars = blocks(stripComments(read(join(dir, 'variables.tf'))), 'variable');
    const declared = new Set(vars.map((v) => v.labels[0]));
    const set = tfvars(env);
    expect([...set.keys()].filter((k) => !declared.has(k))).toEqual([]);
    expect(vars.filter((v) => !attributes(v.body).has('default') && !set.has(v.labels[0])).map((v) => v.labels[0])).toEqual(
      [],
    );
  });

  it('holds no secret value in terraform.tfvars', () => {
    const text = read(join(dir, 'terraform.tfvars'));
    const secretNames = Object.values(topology().functions).flatMap((f) => f.secrets ?? []);
    expect(secretNames.filter((s) => text.includes(s))).toEqual([]);
    expect([...tfvars(env).keys()].filter((k) => /secret|password|token|api_?key|private/i.test(k))).toEqual([]);
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
  });

  it('keeps prod warm: minimum instances only where a cold start would delay prices or margin calls', () => {
    const prod = tfvars('prod').get('min_instances') ?? '';
    expect(prod).toMatch(/ingestPrices\s*=\s*1/);
    expect(tfvars('dev').get('min_instances')).toBe('{}');
  });

  it('every module directory is used', () => {
    const used = new Set(
      [...ENVIRONMENTS.map((e) => dirText(envDir(e))), ...moduleNames().map((m) => dirText(join(MODULES_DIR, m)))]
        .join('\n')
        .match(/modules\/[a-z]+|source\s*=\s*"\.\.\/[a-z]+"/g)
        ?.map((s) => s.replace(/.*[/"]([a-z]+)"?$/, '$1')) ?? [],
    );
    expect(moduleNames().filter((m) => !used.has(m))).toEqual([]);
  });
});
