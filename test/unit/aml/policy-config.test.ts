/**
 * Policy as code: the rule set is a validated, versioned JSON document loaded from configuration. A rule
 * change is a document change (file or inline JSON), never a code change; a broken document or a missing
 * list fails the cold start naming every problem at once.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { amlAlertId } from '../../../shared/domain/aml/alerts';
import { compilePolicy, PolicyError } from '../../../shared/domain/aml/policy';
import { evaluateTransaction } from '../../../shared/domain/aml/rules';
import { appendEntry, entryOf } from '../../../shared/domain/aml/window';
import { ConfigError } from '../../../shared/platform/config/runtime';
import { readAmlConfig } from '../../../shared/platform/config/aml';
import { DAY, HOUR, at, defaultPolicyDocument, history, tx } from '../../support/aml-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'aml-config-'));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('AML configuration', () => {
  it('loads the bundled policy and lists by default', () => {
    const aml = readAmlConfig({});
    expect(aml.policySource).toBe('bundled default policy');
    expect(aml.policy.version).toBe('2025-11-01.2');
    expect(aml.policy.rules).toHaveLength(12);
    expect(aml.lists).toEqual([
      { id: 'ofac-sdn', source: 'bundled sample', entries: 22 },
      { id: 'pep', source: 'bundled sample', entries: 5 },
    ]);
    expect(aml.policy.retentionMs).toBe(30 * DAY);
  });

  it('changes a threshold through a policy file: a new version, a different outcome, new alert ids', () => {
    const doc = defaultPolicyDocument();
    doc.policyVersion = '2025-12-01.1';
    const rule = doc.rules.find((r) => r.id === 'velocity.count.1h');
    if (rule?.type !== 'velocity_count') throw new Error('fixture');
    rule.params.maxCount = 3;
    const path = file('policy.json', JSON.stringify(doc));
    const before = readAmlConfig({}).policy;
    const after = readAmlConfig({ AML_POLICY_PATH: path }).policy;
    const t = tx();
    const four = history([-30, -20, -10].map((m) => m * 60_000));
    expect(evaluateTransaction(before, t, four).map((h) => h.rule.id)).toEqual([]);
    expect(evaluateTransaction(after, t, four).map((h) => h.rule.id)).toEqual(['velocity.count.1h']);
    expect(amlAlertId('velocity.count.1h', after.version, t.transactionId)).not.toBe(
      amlAlertId('velocity.count.1h', before.version, t.transactionId),
    );
    expect(amlAlertId('velocity.count.1h', after.version, t.transactionId)).toMatch(/^aml_[0-9a-f]{32}$/);
  });

  it('takes the policy inline, and a disabled rule never fires', () => {
    const doc = defaultPolicyDocument();
    for (const r of doc.rules) if (r.id === 'large.ctr') r.enabled = false;
    const policy = readAmlConfig({ AML_POLICY_JSON: JSON.stringify(doc) }).policy;
    expect(policy.rules.map((r) => r.id)).not.toContain('large.ctr');
    expect(evaluateTransaction(policy, tx({ amountUsd: 15_000, amount: '15000.5' }), [])).toEqual([]);
  });

  it('reads a full SDN export from files (sdn.csv + alt.csv)', () => {
    const sdn = file(
      'sdn.csv',
      '36001,"EXAMPLE HOLDINGS LIMITED",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n',
    );
    const alt = file('alt.csv', '36001,1,"aka","EXAMPLE GROUP",-0- \n');
    const aml = readAmlConfig({ AML_SDN_CSV_PATH: sdn, AML_SDN_ALT_CSV_PATH: alt });
    expect(aml.lists[0]).toEqual({ id: 'ofac-sdn', source: `file ${sdn} + ${alt}`, entries: 1 });
    const hits = evaluateTransaction(aml.policy, tx({ counterparty: { name: 'Example Group' } }), []);
    expect(hits.map((h) => h.details.match)).toEqual([
      expect.objectContaining({ entNum: '36001', score: 1 }),
    ]);
  });

  it('names every problem at once', () => {
    const doc = defaultPolicyDocument() as unknown as Record<string, unknown>;
    delete doc.policyVersion;
    let error: unknown;
    try {
      readAmlConfig({
        AML_POLICY_JSON: JSON.stringify(doc),
        AML_POLICY_PATH: '/nowhere/policy.json',
        AML_SDN_ALT_CSV_PATH: '/nowhere/alt.csv',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(
      expect.arrayContaining([
        'set only one of AML_POLICY_PATH and AML_POLICY_JSON',
        "AML policy (AML_POLICY_JSON): (root) must have required property 'policyVersion'",
        'AML_SDN_ALT_CSV_PATH needs AML_SDN_CSV_PATH',
      ]),
    );
    expect(() => readAmlConfig({ AML_POLICY_JSON: '{not json' })).toThrow(
      /AML_POLICY_JSON is not valid JSON/,
    );
    expect(() => readAmlConfig({ AML_SDN_CSV_PATH: '/nowhere/sdn.csv' })).toThrow(
      /AML_SDN_CSV_PATH: cannot read \/nowhere\/sdn.csv \(ENOENT\)/,
    );
  });

  it('refuses references a schema cannot check', () => {
    const doc = defaultPolicyDocument();
    doc.rules.push({ ...doc.rules[0] });
    const geo = doc.rules.find((r) => r.type === 'geographic_restriction');
    if (geo?.type === 'geographic_restriction') geo.params.list = 'fatf-2031';
    let error: unknown;
    try {
      compilePolicy(doc, new Map());
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).problems).toEqual([
      'rule id velocity.count.1h is used twice',
      'rule geo.ofac-comprehensive: jurisdiction list fatf-2031 is not defined',
      'rule sanctions.ofac-sdn: screening list ofac-sdn is not loaded',
      'rule sanctions.name-obfuscation: screening list ofac-sdn is not loaded',
      'rule pep.screening: screening list pep is not loaded',
    ]);
  });
});

describe('window state', () => {
  it('keeps one entry per transaction, pruned to the longest window and capped per user', () => {
    const e = (ms: number, id = `w${ms}`) => entryOf(tx({ transactionId: id, occurredAt: at(ms) }));
    let entries = appendEntry([], e(0), HOUR, 3);
    entries = appendEntry(entries, e(0), HOUR, 3);
    expect(entries.map((x) => x.i)).toEqual(['w0']);
    entries = appendEntry(entries, e(-10), HOUR, 3); // late arrival, kept in time order
    entries = appendEntry(entries, e(HOUR - 20), HOUR, 3);
    expect(entries.map((x) => x.i)).toEqual(['w-10', 'w0', `w${HOUR - 20}`]);
    entries = appendEntry(entries, e(HOUR), HOUR, 3); // w0 and w-10 are now an hour old
    expect(entries.map((x) => x.i)).toEqual([`w${HOUR - 20}`, `w${HOUR}`]);
    for (let i = 1; i <= 5; i++) entries = appendEntry(entries, e(HOUR + i), HOUR, 3);
    expect(entries.map((x) => x.i)).toEqual([`w${HOUR + 3}`, `w${HOUR + 4}`, `w${HOUR + 5}`]);
  });
});
