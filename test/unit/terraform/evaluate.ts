/**
 * Evaluates a provider-free module (topology, views) for real: `terraform apply` of a scratch root that calls it
 * and outputs it, with local state. Works offline because such modules need no provider.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { MODULES_DIR, ROOT, TF_DIR, labelled, localsOf, parseDir, terraform } from './hcl';

export type Evaluation<T> = { ok: true; value: T } | { ok: false; stderr: string };

/** args: module argument => value (JSON-encoded into HCL, which accepts JSON literals). */
export function evaluateModule<T>(module: string, args: Record<string, unknown>): Evaluation<T> {
  const dir = mkdtempSync(join(tmpdir(), `fr-${module}-`));
  try {
    const source = relative(dir, join(MODULES_DIR, module)).split('\\').join('/');
    const lines = Object.entries(args).map(([k, v]) => `  ${k} = ${JSON.stringify(v)}`);
    writeFileSync(
      join(dir, 'main.tf'),
      `module "m" {\n  source = ${JSON.stringify(source)}\n${lines.join('\n')}\n}\n\noutput "m" {\n  value = module.m\n}\n`,
    );
    const init = terraform(['init', '-no-color', '-input=false'], dir);
    if (init.status !== 0) throw new Error(`terraform init failed:\n${init.stdout}\n${init.stderr}`);
    const apply = terraform(['apply', '-no-color', '-input=false', '-auto-approve'], dir);
    if (apply.status !== 0) return { ok: false, stderr: apply.stderr.replace(/\s+/g, ' ') };
    return { ok: true, value: JSON.parse(terraform(['output', '-json', 'm'], dir).stdout) as T };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Evaluates the locals of a module that needs a provider for its resources: a scratch module made of the module's
 * variables.tf, its locals and its calls of provider-free modules (sources made absolute), written in Terraform's
 * JSON syntax from the parsed configuration, whose outputs are the named locals. What the resources iterate over
 * (for_each = local.x) is thereby computed offline. `expressions` (output name => HCL expression over the module's
 * variables and locals, e.g. a resource argument with each.value replaced) are evaluated alongside.
 */
export async function evaluateLocals<T>(
  module: string,
  args: Record<string, unknown>,
  names: string[],
  expressions: Record<string, string> = {},
  /**
   * Only these locals (and no module call): for a module whose other locals read files relative to the root or
   * call modules that need a provider (modules/environment). They must refer only to variables and each other.
   */
  only?: string[],
): Promise<Evaluation<T>> {
  const src = join(MODULES_DIR, module);
  const config = await parseDir(src);
  const calls = only
    ? {}
    : Object.fromEntries(
        Object.entries(labelled(config, 'module')).map(([name, call]) => [
          name,
          { ...call, source: join(src, String(call.source)) },
        ]),
      );
  const locals = only
    ? Object.fromEntries(Object.entries(localsOf(config)).filter(([k]) => only.includes(k)))
    : localsOf(config);
  const dir = mkdtempSync(join(tmpdir(), `fr-locals-${module}-`));
  try {
    mkdirSync(join(dir, 'mod'));
    copyFileSync(join(src, 'variables.tf'), join(dir, 'mod', 'variables.tf'));
    writeFileSync(
      join(dir, 'mod', 'main.tf.json'),
      JSON.stringify({
        locals,
        ...(Object.keys(calls).length > 0 ? { module: calls } : {}),
        output: {
          ...Object.fromEntries(names.map((n) => [n, { value: `\${local.${n}}` }])),
          ...Object.fromEntries(Object.entries(expressions).map(([n, e]) => [n, { value: `\${${e}}` }])),
        },
      }),
    );
    const lines = Object.entries(args).map(([k, v]) => `  ${k} = ${JSON.stringify(v)}`);
    writeFileSync(
      join(dir, 'main.tf'),
      `module "m" {\n  source = "./mod"\n${lines.join('\n')}\n}\n\noutput "m" {\n  value = module.m\n}\n`,
    );
    const init = terraform(['init', '-no-color', '-input=false'], dir);
    if (init.status !== 0) throw new Error(`terraform init failed:\n${init.stdout}\n${init.stderr}`);
    const apply = terraform(['apply', '-no-color', '-input=false', '-auto-approve'], dir);
    if (apply.status !== 0) return { ok: false, stderr: apply.stderr.replace(/\s+/g, ' ') };
    return { ok: true, value: JSON.parse(terraform(['output', '-json', 'm'], dir).stdout) as T };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The arguments modules/functions requires, for evaluating its locals offline in environment `environment` of
 * project `project`: the real topology and generated files, no deployed resources (their ids are empty maps).
 */
export function functionsModuleArgs(project: string, environment: string): Record<string, unknown> {
  return {
    project_id: project,
    region: 'europe-west1',
    environment,
    topology_path: join(ROOT, 'shared', 'contracts', 'topology.json'),
    tables_path: join(TF_DIR, 'generated', 'bigquery-tables.json'),
    views_path: join(ROOT, 'shared', 'contracts', 'warehouse-views.json'),
    bundle_dir: join(ROOT, 'dist', 'functions'),
    bucket_prefix: project,
    topic_ids: {},
    secret_ids: {},
    dataset_ids: {},
    warehouse_tables: {},
    bigquery_location: 'EU',
  };
}
