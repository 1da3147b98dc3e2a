/**
 * The domain split into areas for mutation testing: one Stryker run per area (a folder of shared/domain, or the
 * top-level primitives), each with its own incremental file and report. A full run is hours on two cores; run by
 * area, every finished area is kept, and a rerun tests only what changed in the areas asked for. The folders whose
 * tests are heavy are split further, one area per module: aml alone is ~2,000 mutants, more than two hours here,
 * and a run stopped part-way keeps nothing of the area in progress.
 */
import type { MutationReport } from './floor';

export const PRIMITIVES = 'primitives';

/** Folders run one module at a time (their tests take seconds per mutant: screening lists, the risk engine). */
export const SPLIT_BY_MODULE: ReadonlySet<string> = new Set(['aml', 'risk']);

export interface MutationArea {
  name: string;
  /** Stryker `--mutate` globs. */
  mutate: string[];
  /** Where the area's JSON report is kept once its run finished. */
  report: string;
  incrementalFile: string;
  tempDirName: string;
}

/** The areas that cover the given domain modules (paths as domainModules returns them). */
export function mutationAreas(modules: readonly string[]): MutationArea[] {
  const names = new Set(modules.map(areaOf));
  return [...names].sort().map((name) => {
    const file = name.replaceAll('/', '-');
    return {
      name,
      mutate:
        name === PRIMITIVES
          ? ['shared/domain/*.ts']
          : name.includes('/')
            ? [`shared/domain/${name}.ts`]
            : [`shared/domain/${name}/**/*.ts`, '!shared/domain/**/data/**'],
      report: `reports/mutation/areas/${file}.json`,
      incrementalFile: `reports/mutation/areas/${file}.incremental.json`,
      tempDirName: `.stryker-tmp/${file}`,
    };
  });
}

/**
 * shared/domain/<folder>/… → folder, or <folder>/<module> for a folder split by module; shared/domain/<file>.ts →
 * primitives.
 */
export function areaOf(module: string): string {
  const parts = module.split('/');
  if (parts.length <= 3) return PRIMITIVES;
  const folder = parts[2] as string;
  return SPLIT_BY_MODULE.has(folder) ? parts.slice(2).join('/').replace(/\.ts$/, '') : folder;
}

/** Whether `asked` (an area, or a folder split by module) names `area`. */
export const isAsked = (area: string, asked: string): boolean =>
  area === asked || area.startsWith(`${asked}/`);

/** The areas' reports as one: every file once; a file reported twice keeps the later report's mutants. */
export function mergeReports(reports: readonly MutationReport[]): MutationReport {
  return { files: Object.assign({}, ...reports.map((r) => r.files)) as MutationReport['files'] };
}

/**
 * A module of an area that was run but is absent from its report had nothing to mutate (types only): Stryker leaves
 * such files out. It is entered with no mutants, which the floor reports as "no mutants" rather than "not mutated".
 */
export function withUnmutated(
  report: MutationReport,
  modules: readonly string[],
  areasRun: ReadonlySet<string>,
): MutationReport {
  const files = { ...report.files };
  for (const m of modules) if (!files[m] && areasRun.has(areaOf(m))) files[m] = { mutants: [] };
  return { files };
}
