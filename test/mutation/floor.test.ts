import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MUTATION_FLOOR, domainModules, formatScores, scoreModules, type MutationReport } from './floor';

const mutants = (statuses: Record<string, number>) =>
  Object.entries(statuses).flatMap(([status, n]) => Array.from({ length: n }, () => ({ status })));

describe('mutation floor per domain module', () => {
  it('scores a module as Stryker does: killed and timed out over valid mutants, compile errors left out', () => {
    const report = {
      files: {
        'shared/domain/a.ts': {
          mutants: mutants({ Killed: 15, Timeout: 2, Survived: 2, NoCoverage: 1, CompileError: 9 }),
        },
      },
    } as MutationReport;
    const [a] = scoreModules(report, ['shared/domain/a.ts']);
    expect(a).toEqual({
      module: 'shared/domain/a.ts',
      killed: 17,
      survived: 2,
      noCoverage: 1,
      score: 85,
      verdict: 'pass',
    });
  });

  it('fails a module one mutant under the floor even when the overall score is high', () => {
    const report = {
      files: {
        'shared/domain/strong.ts': { mutants: mutants({ Killed: 500 }) },
        'shared/domain/weak.ts': { mutants: mutants({ Killed: 84, Survived: 16 }) },
      },
    } as MutationReport;
    const scores = scoreModules(report, ['shared/domain/strong.ts', 'shared/domain/weak.ts']);
    expect(scores.map((s) => s.verdict)).toEqual(['pass', 'below floor']);
    expect(scores[1]!.score).toBeLessThan(MUTATION_FLOOR);
  });

  it('fails a module missing from the report, so a module added later is held to the floor from day one', () => {
    const [missing] = scoreModules({ files: {} }, ['shared/domain/new-module.ts']);
    expect(missing!.verdict).toBe('not mutated');
  });

  it('passes a module with nothing to mutate (types only) and says so', () => {
    const report = {
      files: { 'shared/domain/types.ts': { mutants: mutants({ CompileError: 3 }) } },
    } as MutationReport;
    const scores = scoreModules(report, ['shared/domain/types.ts']);
    expect(scores[0]!.verdict).toBe('pass');
    expect(formatScores(scores, true)).toContain('| types.ts | no mutants | 0 | 0 |');
  });

  it('finds every domain module, nested ones included, except pure data folders', () => {
    const root = mkdtempSync(join(tmpdir(), 'floor-'));
    for (const dir of ['shared/domain/risk', 'shared/domain/aml/data'])
      mkdirSync(join(root, dir), { recursive: true });
    for (const file of [
      'shared/domain/ids.ts',
      'shared/domain/risk/engine.ts',
      'shared/domain/aml/data/sdn.ts',
      'shared/domain/README.md',
    ])
      writeFileSync(join(root, file), '');
    expect(domainModules(root)).toEqual(['shared/domain/ids.ts', 'shared/domain/risk/engine.ts']);
  });

  it("is the floor Stryker's own break threshold enforces, over the modules Stryker mutates", () => {
    const config = JSON.parse(readFileSync(join(__dirname, '../../stryker.config.json'), 'utf8')) as {
      mutate: string[];
      thresholds: { break: number | null };
    };
    expect(config.thresholds.break).toBe(MUTATION_FLOOR);
    expect(config.mutate).toEqual(['shared/domain/**/*.ts', '!shared/domain/**/data/**']);
  });
});
