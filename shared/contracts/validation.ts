import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { SCHEMAS, type SchemaName } from './schema-registry';
import type { SchemaTypes } from './schema-types';

/** Annotation keywords the warehouse derivation reads; ajv must know them in strict mode. */
export const WAREHOUSE_KEYWORDS = ['x-table', 'x-row-id', 'x-partition', 'x-cluster', 'x-expire-partitions'];

/** Input that breaks its contract: a permanent error, never worth a retry. */
export class SchemaViolation extends Error {
  constructor(
    readonly schema: SchemaName,
    readonly problems: string[],
  ) {
    super(`${schema} violated: ${problems.join('; ')}`);
    this.name = 'SchemaViolation';
  }
}

let compiled: Map<SchemaName, ValidateFunction> | undefined;
let instance: Ajv2020 | undefined;

/** Compiles every schema once per process (cold start) and keeps the validators. */
function validators(): Map<SchemaName, ValidateFunction> {
  if (compiled) return compiled;
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  for (const keyword of WAREHOUSE_KEYWORDS) ajv.addKeyword(keyword);
  for (const schema of Object.values(SCHEMAS)) ajv.addSchema(schema as object);
  instance = ajv;
  const map = new Map<SchemaName, ValidateFunction>();
  for (const [name, schema] of Object.entries(SCHEMAS) as [SchemaName, { $id: string }][]) {
    const fn = ajv.getSchema(schema.$id);
    if (!fn) throw new Error(`schema ${name} did not compile`);
    map.set(name, fn);
  }
  compiled = map;
  return map;
}

export function compileAllSchemas(): number {
  return validators().size;
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath || '(root)';
    const extra =
      e.keyword === 'additionalProperties'
        ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'`
        : e.keyword === 'enum'
          ? ` ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`
          : '';
    return `${where} ${e.message ?? e.keyword}${extra}`;
  });
}

/** Returns the value typed by its schema, or throws SchemaViolation naming every problem. */
export function validate<N extends SchemaName>(
  name: N,
  value: unknown,
): N extends keyof SchemaTypes ? SchemaTypes[N] : unknown {
  const fn = validators().get(name);
  if (!fn) throw new Error(`unknown schema ${name}`);
  if (!fn(value)) throw new SchemaViolation(name, describe(fn.errors));
  return value as N extends keyof SchemaTypes ? SchemaTypes[N] : unknown;
}

export function isValid(name: SchemaName, value: unknown): boolean {
  const fn = validators().get(name);
  return fn ? (fn(value) as boolean) : false;
}

/**
 * Validates against a part of a registered schema named as an OpenAPI document names it, `api/alert-page` or
 * `api/alert-page#/$defs/feedAlert`: what a test checks an HTTP body against.
 */
export function validateRef(ref: string, value: unknown): void {
  validators();
  const [name, pointer] = ref.split('#') as [SchemaName, string | undefined];
  const schema = SCHEMAS[name] as { $id: string } | undefined;
  if (!schema || !instance) throw new Error(`unknown schema ${name}`);
  const fn = instance.getSchema(pointer ? `${schema.$id}#${pointer}` : schema.$id);
  if (!fn) throw new Error(`no schema at ${ref}`);
  if (!fn(value)) throw new SchemaViolation(name, describe(fn.errors));
}
