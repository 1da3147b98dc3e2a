import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PRIMITIVES, areaOf, mergeReports, mutationAreas, withUnmutated } from './areas';
import { domainModules, scoreModules, type MutationReport } from './floor';

const ROOT = join(__dirname, '..', '..');

describe('mutation testing by area', () => {
  it('puts a module in the area of its top folder under shared/domain, top-level files in primitives', () => {
    expect(areaOf('shared/domain/aml/rules.ts')).toBe('aml');
    expect(areaOf('shared/domain/notifications/alerts/x.ts')).toBe('notifications');
    expect(areaOf('shared/domain/ids.ts')).toBe(PRIMITIVES);
  });

  it("has one area per domain folder and one for the primitives, each mutating exactly its modules' folder", () => {
    const modules = domainModules(ROOT);
    const areas = mutationAreas(modules);
    const folders = readdirSync(join(ROOT, 'shared/domain')).filter((n) =>
      statSync(join(ROOT, 'shared/domain', n)).isDirectory(),
    );
    expect(areas.map((a) => a.name).sort()).toEqual([...folders, PRIMITIVES].sort());
    for (const area of areas) {
      const mine = modules.filter((m) => areaOf(m) === area.name);
      expect(mine.length).toBeGreaterThan(0);
      if (area.name === PRIMITIVES) {
        expect(area.mutate).toEqual(['shared/domain/*.ts']);
        for (const m of mine) expect(m.split('/')).toHaveLength(3);
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
