/** Reads the per-schema fixtures under test/fixtures/schemas (see the README there). */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');
export const SCHEMAS_DIR = join(ROOT, 'schemas');
export const FIXTURES_DIR = join(ROOT, 'test', 'fixtures', 'schemas');

export type PatchOp =
  { op: 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

export interface BadCase {
  case: string;
  patch: PatchOp[];
  expect: string;
}

export interface SchemaFixtures {
  good: { file: string; value: unknown }[];
  bad: BadCase[];
  base: unknown;
}

/** Every file under dir, relative to dir, with '/' separators. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** Schema names that have a fixture folder (a folder holding a good.json). */
export function fixtureSchemaNames(): string[] {
  return filesUnder(FIXTURES_DIR)
    .filter((f) => f.endsWith('/good.json'))
    .map((f) => f.slice(0, -'/good.json'.length))
    .sort();
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8')) as unknown;

export function loadFixtures(schemaName: string): SchemaFixtures {
  const dir = join(FIXTURES_DIR, schemaName);
  if (!existsSync(join(dir, 'good.json'))) throw new Error(`no fixtures for ${schemaName} in ${dir}`);
  const good = readdirSync(dir)
    .filter((f) => /^good(-[\w.-]+)?\.json$/.test(f))
    .sort()
    .map((file) => ({ file, value: readJson(join(dir, file)) }));
  const bad = existsSync(join(dir, 'bad.json')) ? (readJson(join(dir, 'bad.json')) as BadCase[]) : [];
  return { good, bad, base: readJson(join(dir, 'good.json')) };
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** RFC 6902 add/replace/remove on a copy; throws when a path does not exist, so fixtures cannot rot. */
export function applyPatch(doc: unknown, ops: PatchOp[]): unknown {
  const out = structuredClone(doc);
  for (const op of ops) {
    const tokens = op.path.split('/').slice(1).map(unescape);
    const last = tokens.pop();
    if (last === undefined) throw new Error(`cannot patch the root (${op.path})`);
    let parent: unknown = out;
    for (const t of tokens) {
      if (parent === null || typeof parent !== 'object' || !(t in parent))
        throw new Error(`patch path ${op.path} does not exist`);
      parent = (parent as Record<string, unknown>)[t];
    }
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(index) || index < 0 || index > parent.length)
        throw new Error(`patch path ${op.path} is not an array index`);
      if (op.op === 'add') parent.splice(index, 0, op.value);
      else if (index >= parent.length) throw new Error(`patch path ${op.path} does not exist`);
      else if (op.op === 'replace') parent[index] = op.value;
      else parent.splice(index, 1);
    } else if (parent !== null && typeof parent === 'object') {
      const obj = parent as Record<string, unknown>;
      if (op.op !== 'add' && !(last in obj)) throw new Error(`patch path ${op.path} does not exist`);
      if (op.op === 'remove') delete obj[last];
      else obj[last] = op.value;
    } else {
      throw new Error(`patch path ${op.path} does not exist`);
    }
  }
  return out;
}
