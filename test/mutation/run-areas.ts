/**
 * `npm run test:mutation`: Stryker over the domain, one area at a time (see areas.ts), then the per-module floor
 * over every area's report. Each area's report and incremental file are kept as soon as its run ends, so an
 * interrupted run loses only the area in progress.
 *
 *   tsx test/mutation/run-areas.ts [area ...] [--force] [--report] [--markdown]
 *
 * With area names (aml runs every module of aml; aml/rules only that one), only those areas run (the floor still reads every area's last report). --force re-tests every
 * mutant of the areas run (after adding tests: an incremental run reuses surviving module-level results).
 * --report runs nothing: it prints the scores of the kept area reports and checks the floor. --markdown prints
 * the scores as a Markdown table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { isAsked, mergeReports, mutationAreas, withUnmutated } from './areas';
import { domainModules, formatScores, MUTATION_FLOOR, scoreModules, type MutationReport } from './floor';

/** Where stryker.config.json's json reporter writes (the file name cannot be set on the command line). */
const STRYKER_REPORT = 'reports/mutation/mutation.json';

function main(argv: string[]): number {
  const modules = domainModules(process.cwd());
  const areas = mutationAreas(modules);
  const asked = argv.filter((a) => !a.startsWith('--'));
  const unknown = asked.filter((a) => !areas.some((area) => isAsked(area.name, a)));
  if (unknown.length) {
    process.stderr.write(
      `unknown area(s): ${unknown.join(', ')}; areas: ${areas.map((a) => a.name).join(', ')}\n`,
    );
    return 2;
  }
  const broke: string[] = [];
  const toRun = argv.includes('--report')
    ? []
    : areas.filter((a) => asked.length === 0 || asked.some((x) => isAsked(a.name, x)));
  for (const area of toRun) {
    process.stdout.write(`\n== mutation testing: ${area.name} (${area.mutate.join(', ')})\n`);
    mkdirSync(dirname(area.report), { recursive: true });
    rmSync(STRYKER_REPORT, { force: true });
    const run = spawnSync(
      'npx',
      [
        'stryker',
        'run',
        '--mutate',
        area.mutate.join(','),
        '--incrementalFile',
        area.incrementalFile,
        '--tempDirName',
        area.tempDirName,
        ...(argv.includes('--force') ? ['--force'] : []),
      ],
      { stdio: 'inherit' },
    );
    // Below thresholds.break Stryker exits 1 after writing its report: the other areas still run, the run fails.
    if (!existsSync(STRYKER_REPORT)) {
      process.stderr.write(
        `${area.name}: Stryker failed (exit ${run.status ?? run.signal}); its last report is kept\n`,
      );
      return 1;
    }
    if (run.status !== 0) broke.push(area.name);
    renameSync(STRYKER_REPORT, area.report);
  }
  const reported = areas.filter((a) => existsSync(a.report));
  const reports = reported.map((a) => JSON.parse(readFileSync(a.report, 'utf8')) as MutationReport);
  const merged = withUnmutated(mergeReports(reports), modules, new Set(reported.map((a) => a.name)));
  const scores = scoreModules(merged, modules);
  process.stdout.write(`\n${formatScores(scores, argv.includes('--markdown'))}\n`);
  const failing = scores.filter((s) => s.verdict !== 'pass');
  for (const s of failing)
    process.stderr.write(
      `${s.module}: ${s.verdict === 'not mutated' ? 'no area report mutated it yet' : `${s.score!.toFixed(1)} % < ${MUTATION_FLOOR} %`}\n`,
    );
  if (broke.length) process.stderr.write(`below thresholds.break overall: ${broke.join(', ')}\n`);
  return failing.length === 0 && broke.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
