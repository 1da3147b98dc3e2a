/**
 * Just enough HCL reading for the Terraform tests: find blocks, their top-level attributes and heredocs, and run
 * the terraform binary. Offline, the provider registry is unreachable, so `terraform validate` cannot run; these
 * helpers let the tests check what validate would (references, module arguments) plus the project's own rules.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');
export const TF_DIR = join(ROOT, 'terraform');
export const MODULES_DIR = join(TF_DIR, 'modules');
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

export interface Block {
  type: string;
  labels: string[];
  body: string;
}

const OPENERS: Record<string, string> = { '{': '}', '(': ')', '[': ']' };

function skipHeredoc(text: string, i: number): number {
  const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)[^\n]*\n/.exec(text.slice(i));
  if (!m) return i + 2;
  const end = new RegExp(`^[ \\t]*${m[1]}[ \\t]*$`, 'm');
  const rest = text.slice(i + m[0].length);
  const e = end.exec(rest);
  if (!e) throw new Error(`unterminated heredoc ${m[1]}`);
  return i + m[0].length + e.index + e[0].length;
}

function skipComment(text: string, i: number): number {
  if (text[i] === '#' || text.startsWith('//', i)) {
    const nl = text.indexOf('\n', i);
    return nl < 0 ? text.length : nl;
  }
  if (text.startsWith('/*', i)) {
    const end = text.indexOf('*/', i + 2);
    return end < 0 ? text.length : end + 2;
  }
  return i;
}

/** Index just past the closing quote of the string starting at text[i] === '"' (templates may nest strings). */
function skipString(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text[j];
    if (c === '\\') j += 2;
    else if (c === '"') return j + 1;
    else if ((c === '$' || c === '%') && text[j + 1] === '{') j = skipUntil(text, j + 2, '}');
    else j++;
  }
  throw new Error('unterminated string');
}

/** Index just past the `closer` that ends the expression starting at i, skipping nested brackets and strings. */
function skipUntil(text: string, i: number, closer: string): number {
  let j = i;
  while (j < text.length) {
    const c = text[j];
    const afterComment = skipComment(text, j);
    if (afterComment !== j) j = afterComment;
    else if (c === '"') j = skipString(text, j);
    else if (text.startsWith('<<', j) && /^<<-?[A-Za-z_]/.test(text.slice(j, j + 4)))
      j = skipHeredoc(text, j);
    else if (c in OPENERS) j = skipUntil(text, j + 1, OPENERS[c]);
    else if (c === closer) return j + 1;
    else j++;
  }
  throw new Error(`no closing ${closer}`);
}

/** Drops comments (outside strings and heredocs), so that commented-out text is not mistaken for configuration. */
export function stripComments(text: string): string {
  let out = '';
  let j = 0;
  while (j < text.length) {
    const after = skipComment(text, j);
    if (after !== j) {
      j = after;
      continue;
    }
    let next = j + 1;
    if (text[j] === '"') next = skipString(text, j);
    else if (text.startsWith('<<', j) && /^<<-?[A-Za-z_]/.test(text.slice(j, j + 4)))
      next = skipHeredoc(text, j);
    out += text.slice(j, next);
    j = next;
  }
  return out;
}

/** Keeps only interpolations `${...}` of a template (string or heredoc body); literal text becomes spaces. */
function templateCode(template: string): string {
  let out = '';
  let j = 0;
  while (j < template.length) {
    if ((template[j] === '$' || template[j] === '%') && template[j + 1] === '{' && template[j - 1] !== '$') {
      const end = skipUntil(template, j + 2, '}');
      out += ` ${codeOnly(template.slice(j + 2, end - 1))} `;
      j = end;
    } else {
      out += template[j] === '\n' ? '\n' : ' ';
      j++;
    }
  }
  return out;
}

/**
 * The configuration with comments removed and the literal text of strings and heredocs blanked, keeping their
 * interpolations: what is left is expressions, so references found in it are real references.
 */
export function codeOnly(text: string): string {
  let out = '';
  let j = 0;
  while (j < text.length) {
    const after = skipComment(text, j);
    if (after !== j) {
      j = after;
      continue;
    }
    if (text[j] === '"') {
      const end = skipString(text, j);
      out += `"${templateCode(text.slice(j + 1, end - 1))}"`;
      j = end;
    } else if (text.startsWith('<<', j) && /^<<-?[A-Za-z_]/.test(text.slice(j, j + 4))) {
      const end = skipHeredoc(text, j);
      const firstNl = text.indexOf('\n', j);
      out += `""${templateCode(text.slice(firstNl, end))}`;
      j = end;
    } else {
      out += text[j];
      j++;
    }
  }
  return out;
}

/** The header of a top-level block: its type, its quoted labels and the opening brace. */
const blockHeader = (): RegExp => /^([a-z_]+)((?:[ \t]+"[^"\n]*")*)[ \t]*\{/gm;

/** Top-level blocks (resource, module, variable, ...) of a file's text. */
export function blocks(text: string, type?: string): Block[] {
  const found: Block[] = [];
  const re = blockHeader();
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const open = m.index + m[0].length;
    const close = skipUntil(text, open, '}');
    const labels = [...m[2].matchAll(/"([^"]*)"/g)].map((x) => x[1]);
    if (!type || m[1] === type) found.push({ type: m[1], labels, body: text.slice(open, close - 1) });
    re.lastIndex = close;
  }
  return found;
}

/**
 * The text without its top-level blocks of the given types: `moved` and `removed` name resource and module
 * addresses (module.a.module.b), not expressions, so their contents are no references.
 */
export function withoutBlocks(text: string, types: string[]): string {
  const re = blockHeader();
  let out = '';
  let from = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const close = skipUntil(text, m.index + m[0].length, '}');
    if (types.includes(m[1])) {
      out += text.slice(from, m.index);
      from = close;
    }
    re.lastIndex = close;
  }
  return out + text.slice(from);
}

/** Names of the top-level attributes of a block body (`name = ...` at nesting depth 0). */
export function attributes(body: string): Map<string, string> {
  const attrs = new Map<string, string>();
  let j = 0;
  while (j < body.length) {
    const after = skipComment(body, j);
    if (after !== j) {
      j = after;
      continue;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*(=(?!=)|\{|")/.exec(body.slice(j));
    if (!m || (j > 0 && /[A-Za-z0-9_.]/.test(body[j - 1]))) {
      j++;
      continue;
    }
    if (m[2] === '=') {
      const start = j + m[0].length;
      let k = start;
      while (k < body.length && body[k] !== '\n') {
        const c = body[k];
        if (c === '"') k = skipString(body, k);
        else if (body.startsWith('<<', k) && /^<<-?[A-Za-z_]/.test(body.slice(k, k + 4)))
          k = skipHeredoc(body, k);
        else if (c in OPENERS) k = skipUntil(body, k + 1, OPENERS[c]);
        else k++;
      }
      attrs.set(m[1], body.slice(start, k).trim());
      j = k;
    } else {
      // A nested block: skip it whole.
      const brace = body.indexOf('{', j);
      j = skipUntil(body, brace + 1, '}');
    }
  }
  return attrs;
}

/** The text of heredoc <<-MARKER ... MARKER. */
export function heredoc(text: string, marker: string): string {
  const m = new RegExp(`<<-?${marker}\\n([\\s\\S]*?)\\n[ \\t]*${marker}[ \\t]*$`, 'm').exec(text);
  if (!m) throw new Error(`no heredoc ${marker}`);
  return m[1];
}

/**
 * Every `kind.name` reference of a directory's configuration that resolves nowhere (what `terraform validate`
 * would report as undeclared), including module outputs that the called module does not declare.
 */
export function unresolved(dir: string): string[] {
  const text = stripComments(dirText(dir));
  const variables = new Set(blocks(text, 'variable').map((b) => b.labels[0]));
  const locals = new Set(blocks(text, 'locals').flatMap((b) => [...attributes(b.body).keys()]));
  const resources = new Set(blocks(text, 'resource').map((b) => `${b.labels[0]}.${b.labels[1]}`));
  const data = new Set(blocks(text, 'data').map((b) => `${b.labels[0]}.${b.labels[1]}`));
  const modules = new Map(
    blocks(text, 'module').map((b) => {
      const source = JSON.parse(attributes(b.body).get('source') ?? '""') as string;
      const outputs = blocks(stripComments(dirText(join(dir, source))), 'output').map((o) => o.labels[0]);
      return [b.labels[0], new Set(outputs)] as const;
    }),
  );
  const code = codeOnly(withoutBlocks(text, ['moved', 'removed']));
  const missing: string[] = [];
  for (const m of code.matchAll(/(?<![\w.])var\.([a-z_][a-z0-9_]*)/g))
    if (!variables.has(m[1])) missing.push(m[0]);
  for (const m of code.matchAll(/(?<![\w.])local\.([a-z_][a-z0-9_]*)/g))
    if (!locals.has(m[1])) missing.push(m[0]);
  for (const m of code.matchAll(/(?<![\w.])module\.([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)/g))
    if (!modules.get(m[1])?.has(m[2])) missing.push(m[0]);
  for (const m of code.matchAll(/(?<![\w."])(data\.)?(google_[a-z0-9_]+)\.([a-z_][a-z0-9_]*)/g)) {
    const key = `${m[2]}.${m[3]}`;
    if (!(m[1] ? data : resources).has(key)) missing.push(m[0]);
  }
  return [...new Set(missing)].sort();
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}

/** All .tf files under a directory (recursively), skipping .terraform. */
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
    }
  >;
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
      clustering?: string[];
      schema: { name: string; type: string; mode: string }[];
    }
  >;
}

export const topology = (): Topology => readJson<Topology>(join(ROOT, 'functions', 'topology.json'));
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
