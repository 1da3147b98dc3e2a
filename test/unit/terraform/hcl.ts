/**
 * The Terraform tests' one HCL reader: @cdktf/hcl2json (HashiCorp's own HCL parser, compiled to WASM; it works
 * offline) renders a file or a module directory as data, and its expression parser finds the references in each
 * expression. Offline, the provider registry is unreachable, so `terraform validate` cannot run; with these the
 * tests check what validate would (references, module arguments) plus the project's own rules. Also here: the
 * paths, files and terraform binary the tests share.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

interface Hcl2Json {
  parse: (filename: string, text: string) => Promise<Record<string, unknown>>;
  getExpressionAst: (filename: string, expression: string) => Promise<ExpressionNode | null>;
}

let bridge: Hcl2Json | undefined;
/**
 * Loaded on first use: loading starts a Go WASM runtime, which test files that parse no HCL should not start.
 * Required, not imported: the package's typings pull the DOM library into the whole program.
 */
function hcl2json(): Hcl2Json {
  if (!bridge) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    bridge = require('@cdktf/hcl2json') as Hcl2Json;
    // The package creates its Go runtime after a tick, from this class. The runtime's own timers would keep a Jest
    // worker alive once its test files are done: unref them (they still fire while the worker runs).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@cdktf/hcl2json/wasm/bridge_wasm_exec.js');
    const g = globalThis as unknown as { Go: new () => { _scheduledTimeouts: Map<number, NodeJS.Timeout> } };
    const Go = g.Go;
    g.Go = class extends Go {
      constructor() {
        super();
        const timers = this._scheduledTimeouts;
        const set = timers.set.bind(timers);
        timers.set = (id, timer) => set(id, timer.unref());
      }
    };
  }
  return bridge;
}

interface ExpressionNode {
  type: string;
  meta: { traversal?: { type: string; segment?: string }[] };
  children?: ExpressionNode[];
}

export const ROOT = join(__dirname, '..', '..', '..');
export const TF_DIR = join(ROOT, 'terraform');
export const MODULES_DIR = join(TF_DIR, 'modules');
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

/**
 * A block body or a whole configuration as hcl2json renders it: attributes are JSON values, or strings holding
 * the expression as a template ("${var.x}"); nested blocks are arrays of bodies; labelled blocks are keyed by
 * their labels first (resource => type => name => [body]).
 */
export type Body = Record<string, unknown>;

export function parseHcl(filename: string, text: string): Promise<Body> {
  return hcl2json().parse(filename, text);
}

const dirs = new Map<string, Promise<Body>>();

/** The .tf files of one module or root directory (links followed), parsed together as Terraform loads them. */
export function parseDir(dir: string): Promise<Body> {
  const key = resolve(dir);
  let parsed = dirs.get(key);
  if (!parsed) {
    parsed = parseHcl(`${relative(ROOT, key)}/*.tf`, dirText(key));
    dirs.set(key, parsed);
  }
  return parsed;
}

/** Bodies of the unlabelled blocks of a type (terraform, locals, moved, ...). */
export function blocksOf(config: Body, type: string): Body[] {
  return (config[type] as Body[] | undefined) ?? [];
}

/** Single-label blocks of a type (variable, output, module, check) by label: the first body of each. */
export function labelled(config: Body, type: string): Record<string, Body> {
  const byLabel = (config[type] as Record<string, Body[]> | undefined) ?? {};
  return Object.fromEntries(Object.entries(byLabel).map(([label, bodies]) => [label, bodies[0]]));
}

/** Two-label blocks (resource, data): type => name => body. */
export function resourcesOf(
  config: Body,
  kind: 'resource' | 'data' = 'resource',
): Record<string, Record<string, Body>> {
  const byType = (config[kind] as Record<string, Record<string, Body[]>> | undefined) ?? {};
  return Object.fromEntries(
    Object.entries(byType).map(([type, byName]) => [
      type,
      Object.fromEntries(Object.entries(byName).map(([name, bodies]) => [name, bodies[0]])),
    ]),
  );
}

/** Every local value of a configuration (all locals blocks). */
export function localsOf(config: Body): Body {
  return Object.assign({}, ...blocksOf(config, 'locals')) as Body;
}

/** Nested block of a body (the first one), e.g. block(resource, 'service_config'). */
export function block(body: Body | undefined, name: string): Body | undefined {
  const b = body?.[name];
  return Array.isArray(b) ? (b[0] as Body) : undefined;
}

/** The content of a `dynamic "<name>"` block of a body (hcl2json keys dynamic blocks by their label). */
export function dynamicContent(body: Body | undefined, name: string): Body | undefined {
  return block(block(body?.dynamic as Body | undefined, name), 'content');
}

/** Every value of an attribute named `key`, at any depth (e.g. every role a module grants). */
export function valuesOf(value: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const v of value) valuesOf(v, key, out);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if (k === key) out.push(v);
      valuesOf(v, key, out);
    }
  return out;
}

function templates(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (/[$%]\{/.test(value)) out.push(value);
  } else if (Array.isArray(value)) for (const v of value) templates(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) templates(v, out);
  return out;
}

function traversals(node: ExpressionNode | null | undefined, out: string[][]): string[][] {
  if (!node) return out;
  if (node.type === 'scopeTraversal') {
    const names: string[] = [];
    for (const part of node.meta.traversal ?? []) {
      if (part.type !== 'nameTraversal' || part.segment === undefined) break;
      names.push(part.segment);
    }
    out.push(names);
  }
  for (const child of node.children ?? []) traversals(child, out);
  return out;
}

/**
 * Every reference (its leading attribute names, e.g. ['module', 'views', 'rolling_views']) in the expressions of
 * a value: HCL's own parser reads each template, so literal text and comments are never taken for references.
 */
export async function references(value: unknown): Promise<string[][]> {
  const out: string[][] = [];
  for (const t of templates(value)) {
    const ast = await hcl2json().getExpressionAst('expression.tf', `<<EOT_TEMPLATE\n${t}\nEOT_TEMPLATE\n`);
    traversals(ast, out);
  }
  return out;
}

/**
 * Every var., local., module.<name>.<output>, data. and google_ resource reference of a directory's configuration
 * that resolves nowhere (what `terraform validate` would report as undeclared), including module outputs the
 * called module does not declare. moved/removed blocks name addresses, not expressions, and are skipped.
 */
export async function unresolved(dir: string): Promise<string[]> {
  const config = await parseDir(dir);
  const variables = new Set(Object.keys(labelled(config, 'variable')));
  const locals = new Set(Object.keys(localsOf(config)));
  const declared = (kind: 'resource' | 'data') =>
    new Set(
      Object.entries(resourcesOf(config, kind)).flatMap(([type, byName]) =>
        Object.keys(byName).map((name) => `${type}.${name}`),
      ),
    );
  const resources = declared('resource');
  const data = declared('data');
  const modules = new Map<string, Set<string>>();
  for (const [name, call] of Object.entries(labelled(config, 'module')))
    modules.set(
      name,
      new Set(Object.keys(labelled(await parseDir(resolve(dir, String(call.source))), 'output'))),
    );

  const expressions = Object.fromEntries(
    Object.entries(config).filter(([type]) => type !== 'moved' && type !== 'removed'),
  );
  const missing: string[] = [];
  for (const [root, a, b] of await references(expressions)) {
    if (root === 'var' && !variables.has(a)) missing.push(`var.${a}`);
    else if (root === 'local' && !locals.has(a)) missing.push(`local.${a}`);
    else if (root === 'module' && !modules.get(a)?.has(b)) missing.push(`module.${a}.${b}`);
    else if (root === 'data' && !data.has(`${a}.${b}`)) missing.push(`data.${a}.${b}`);
    else if (root.startsWith('google_') && !resources.has(`${root}.${a}`)) missing.push(`${root}.${a}`);
  }
  return [...new Set(missing)].sort();
}

// ---------------------------------------------------------------------------------------------------------------
// A root as `terraform plan` loads it: every module instance, followed through its module calls.
// ---------------------------------------------------------------------------------------------------------------

export interface ModuleNode {
  /** Address as in plans: module.fusion_risk.module.functions */
  address: string;
  dir: string;
  /** resource type => name => body */
  resources: Record<string, Record<string, Body>>;
  locals: Record<string, unknown>;
  /** Argument values the caller passed, already resolved where they are file paths or literals. */
  inputs: Record<string, unknown>;
  children: Record<string, ModuleNode>;
}

/**
 * Resolves an expression when it is made of literals, var., local. and path. references only (file paths);
 * anything else (resource attributes, module outputs, functions) stays undefined.
 */
export function resolveExpression(
  expr: unknown,
  scope: { vars: Record<string, unknown>; locals: Record<string, unknown>; root: string; module: string },
): unknown {
  if (typeof expr !== 'string') return expr;
  let unknown = false;
  const out = expr.replace(/\$\{([^}]*)\}/g, (_, inner: string) => {
    const ref = inner.trim();
    if (ref === 'path.root') return scope.root;
    if (ref === 'path.module') return scope.module;
    const m = /^(var|local)\.([a-z_][a-z0-9_]*)$/.exec(ref);
    const value = m ? (m[1] === 'var' ? scope.vars[m[2]] : scope.locals[m[2]]) : undefined;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      return String(value);
    unknown = true;
    return '';
  });
  return unknown ? undefined : out;
}

export async function loadModule(
  dir: string,
  address: string,
  root: string,
  inputs: Record<string, unknown>,
): Promise<ModuleNode> {
  const config = await parseDir(dir);
  const node: ModuleNode = {
    address,
    dir,
    resources: resourcesOf(config),
    locals: localsOf(config),
    inputs,
    children: {},
  };
  const scope = { vars: inputs, locals: {} as Record<string, unknown>, root, module: dir };
  // Locals that are plain paths or literals resolve in order of definition (they may refer to each other).
  for (const [k, v] of Object.entries(node.locals)) scope.locals[k] = resolveExpression(v, scope);
  for (const [name, call] of Object.entries(labelled(config, 'module'))) {
    const args = Object.fromEntries(
      Object.entries(call)
        .filter(([k]) => k !== 'source')
        .map(([k, v]) => [k, typeof v === 'string' ? resolveExpression(v, scope) : v]),
    );
    node.children[name] = await loadModule(
      resolve(dir, String(call.source)),
      `${address}.module.${name}`,
      root,
      args,
    );
  }
  return node;
}

/** The whole configuration of terraform/environments/<env>, as `terraform plan` would load it. */
export function loadEnvironment(env: string): Promise<ModuleNode> {
  const root = join(TF_DIR, 'environments', env);
  return loadModule(root, '', root, {});
}

/** Every module instance of a tree, depth first. */
export function allModules(node: ModuleNode): ModuleNode[] {
  return [node, ...Object.values(node.children).flatMap(allModules)];
}

/** The module instance whose directory is terraform/modules/<name> (first one found). */
export function moduleNamed(tree: ModuleNode, name: string): ModuleNode {
  const found = allModules(tree).find((m) => m.dir === join(TF_DIR, 'modules', name));
  if (!found) throw new Error(`no instance of modules/${name}`);
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// Files, paths and the terraform binary
// ---------------------------------------------------------------------------------------------------------------

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}

/** All .tf and .tfvars files under a directory (recursively), skipping .terraform. */
export function tfFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === '.terraform') continue;
    if (statSync(p).isDirectory()) out.push(...tfFiles(p));
    else if (name.endsWith('.tf') || name.endsWith('.tfvars')) out.push(p);
  }
  return out.sort();
}

/** The concatenated .tf text of one module or root directory (not recursive). */
export function dirText(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .sort()
    .map((f) => read(join(dir, f)))
    .join('\n');
}

export function moduleNames(): string[] {
  return readdirSync(MODULES_DIR)
    .filter((d) => statSync(join(MODULES_DIR, d)).isDirectory())
    .sort();
}

export function rel(p: string): string {
  return relative(ROOT, p);
}

export function readJson<T>(path: string): T {
  return JSON.parse(read(path)) as T;
}

export interface Topology {
  topics: Record<string, { schema: string | null; description: string }>;
  functions: Record<
    string,
    {
      folder: string;
      trigger: string;
      schedule?: { cron: string; timeZone: string; attemptDeadline: string };
      publishes?: string[];
      secrets?: string[];
      subscriptions?: { name: string; topic: string }[];
      memory?: string;
      timeoutSeconds?: number;
      /** The setting in which the function checks its callers itself (e.g. RISK_CHECK_CALLERS). */
      callersSetting?: string;
    }
  >;
  /** Callers outside this system (the lending platform): topics they publish to, functions they invoke. */
  outsideCallers?: Record<string, { description: string; publishes: string[]; invokes: string[] }>;
  subscriptionDefaults: {
    deadLetterTopic: string;
    maxDeliveryAttempts: number;
    minimumBackoff: string;
    maximumBackoff: string;
    ackDeadlineSeconds: number;
    messageRetentionDuration: string;
  };
}

export interface GeneratedTables {
  tables: Record<
    string,
    {
      dataset: string;
      table: string;
      partition_field?: string;
      partition_type?: string;
      /** false: the table's partitions never expire (x-expire-partitions in its row schema). */
      expire_partitions?: boolean;
      clustering?: string[];
      schema: { name: string; type: string; mode: string }[];
    }
  >;
}

export const topology = (): Topology =>
  readJson<Topology>(join(ROOT, 'shared', 'contracts', 'topology.json'));
export const generatedTables = (): GeneratedTables =>
  readJson<GeneratedTables>(join(TF_DIR, 'generated', 'bigquery-tables.json'));

/** Runs terraform; fails with an actionable message when the binary is not installed. */
export function terraform(args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync('terraform', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' },
    timeout: 120_000,
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(
      'The terraform binary is not on PATH. Install Terraform 1.11 (https://developer.hashicorp.com/terraform/install) ' +
        'to run the Terraform tests; in Cloud Build the terraform-binary step provides it.',
    );
  }
  if (result.error) throw result.error;
  return result;
}

export function exists(path: string): boolean {
  return existsSync(path);
}
