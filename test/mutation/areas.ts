/**
 * The domain split into areas for mutation testing: one Stryker run per area (a folder of shared/domain, or the
 * top-level primitives), each with its own incremental file and report. A full run is hours on two cores; run by
 * area, every finished area is kept, and a rerun tests only what changed in the areas asked for.
 */
import type { MutationReport } from './floor';

export const PRIMITIVES = 'primitives';

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
  return [...names].sort().map((name) => ({
    name,
    mutate:
      name === PRIMITIVES
        ? ['shared/domain/*.ts']
        : [`shared/domain/${name}/**/*.ts`, '!shared/domain/**/data/**'],
    report: `reports/mutation/areas/${name}.json`,
    incrementalFile: `reports/mutation/areas/${name}.incremental.json`,
    tempDirName: `.stryker-tmp/${name}`,
  }));
}

/** shared/domain/<area>/… → area; shared/domain/<file>.ts → primitives. */
export function areaOf(module: string): string {
  const parts = module.split('/');
  return parts.length > 3 ? (parts[2] as string) : PRIMITIVES;
}

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
