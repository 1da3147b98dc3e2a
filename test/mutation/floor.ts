/**
 * The per-module floor of `npm run test:mutation`. Stryker's `thresholds.break` judges the overall score only, so a
 * weak module can hide behind strong ones; this reads Stryker's JSON report and fails when any module under
 * `shared/domain` scores below the floor, or was not mutated at all (a module added later counts from day one).
 *
 *   tsx test/mutation/floor.ts [report.json] [--markdown]
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const MUTATION_FLOOR = 85;
const DOMAIN_ROOT = 'shared/domain';

type MutantStatus =
  'Killed' | 'Timeout' | 'Survived' | 'NoCoverage' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';

export interface MutationReport {
  files: Record<string, { mutants: { status: MutantStatus }[] }>;
}

export interface ModuleScore {
  module: string;
  killed: number;
  survived: number;
  noCoverage: number;
  /** Detected over valid mutants, as Stryker computes it; undefined when the module has no valid mutant. */
  score: number | undefined;
  verdict: 'pass' | 'below floor' | 'not mutated';
}

/** Stryker's mutation score: killed and timed-out mutants over every mutant a test could have detected. */
export function scoreModules(report: MutationReport, modules: readonly string[]): ModuleScore[] {
  return modules.map((module) => {
    const file = report.files[module];
    if (!file)
      return { module, killed: 0, survived: 0, noCoverage: 0, score: undefined, verdict: 'not mutated' };
    const count = (...statuses: MutantStatus[]) =>
      file.mutants.filter((m) => statuses.includes(m.status)).length;
    const killed = count('Killed', 'Timeout');
    const survived = count('Survived');
    const noCoverage = count('NoCoverage');
    const valid = killed + survived + noCoverage;
    const score = valid === 0 ? undefined : (100 * killed) / valid;
    const verdict = score !== undefined && score < MUTATION_FLOOR ? 'below floor' : 'pass';
    return { module, killed, survived, noCoverage, score, verdict };
  });
}

/** Every domain module Stryker is told to mutate: `shared/domain/**\/*.ts` except pure data. */
export function domainModules(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((name) => {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) return name === 'data' ? [] : walk(path);
        return name.endsWith('.ts') ? [relative(root, path).split('\\').join('/')] : [];
      });
  return walk(join(root, DOMAIN_ROOT));
}

export function formatScores(scores: readonly ModuleScore[], markdown: boolean): string {
  const cell = (s: ModuleScore) =>
    s.score === undefined ? (s.verdict === 'not mutated' ? 'not mutated' : 'no mutants') : s.score.toFixed(1);
  const rows = scores.map((s) => [
    s.module.slice(DOMAIN_ROOT.length + 1),
    cell(s),
    String(s.killed),
    String(s.survived + s.noCoverage),
  ]);
  if (markdown)
    return [
      '| Module | Score % | Killed | Survived |',
      '|---|---:|---:|---:|',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
  const width = Math.max(...rows.map((r) => r[0]!.length));
  return rows
    .map((r) => `${r[0]!.padEnd(width)}  ${r[1]!.padStart(11)}  killed ${r[2]}  survived ${r[3]}`)
    .join('\n');
}

function main(argv: string[]): number {
  const reportPath = argv.find((a) => !a.startsWith('--')) ?? 'reports/mutation/mutation.json';
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as MutationReport;
  const scores = scoreModules(report, domainModules(process.cwd()));
  process.stdout.write(`${formatScores(scores, argv.includes('--markdown'))}\n`);
  const failing = scores.filter((s) => s.verdict !== 'pass');
  for (const s of failing)
    process.stderr.write(
      `${s.module}: ${s.verdict === 'not mutated' ? 'missing from the report' : `${s.score!.toFixed(1)} % < ${MUTATION_FLOOR} %`}\n`,
    );
  return failing.length === 0 ? 0 : 1;
}

if (process.argv[1]?.endsWith('floor.ts')) process.exitCode = main(process.argv.slice(2));
