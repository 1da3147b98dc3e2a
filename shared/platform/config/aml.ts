/**
 * AML configuration, read and validated once per cold start: the policy document (bundled default, a file,
 * or inline JSON) and the screening lists in OFAC SDN CSV format (bundled samples or files). Every problem is
 * reported at once, as readConfig does.
 *
 *   AML_POLICY_PATH        a policy JSON file (schemas/inputs/aml-policy.json); default: the bundled policy
 *   AML_POLICY_JSON        the policy inline (exclusive with AML_POLICY_PATH)
 *   AML_SDN_CSV_PATH       OFAC sdn.csv for list "ofac-sdn"; default: the bundled sample
 *   AML_SDN_ALT_CSV_PATH   OFAC alt.csv (alternate names) for "ofac-sdn"; optional
 *   AML_PEP_CSV_PATH       a PEP list in sdn.csv layout for list "pep"; default: the bundled sample
 */
import { readFileSync } from 'node:fs';
import defaultPolicy from '../../domain/aml/data/default-policy.json';
import { PEP_SAMPLE_CSV, SDN_SAMPLE_ALT_CSV, SDN_SAMPLE_CSV } from '../../domain/aml/data/screening-lists';
import {
  compilePolicy,
  parsePolicy,
  PolicyError,
  screeningListsNeeded,
  type AmlPolicy,
  type CompiledPolicy,
} from '../../domain/aml/policy';
import { ScreeningIndex } from '../../domain/aml/screening';
import { parseSdnCsv } from '../../domain/aml/sdn-csv';
import { ConfigError } from './runtime';

export interface ScreeningListSource {
  id: string;
  /** Where the list came from ("bundled sample" or file paths), for logs. */
  source: string;
  entries: number;
}

export interface AmlRuntime {
  policy: CompiledPolicy;
  policySource: string;
  lists: ScreeningListSource[];
}

interface ListSpec {
  id: string;
  pathVar: string;
  altPathVar?: string;
  bundled: { sdn: string; alt?: string };
}

const LISTS: ListSpec[] = [
  {
    id: 'ofac-sdn',
    pathVar: 'AML_SDN_CSV_PATH',
    altPathVar: 'AML_SDN_ALT_CSV_PATH',
    bundled: { sdn: SDN_SAMPLE_CSV, alt: SDN_SAMPLE_ALT_CSV },
  },
  { id: 'pep', pathVar: 'AML_PEP_CSV_PATH', bundled: { sdn: PEP_SAMPLE_CSV } },
];

export const DEFAULT_AML_POLICY = defaultPolicy as unknown;

function readText(path: string, name: string, problems: string[]): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}

function readPolicy(env: NodeJS.ProcessEnv, problems: string[]): { doc?: AmlPolicy; source: string } {
  const path = env.AML_POLICY_PATH;
  const inline = env.AML_POLICY_JSON;
  if (path && inline) problems.push('set only one of AML_POLICY_PATH and AML_POLICY_JSON');
  let raw: unknown = DEFAULT_AML_POLICY;
  let source = 'bundled default policy';
  const text = inline ?? (path ? readText(path, 'AML_POLICY_PATH', problems) : undefined);
  if (text !== undefined) {
    source = inline !== undefined ? 'AML_POLICY_JSON' : `file ${path}`;
    try {
      raw = JSON.parse(text);
    } catch {
      problems.push(`${inline !== undefined ? 'AML_POLICY_JSON' : 'AML_POLICY_PATH'} is not valid JSON`);
      return { source };
    }
  }
  try {
    return { doc: parsePolicy(raw), source };
  } catch (err) {
    if (err instanceof PolicyError) problems.push(...err.problems.map((p) => `AML policy (${source}): ${p}`));
    else throw err;
    return { source };
  }
}

function readList(
  spec: ListSpec,
  env: NodeJS.ProcessEnv,
  problems: string[],
): { index: ScreeningIndex; source: string } | undefined {
  const path = env[spec.pathVar];
  const altPath = spec.altPathVar ? env[spec.altPathVar] : undefined;
  const sdn = path ? readText(path, spec.pathVar, problems) : spec.bundled.sdn;
  const alt = path
    ? altPath && spec.altPathVar
      ? readText(altPath, spec.altPathVar, problems)
      : undefined
    : spec.bundled.alt;
  if (sdn === undefined) return undefined;
  try {
    const index = ScreeningIndex.build(parseSdnCsv(sdn, alt));
    return { index, source: path ? `file ${path}${altPath ? ` + ${altPath}` : ''}` : 'bundled sample' };
  } catch (err) {
    problems.push(`${spec.pathVar}: ${(err as Error).message}`);
    return undefined;
  }
}

/** Reads the policy and the lists it needs; throws ConfigError naming every problem. */
export function readAmlConfig(env: NodeJS.ProcessEnv = process.env): AmlRuntime {
  const problems: string[] = [];
  for (const spec of LISTS) {
    if (spec.altPathVar && env[spec.altPathVar] && !env[spec.pathVar])
      problems.push(`${spec.altPathVar} needs ${spec.pathVar}`);
  }
  const { doc, source } = readPolicy(env, problems);
  const needed = doc ? screeningListsNeeded(doc) : [];
  const indexes = new Map<string, ScreeningIndex>();
  const lists: ScreeningListSource[] = [];
  for (const id of needed) {
    const spec = LISTS.find((l) => l.id === id);
    if (!spec) {
      problems.push(`AML policy (${source}) needs screening list '${id}', which no variable provides`);
      continue;
    }
    const list = readList(spec, env, problems);
    if (list) {
      indexes.set(id, list.index);
      lists.push({ id, source: list.source, entries: list.index.size });
    }
  }
  let policy: CompiledPolicy | undefined;
  if (doc && !problems.length) {
    try {
      policy = compilePolicy(doc, indexes);
    } catch (err) {
      if (err instanceof PolicyError)
        problems.push(...err.problems.map((p) => `AML policy (${source}): ${p}`));
      else throw err;
    }
  }
  if (problems.length || !policy) throw new ConfigError(problems);
  return { policy, policySource: source, lists };
}
