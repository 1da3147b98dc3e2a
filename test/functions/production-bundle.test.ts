/**
 * The deployed bundle of every function (bin/bundle.mjs, what Terraform uploads) carries its own wiring on the
 * Google Cloud platform and nothing of the local stack: no local-stack/ module, no DuckDB (inlined or as a
 * dependency), no test or CLI code, no other function's wiring.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { FUNCTIONS } from '../../shared/topology/topology';

const ROOT = join(__dirname, '..', '..');
let out: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'bundles-'));
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'bundle.mjs'), '--out', out], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`bundling failed:\n${r.stderr}`);
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The project files a bundle inlines, relative to the repository (from its source map). */
function projectSources(folder: string): string[] {
  const map = JSON.parse(readFileSync(join(out, folder, 'index.js.map'), 'utf8')) as { sources: string[] };
  return map.sources
    .map((s) => relative(ROOT, resolve(join(out, folder), s)))
    .filter((s) => !s.startsWith('..') && !s.includes('node_modules'));
}

describe.each(FUNCTIONS.map((f) => [f.name, f.folder] as const))('the bundle of %s', (name, folder) => {
  it('inlines its own wiring and the cloud platform, and nothing of the local stack, tests or CLI', () => {
    const sources = projectSources(folder);
    expect(sources).toContain(`functions/${folder}/wiring.ts`);
    expect(sources).toContain('functions/runtime/cloud-platform.ts');
    expect(sources.filter((s) => /^(local-stack|test|cli|bench)\//.test(s))).toEqual([]);
    expect(sources.filter((s) => /duckdb/i.test(s))).toEqual([]);
    const others = FUNCTIONS.filter((f) => f.name !== name).map((f) => `functions/${f.folder}/`);
    expect(sources.filter((s) => others.some((o) => s.startsWith(o)))).toEqual([]);
  });

  it('neither loads nor lists DuckDB', () => {
    const pkg = JSON.parse(readFileSync(join(out, folder, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies).filter((d) => /duckdb/i.test(d))).toEqual([]);
    expect(readFileSync(join(out, folder, 'index.js'), 'utf8')).not.toMatch(/@duckdb\//);
  });
});
