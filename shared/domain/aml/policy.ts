/**
 * Loads an AML policy document: schema validation (schemas/inputs/aml-policy.json), then the checks a schema
 * cannot express (unique rule ids, references to jurisdiction and screening lists that exist), then a
 * compiled form the evaluator reads without re-parsing dates or lists on every transaction.
 */
import type { SchemaTypes } from '../../contracts/schema-types';
import { SchemaViolation, validate } from '../../contracts/validation';
import type { ScreeningIndex } from './screening';

export type AmlPolicy = SchemaTypes['inputs/aml-policy'];
export type AmlRule = AmlPolicy['rules'][number];
export type AmlRuleType = AmlRule['type'];

export class PolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid AML policy:\n  - ${problems.join('\n  - ')}`);
    this.name = 'PolicyError';
  }
}

export interface JurisdictionEntry {
  code: string;
  name?: string;
  /** YYYY-MM-DD, inclusive. */
  from: string;
  /** YYYY-MM-DD, exclusive; absent when still in force. */
  to?: string;
  note?: string;
}

export interface CompiledJurisdictionList {
  id: string;
  source: string;
  byCode: Map<string, JurisdictionEntry[]>;
}

export interface CompiledPolicy {
  version: string;
  document: AmlPolicy;
  /** Enabled rules, in document order. */
  rules: AmlRule[];
  jurisdictions: Map<string, CompiledJurisdictionList>;
  screening: Map<string, ScreeningIndex>;
  /** The longest window any enabled rule reads: window entries older than this are pruned. */
  retentionMs: number;
  maxEntriesPerUser: number;
}

export const DEFAULT_MAX_ENTRIES_PER_USER = 2000;

/** Validates a parsed JSON document against the policy schema; problems name their paths. */
export function parsePolicy(document: unknown): AmlPolicy {
  try {
    return validate('inputs/aml-policy', document);
  } catch (err) {
    if (err instanceof SchemaViolation) throw new PolicyError(err.problems);
    throw err;
  }
}

function windowSecondsOf(rule: AmlRule): number {
  return 'windowSeconds' in rule.params ? rule.params.windowSeconds : 0;
}

/** Compiles a validated policy against the screening lists this deployment loaded. */
export function compilePolicy(
  document: AmlPolicy,
  screening: ReadonlyMap<string, ScreeningIndex> = new Map(),
): CompiledPolicy {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const rule of document.rules) {
    if (ids.has(rule.id)) problems.push(`rule id ${rule.id} is used twice`);
    ids.add(rule.id);
  }
  const jurisdictions = new Map<string, CompiledJurisdictionList>();
  for (const [id, list] of Object.entries(document.jurisdictionLists)) {
    if (!list) continue;
    const byCode = new Map<string, JurisdictionEntry[]>();
    for (const e of list.entries) {
      if (e.effectiveTo && e.effectiveTo <= e.effectiveFrom)
        problems.push(`jurisdiction list ${id}: ${e.code} ends before it starts`);
      const entry: JurisdictionEntry = {
        code: e.code,
        from: e.effectiveFrom,
        ...(e.effectiveTo ? { to: e.effectiveTo } : {}),
        ...(e.name ? { name: e.name } : {}),
        ...(e.note ? { note: e.note } : {}),
      };
      byCode.set(e.code, [...(byCode.get(e.code) ?? []), entry]);
    }
    jurisdictions.set(id, { id, source: list.source, byCode });
  }
  const rules = document.rules.filter((r) => r.enabled !== false);
  for (const rule of rules) {
    if (rule.type === 'geographic_restriction' && !jurisdictions.has(rule.params.list))
      problems.push(`rule ${rule.id}: jurisdiction list ${rule.params.list} is not defined`);
    if (
      (rule.type === 'sanctions_screening' || rule.type === 'pep_screening') &&
      !screening.has(rule.params.list)
    )
      problems.push(`rule ${rule.id}: screening list ${rule.params.list} is not loaded`);
    if (rule.type === 'structuring' && rule.params.lowerBoundUsd >= rule.params.thresholdUsd)
      problems.push(`rule ${rule.id}: lowerBoundUsd must be below thresholdUsd`);
  }
  if (problems.length) throw new PolicyError(problems);
  return {
    version: document.policyVersion,
    document,
    rules,
    jurisdictions,
    screening: new Map(screening),
    retentionMs: Math.max(0, ...rules.map(windowSecondsOf)) * 1000,
    maxEntriesPerUser: document.state?.maxEntriesPerUser ?? DEFAULT_MAX_ENTRIES_PER_USER,
  };
}

/** Screening list ids the policy's enabled rules need. */
export function screeningListsNeeded(document: AmlPolicy): string[] {
  const ids = new Set<string>();
  for (const r of document.rules) {
    if (r.enabled === false) continue;
    if (r.type === 'sanctions_screening' || r.type === 'pep_screening') ids.add(r.params.list);
  }
  return [...ids].sort();
}
