/**
 * The Terraform configuration as data, through @cdktf/hcl2json (HashiCorp's own HCL parser, compiled to WASM; it
 * works offline): every module of an environment root, followed through its module calls, with the string
 * expressions that name files (topology, tables, views) resolved to paths.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TF_DIR } from './hcl';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse } = require('@cdktf/hcl2json') as {
  parse: (filename: string, text: string) => Promise<Record<string, unknown>>;
};

export type Body = Record<string, unknown>;

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

async function parseDir(dir: string): Promise<Record<string, unknown>[]> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.tf') && statSync(join(dir, f)).isFile());
  return Promise.all(files.sort().map((f) => parse(f, readFileSync(join(dir, f), 'utf8'))));
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
  let unresolved = false;
  const out = expr.replace(/\$\{([^}]*)\}/g, (_, inner: string) => {
    const ref = inner.trim();
    if (ref === 'path.root') return scope.root;
    if (ref === 'path.module') return scope.module;
    const m = /^(var|local)\.([a-z_][a-z0-9_]*)$/.exec(ref);
    const value = m ? (m[1] === 'var' ? scope.vars[m[2]] : scope.locals[m[2]]) : undefined;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      return String(value);
    unresolved = true;
    return '';
  });
  return unresolved ? undefined : out;
}

export async function loadModule(
  dir: string,
  address: string,
  root: string,
  inputs: Record<string, unknown>,
): Promise<ModuleNode> {
  const parts = await parseDir(dir);
  const node: ModuleNode = { address, dir, resources: {}, locals: {}, inputs, children: {} };
  for (const p of parts) {
    for (const l of (p.locals as Body[] | undefined) ?? []) Object.assign(node.locals, l);
    for (const [type, byName] of Object.entries((p.resource as Record<string, Record<string, Body[]>>) ?? {}))
      for (const [name, bodies] of Object.entries(byName)) (node.resources[type] ??= {})[name] = bodies[0];
  }
  const scope = { vars: inputs, locals: {} as Record<string, unknown>, root, module: dir };
  // Locals that are plain paths or literals resolve in order of definition (they may refer to each other).
  for (const [k, v] of Object.entries(node.locals)) scope.locals[k] = resolveExpression(v, scope);
  for (const p of parts) {
    for (const [name, calls] of Object.entries((p.module as Record<string, Body[]>) ?? {})) {
      const call = calls[0];
      const childDir = resolve(dir, String(call.source));
      const args = Object.fromEntries(
        Object.entries(call)
          .filter(([k]) => k !== 'source')
          .map(([k, v]) => [k, typeof v === 'string' ? resolveExpression(v, scope) : v]),
      );
      node.children[name] = await loadModule(childDir, `${address}.module.${name}`, root, args);
    }
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

/** Nested block of a resource body (hcl2json renders blocks as arrays of objects). */
export function block(body: Body | undefined, name: string): Body | undefined {
  const b = body?.[name];
  return Array.isArray(b) ? (b[0] as Body) : undefined;
}
