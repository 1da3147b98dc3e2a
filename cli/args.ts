import { statSync } from 'fs';
import { basename, dirname, resolve } from 'path';

/** Bad command line or input file: reported as one line on stderr with exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  /** Flags that take a value (`--name value` or `--name=value`). */
  values: string[];
  /** Flags that are on when present. */
  switches: string[];
}

export interface ParsedArgs {
  values: Map<string, string>;
  switches: Set<string>;
}

/** Plain argv parsing: every flag declared, no positionals, no repeats, so typos fail loudly. */
export function parseFlags(argv: string[], spec: FlagSpec): ParsedArgs {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') {
      switches.add('help');
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (spec.switches.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      switches.add(name);
      continue;
    }
    if (!spec.values.includes(name)) throw new UsageError(`unknown option --${name}`);
    if (values.has(name)) throw new UsageError(`--${name} given twice`);
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      i++;
    }
    if (value === '') throw new UsageError(`--${name} needs a value`);
    values.set(name, value);
  }
  return { values, switches };
}

export function required(args: ParsedArgs, name: string): string {
  const v = args.values.get(name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}

export function positiveInt(raw: string, name: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw new UsageError(`--${name} must be a whole number ≥ 1 (got '${raw}')`);
  return Number(raw);
}

/** Comma list of numbers strictly between 0 and 1; 99 or 99% is refused rather than guessed. */
export function confidenceList(raw: string, name: string): number[] {
  return raw.split(',').map((part) => {
    const s = part.trim();
    const v = Number(s);
    if (s === '' || !Number.isFinite(v) || v <= 0 || v >= 1) {
      throw new UsageError(`--${name}: '${s}' must be a fraction strictly between 0 and 1, e.g. 0.99`);
    }
    return v;
  });
}

export function intList(raw: string, name: string): number[] {
  return raw.split(',').map((part) => positiveInt(part.trim(), name));
}

export function oneOf<T extends string>(raw: string, allowed: readonly T[], name: string): T {
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got '${raw}')`);
  }
  return raw as T;
}

/**
 * Where a plot goes: a path ending in .svg whose directory exists (nothing is created but the file) and that is
 * not itself a directory. Checked before any computation so a typo costs nothing.
 */
export function svgFile(raw: string, name: string): string {
  if (!raw.toLowerCase().endsWith('.svg') || basename(raw).length <= 4) {
    throw new UsageError(`--${name} '${raw}' must be a file name ending in .svg`);
  }
  const dir = dirname(resolve(raw));
  const isDir = (p: string): boolean => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false; // ENOENT, ENOTDIR (a file on the way), EACCES: not a usable directory
    }
  };
  if (!isDir(dir)) throw new UsageError(`--${name} ${raw}: ${dirname(raw)} is not an existing directory`);
  if (isDir(raw)) throw new UsageError(`--${name} ${raw} is a directory`);
  return raw;
}
