/**
 * Compiling a policy document: what a compliance officer's rule change turns into. A broken document fails
 * the load naming every problem; a valid one keeps exactly its enabled rules, its jurisdiction lists with
 * their dates, and a window retention long enough for its longest window.
 */
import {
  compilePolicy,
  DEFAULT_MAX_ENTRIES_PER_USER,
  parsePolicy,
  PolicyError,
  screeningListsNeeded,
  type AmlPolicy,
} from '../../../shared/domain/aml/policy';
import { ScreeningIndex } from '../../../shared/domain/aml/screening';
import { defaultPolicyDocument } from '../../support/aml-fixtures';

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
};

const lists = () =>
  new Map([
    ['ofac-sdn', ScreeningIndex.build([])],
    ['pep', ScreeningIndex.build([])],
  ]);

const ruleOf = (doc: AmlPolicy, id: string) => {
  const rule = doc.rules.find((r) => r.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule;
};

describe('parsing a policy document', () => {
  it('names every schema problem with its path, in one error', () => {
    const doc = defaultPolicyDocument() as unknown as Record<string, unknown>;
    delete doc.policyVersion;
    doc.extra = 1;
    const error = thrown(() => parsePolicy(doc));
    expect(error).toBeInstanceOf(PolicyError);
    const problems = (error as PolicyError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        "(root) must have required property 'policyVersion'",
        "(root) must NOT have additional properties 'extra'",
      ]),
    );
    expect((error as PolicyError).name).toBe('PolicyError');
    expect((error as PolicyError).message).toBe(`invalid AML policy:\n  - ${problems.join('\n  - ')}`);
  });

  it('passes an error that is not a schema problem through unchanged', () => {
    const broken = new Error('cannot read the document');
    const doc = new Proxy(
      {},
      {
        get() {
          throw broken;
        },
        has() {
          throw broken;
        },
        ownKeys() {
          throw broken;
        },
      },
    );
    expect(thrown(() => parsePolicy(doc))).toBe(broken);
  });
});

describe('compiling a policy', () => {
  it('keeps the enabled rules in document order, with the version and the lists it was given', () => {
    const doc = defaultPolicyDocument();
    ruleOf(doc, 'large.ctr').enabled = false;
    ruleOf(doc, 'velocity.count.1h').enabled = true;
    const screening = lists();
    const policy = compilePolicy(doc, screening);
    expect(policy.version).toBe('2025-11-01.2');
    expect(policy.document).toBe(doc);
    expect(policy.rules.map((r) => r.id)).toEqual(
      doc.rules.map((r) => r.id).filter((id) => id !== 'large.ctr'),
    );
    expect([...policy.screening.keys()]).toEqual(['ofac-sdn', 'pep']);
    expect(policy.screening.get('pep')).toBe(screening.get('pep'));
    screening.delete('pep');
    expect(policy.screening.has('pep')).toBe(true);
  });

  it('keeps window entries as long as the longest enabled window, and no longer', () => {
    const doc = defaultPolicyDocument();
    expect(compilePolicy(doc, lists()).retentionMs).toBe(30 * 86_400_000);
    ruleOf(doc, 'round-amount.30d').enabled = false;
    expect(compilePolicy(doc, lists()).retentionMs).toBe(86_400_000);
    doc.rules = doc.rules.filter((r) => r.id === 'large.ctr' || r.id === 'velocity.count.1h');
    expect(compilePolicy(doc, lists()).retentionMs).toBe(3_600_000);
    doc.rules = doc.rules.filter((r) => r.id === 'large.ctr');
    expect(compilePolicy(doc, lists()).retentionMs).toBe(0);
  });

  it('caps window entries per user as the document says, 2000 when it says nothing', () => {
    const doc = defaultPolicyDocument();
    doc.state = { maxEntriesPerUser: 50 };
    expect(compilePolicy(doc, lists()).maxEntriesPerUser).toBe(50);
    delete doc.state;
    expect(DEFAULT_MAX_ENTRIES_PER_USER).toBe(2000);
    expect(compilePolicy(doc, lists()).maxEntriesPerUser).toBe(2000);
  });

  it('compiles jurisdiction lists by code with their dates, names and notes', () => {
    const doc = defaultPolicyDocument();
    doc.jurisdictionLists['test-list'] = {
      source: 'test source',
      entries: [
        { code: 'SY', name: 'Syria', effectiveFrom: '2004-05-11', effectiveTo: '2025-07-01', note: 'ended' },
        { code: 'SY', effectiveFrom: '2026-01-01' },
        { code: 'UA-43', name: 'Crimea', effectiveFrom: '2014-12-19' },
      ],
    };
    const list = compilePolicy(doc, lists()).jurisdictions.get('test-list');
    expect(list?.id).toBe('test-list');
    expect(list?.source).toBe('test source');
    expect(list?.byCode.get('SY')).toEqual([
      { code: 'SY', name: 'Syria', from: '2004-05-11', to: '2025-07-01', note: 'ended' },
      { code: 'SY', from: '2026-01-01' },
    ]);
    expect(list?.byCode.get('UA-43')).toEqual([{ code: 'UA-43', name: 'Crimea', from: '2014-12-19' }]);
    expect(list?.byCode.get('UA-43')?.[0]).not.toHaveProperty('to');
    expect(list?.byCode.get('UA-43')?.[0]).not.toHaveProperty('note');
    expect(list?.byCode.get('SY')?.[1]).not.toHaveProperty('name');
  });

  it('skips a jurisdiction list left undefined in a document built in code', () => {
    const doc = defaultPolicyDocument();
    doc.jurisdictionLists.unused = undefined;
    expect(compilePolicy(doc, lists()).jurisdictions.has('unused')).toBe(false);
  });
});

describe('refusing a policy that cannot work', () => {
  it('refuses a jurisdiction entry that ends on or before the day it starts', () => {
    const doc = defaultPolicyDocument();
    doc.jurisdictionLists['test-list'] = {
      source: 's',
      entries: [
        { code: 'AA', effectiveFrom: '2025-01-01', effectiveTo: '2025-01-01' },
        { code: 'BB', effectiveFrom: '2025-01-02', effectiveTo: '2025-01-01' },
        { code: 'CC', effectiveFrom: '2025-01-01', effectiveTo: '2025-01-02' },
      ],
    };
    expect((thrown(() => compilePolicy(doc, lists())) as PolicyError).problems).toEqual([
      'jurisdiction list test-list: AA ends before it starts',
      'jurisdiction list test-list: BB ends before it starts',
    ]);
  });

  it('refuses a structuring band whose lower bound is not below the threshold', () => {
    const doc = defaultPolicyDocument();
    const rule = ruleOf(doc, 'structuring.24h');
    if (rule.type !== 'structuring') throw new Error('fixture');
    rule.params.lowerBoundUsd = rule.params.thresholdUsd;
    expect((thrown(() => compilePolicy(doc, lists())) as PolicyError).problems).toEqual([
      'rule structuring.24h: lowerBoundUsd must be below thresholdUsd',
    ]);
    rule.params.lowerBoundUsd = rule.params.thresholdUsd - 1;
    expect(compilePolicy(doc, lists()).rules).toContain(rule);
  });

  it('checks the references of enabled rules only', () => {
    const doc = defaultPolicyDocument();
    for (const r of doc.rules)
      if (
        r.type === 'geographic_restriction' ||
        r.type === 'pep_screening' ||
        r.type === 'sanctions_screening'
      )
        r.enabled = false;
    delete doc.jurisdictionLists['ofac-comprehensive'];
    expect(compilePolicy(doc, new Map()).rules.map((r) => r.type)).not.toContain('pep_screening');
  });

  it('names a missing screening list for sanctions and for PEP rules alike', () => {
    const doc = defaultPolicyDocument();
    const pepOnly = new Map([['pep', ScreeningIndex.build([])]]);
    expect((thrown(() => compilePolicy(doc, pepOnly)) as PolicyError).problems).toEqual([
      'rule sanctions.ofac-sdn: screening list ofac-sdn is not loaded',
      'rule sanctions.name-obfuscation: screening list ofac-sdn is not loaded',
    ]);
    const sdnOnly = new Map([['ofac-sdn', ScreeningIndex.build([])]]);
    expect((thrown(() => compilePolicy(doc, sdnOnly)) as PolicyError).problems).toEqual([
      'rule pep.screening: screening list pep is not loaded',
    ]);
  });

  it('compiles with no screening lists when no rule screens names', () => {
    const doc = defaultPolicyDocument();
    doc.rules = doc.rules.filter((r) => r.type === 'velocity_count');
    expect(compilePolicy(doc).screening.size).toBe(0);
  });
});

describe('the screening lists a policy needs', () => {
  it('lists each list of an enabled screening rule once, sorted', () => {
    const doc = defaultPolicyDocument();
    expect(screeningListsNeeded(doc)).toEqual(['ofac-sdn', 'pep']);
    ruleOf(doc, 'pep.screening').enabled = false;
    expect(screeningListsNeeded(doc)).toEqual(['ofac-sdn']);
    const pep = ruleOf(doc, 'pep.screening');
    pep.enabled = true;
    if (pep.type !== 'pep_screening') throw new Error('fixture');
    pep.params.list = 'a-pep-list';
    expect(screeningListsNeeded(doc)).toEqual(['a-pep-list', 'ofac-sdn']);
    doc.rules = doc.rules.filter((r) => r.type === 'large_transaction');
    expect(screeningListsNeeded(doc)).toEqual([]);
  });
});
