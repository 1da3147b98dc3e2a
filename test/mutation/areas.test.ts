import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  PRIMITIVES,
  SPLIT_BY_MODULE,
  areaOf,
  isAsked,
  mergeReports,
  mutationAreas,
  withUnmutated,
} from './areas';
import { domainModules, scoreModules, type MutationReport } from './floor';

const ROOT = join(__dirname, '..', '..');

describe('mutation testing by area', () => {
  it('puts a module in the area of its top folder under shared/domain, top-level files in primitives', () => {
    expect(areaOf('shared/domain/notifications/alerts.ts')).toBe('notifications');
    expect(areaOf('shared/domain/notifications/alerts/x.ts')).toBe('notifications');
    expect(areaOf('shared/domain/ids.ts')).toBe(PRIMITIVES);
  });

  it('gives each module of a folder split by module an area of its own', () => {
    expect([...SPLIT_BY_MODULE].sort()).toEqual(['aml', 'risk']);
    expect(areaOf('shared/domain/aml/rules.ts')).toBe('aml/rules');
    expect(areaOf('shared/domain/risk/engine.ts')).toBe('risk/engine');
    const [rules] = mutationAreas(['shared/domain/aml/rules.ts']);
    expect(rules).toEqual({
      name: 'aml/rules',
      mutate: ['shared/domain/aml/rules.ts'],
      report: 'reports/mutation/areas/aml-rules.json',
      incrementalFile: 'reports/mutation/areas/aml-rules.incremental.json',
      tempDirName: '.stryker-tmp/aml-rules',
    });
    // Asking for the folder runs all its modules; a module name runs that one; nothing else matches by prefix.
    expect(isAsked('aml/rules', 'aml')).toBe(true);
    expect(isAsked('aml/rules', 'aml/rules')).toBe(true);
    expect(isAsked('aml/rules', 'aml/window')).toBe(false);
    expect(isAsked('amlx', 'aml')).toBe(false);
    expect(isAsked('kyc', 'kyc')).toBe(true);
  });

  it('has one area per domain folder (per module where split) and one for the primitives, each mutating exactly its modules', () => {
    const modules = domainModules(ROOT);
    const areas = mutationAreas(modules);
    const folders = readdirSync(join(ROOT, 'shared/domain')).filter((n) =>
      statSync(join(ROOT, 'shared/domain', n)).isDirectory(),
    );
    const split = modules
      .filter((m) => SPLIT_BY_MODULE.has(m.split('/')[2] as string))
      .map((m) => m.slice('shared/domain/'.length, -'.ts'.length));
    expect(split.length).toBeGreaterThan(0);
    expect(areas.map((a) => a.name).sort()).toEqual(
      [...folders.filter((f) => !SPLIT_BY_MODULE.has(f)), ...split, PRIMITIVES].sort(),
    );
    for (const area of areas) {
      const mine = modules.filter((m) => areaOf(m) === area.name);
      expect(mine.length).toBeGreaterThan(0);
      if (area.name === PRIMITIVES) {
        expect(area.mutate).toEqual(['shared/domain/*.ts']);
        for (const m of mine) expect(m.split('/')).toHaveLength(3);
      } else if (area.name.includes('/')) {
        expect(mine).toEqual([`shared/domain/${area.name}.ts`]);
        expect(area.mutate).toEqual(mine);
      } else {
        expect(area.mutate).toEqual([`shared/domain/${area.name}/**/*.ts`, '!shared/domain/**/data/**']);
        for (const m of mine) expect(m.startsWith(`shared/domain/${area.name}/`)).toBe(true);
      }
    }
    // Each area keeps its own report, incremental file and sandbox.
    for (const key of ['report', 'incrementalFile', 'tempDirName'] as const)
      expect(new Set(areas.map((a) => a[key])).size).toBe(areas.length);
  });

  it("merges the areas' reports into one, every file once", () => {
    const a: MutationReport = { files: { 'shared/domain/aml/x.ts': { mutants: [{ status: 'Killed' }] } } };
    const b: MutationReport = { files: { 'shared/domain/ids.ts': { mutants: [{ status: 'Survived' }] } } };
    const newer: MutationReport = {
      files: { 'shared/domain/ids.ts': { mutants: [{ status: 'Killed' }, { status: 'Killed' }] } },
    };
    expect(mergeReports([a, b, newer])).toEqual({
      files: { ...a.files, ...newer.files },
    });
  });

  it('counts a types-only module of an area that ran as having no mutants, and one of an area not run as missing', () => {
    const report: MutationReport = { files: { 'shared/domain/ids.ts': { mutants: [{ status: 'Killed' }] } } };
    const modules = ['shared/domain/ids.ts', 'shared/domain/envelope.ts', 'shared/domain/risk/types.ts'];
    const scores = scoreModules(withUnmutated(report, modules, new Set([PRIMITIVES])), modules);
    expect(scores.map((s) => [s.module, s.verdict, s.score])).toEqual([
      ['shared/domain/ids.ts', 'pass', 100],
      ['shared/domain/envelope.ts', 'pass', undefined],
      ['shared/domain/risk/types.ts', 'not mutated', undefined],
    ]);
  });
});
