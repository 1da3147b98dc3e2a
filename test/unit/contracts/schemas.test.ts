/**
 * schemas/ is the one source of truth for every message, body, input file and warehouse row. These tests
 * prove the registry is complete, every schema is strict-clean, and each schema accepts what it should and
 * rejects what it should with a problem that names the offending path.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMAS, type SchemaName } from '../../../shared/contracts/schema-registry';
import {
  compileAllSchemas,
  isValid,
  SchemaViolation,
  validate,
  WAREHOUSE_KEYWORDS,
} from '../../../shared/contracts/validation';
import { applyPatch, filesUnder, fixtureSchemaNames, loadFixtures, SCHEMAS_DIR } from './schema-fixtures';

// schemas/openapi holds the API documents that reference the schemas, not schemas themselves.
const schemaFiles = filesUnder(SCHEMAS_DIR).filter((f) => f.endsWith('.json') && !f.startsWith('openapi/'));
const fileNames = schemaFiles.map((f) => f.slice(0, -'.json'.length)).sort();
const registered = (Object.keys(SCHEMAS) as SchemaName[]).sort();

function violation(name: SchemaName, value: unknown): SchemaViolation {
  try {
    validate(name, value);
  } catch (err) {
    if (err instanceof SchemaViolation) return err;
    throw err;
  }
  throw new Error(`${name} accepted a value it should reject: ${JSON.stringify(value)}`);
}

describe('schema registry', () => {
  it('registers every file under schemas/ and has no entry without a file', () => {
    const unregistered = fileNames.filter((n) => !(registered as string[]).includes(n));
    const withoutFile = registered.filter((n) => !fileNames.includes(n));
    expect({ unregistered, withoutFile }).toEqual({ unregistered: [], withoutFile: [] });
    expect(registered.length).toBeGreaterThanOrEqual(10);
  });

  it('registers each file under its own name, with the $id its relative $refs resolve against', () => {
    for (const name of registered) {
      const onDisk = JSON.parse(readFileSync(join(SCHEMAS_DIR, `${name}.json`), 'utf8')) as { $id: string };
      expect(SCHEMAS[name]).toEqual(onDisk);
      expect(onDisk.$id).toBe(`https://fusion-risk.dev/schemas/${name}.json`);
    }
  });

  it('compiles every schema once, in ajv strict mode', () => {
    expect(compileAllSchemas()).toBe(schemaFiles.length);
    // The same schemas in a fresh strict instance: a misspelt keyword ("additionalProperty", "requried")
    // would be silently ignored by a lax validator and let bad messages through.
    const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
    addFormats(ajv);
    for (const k of WAREHOUSE_KEYWORDS) ajv.addKeyword(k);
    for (const name of registered) ajv.addSchema(SCHEMAS[name] as object);
    for (const name of registered) {
      expect(() => ajv.getSchema((SCHEMAS[name] as { $id: string }).$id)).not.toThrow();
    }
    const typo = {
      $id: 'https://fusion-risk.dev/schemas/typo.json',
      type: 'object',
      additionalProperty: false,
    };
    expect(() => ajv.compile(typo)).toThrow(/unknown keyword: "additionalProperty"/);
  });
});

describe('schema fixtures', () => {
  it('exist for every registered schema, and only for registered schemas', () => {
    expect(fixtureSchemaNames()).toEqual(registered);
  });

  describe.each(registered)('%s', (name) => {
    const fixtures = loadFixtures(name);

    it.each(fixtures.good.map((g) => [g.file, g.value] as const))('accepts %s', (_file, value) => {
      expect(() => validate(name, value)).not.toThrow();
      expect(isValid(name, value)).toBe(true);
    });

    it('has several bad cases', () => {
      expect(fixtures.bad.length).toBeGreaterThanOrEqual(5);
    });

    it.each(fixtures.bad.map((b) => [b.case, b] as const))('rejects %s, naming the path', (_case, bad) => {
      const value = applyPatch(fixtures.base, bad.patch);
      expect(isValid(name, value)).toBe(false);
      const err = violation(name, value);
      expect(err.schema).toBe(name);
      expect(err.problems).toContain(bad.expect);
      expect(err.message).toContain(name);
      expect(err.message).toContain(bad.expect);
    });
  });

  it('reports every problem of a message at once, not just the first', () => {
    const { base } = loadFixtures('messages/market.prices.v1');
    const value = applyPatch(base, [
      { op: 'remove', path: '/tickId' },
      { op: 'replace', path: '/prices/0/priceUsd', value: 0 },
      { op: 'replace', path: '/asOf', value: 'noon' },
    ]);
    expect(violation('messages/market.prices.v1', value).problems).toEqual(
      expect.arrayContaining([
        "(root) must have required property 'tickId'",
        '/prices/0/priceUsd must be > 0',
        '/asOf must match format "date-time"',
      ]),
    );
  });

  it('rejects a value that is not an object at all', () => {
    expect(violation('messages/alerts.margin.v1', 'MARGIN_CALL').problems).toEqual(['(root) must be object']);
    expect(violation('inputs/portfolio', null).problems).toEqual(['(root) must be object']);
  });
});
