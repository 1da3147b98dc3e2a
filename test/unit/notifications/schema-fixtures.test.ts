/** The notifications area's schemas against their fixtures (the project-wide test checks every area too). */
import { isValid, SchemaViolation, validate } from '../../../shared/contracts/validation';
import type { SchemaName } from '../../../shared/contracts/schema-registry';
import { applyPatch, loadFixtures } from '../contracts/schema-fixtures';

const NAMES: SchemaName[] = [
  'messages/notifications.dispatch.v1',
  'inputs/notification-preferences',
  'warehouse/notifications.deliveries',
];

describe.each(NAMES)('%s', (name) => {
  const fixtures = loadFixtures(name);

  it.each(fixtures.good.map((g) => [g.file, g.value] as const))('accepts %s', (_file, value) => {
    expect(isValid(name, value)).toBe(true);
  });

  it.each(fixtures.bad.map((b) => [b.case, b] as const))('rejects %s, naming the path', (_c, bad) => {
    const value = applyPatch(fixtures.base, bad.patch);
    let problems: string[] = [];
    try {
      validate(name, value);
    } catch (err) {
      problems = (err as SchemaViolation).problems;
    }
    expect(problems).toContain(bad.expect);
  });
});
