import { DEFAULT_RISK_POLICY } from '../../../shared/domain/controls/default-policy';
import type { RiskPolicy } from '../../../shared/domain/controls/policy';
import { approveRelease, engage, requestRelease } from '../../../shared/domain/controls/stops';
import { ManualClock } from '../../../shared/platform/clocks';
import { StructuredLogger } from '../../../shared/platform/logger';
import {
  changeStop,
  CONTROLS_COLLECTIONS as C,
  readPolicies,
  readStops,
  recordBreakerEvent,
} from '../../../shared/use-cases/controls/controls-store';
import { PolicyCache } from '../../../shared/use-cases/controls/policy-cache';
import { CapturingSink } from '../../support/capturing-sink';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';

const T0 = '2020-03-12T12:00:00.000Z';
const desk: RiskPolicy = {
  policyId: 'desk-a',
  version: 1,
  scope: { level: 'desk', deskId: 'desk-a' },
  enabled: true,
  effectiveFrom: '2020-01-01T00:00:00Z',
  rules: [{ ruleId: 'lev', metric: 'leverage', operator: '>', threshold: 3, kind: 'hard' }],
};

async function store(policies: Record<string, unknown> = {}): Promise<MemoryDocumentStore> {
  const s = new MemoryDocumentStore();
  for (const [id, policy] of Object.entries(policies))
    await s.set(C.policies, id, { policy, updatedBy: 'alice', updatedAt: T0 });
  return s;
}

describe('stored policies', () => {
  it('serves the built-in default until a policy with its id is stored', async () => {
    expect((await readPolicies(await store())).policies).toEqual([DEFAULT_RISK_POLICY]);
    const own = { ...DEFAULT_RISK_POLICY, version: 2, breaker: { hardEvents: 3, windowSeconds: 30 } };
    const read = await readPolicies(await store({ default: own, 'desk-a': desk }));
    expect(read.policies.map((p) => `${p.policyId}@${p.version}`).sort()).toEqual(['default@2', 'desk-a@1']);
  });

  it('sets aside an invalid document, or one stored under another id, with every problem', async () => {
    const read = await readPolicies(
      await store({ 'desk-a': { ...desk, version: 0 }, 'desk-b': { ...desk, policyId: 'desk-c' } }),
    );
    expect(read.policies.map((p) => p.policyId)).toEqual(['default']);
    expect(read.invalid).toEqual([
      { policyId: 'desk-a', version: 0, problems: ['/version must be >= 1'], scopeKey: 'desk:desk-a' },
      {
        policyId: 'desk-b',
        version: 1,
        problems: ["/policyId 'desk-c' is stored under 'desk-b'"],
        scopeKey: 'desk:desk-a',
      },
    ]);
  });

  it('names the scope an unusable document claims only when it is well formed', async () => {
    const read = await readPolicies(
      await store({
        p1: { ...desk, policyId: 'p1', version: 0, scope: { level: 'portfolio', portfolioId: 'pf-1' } },
        p2: { ...desk, policyId: 'p2', version: 0, scope: { level: 'desk', deskId: '../../etc' } },
        p3: 'not a policy',
      }),
    );
    expect(Object.fromEntries(read.invalid.map((i) => [i.policyId, i.scopeKey]))).toEqual({
      p1: 'portfolio:pf-1',
      p2: 'global',
      p3: 'global',
    });
  });
});

describe('policy cache', () => {
  it('keeps the last valid version of a policy that turns invalid, and reports it once', async () => {
    const s = await store({ 'desk-a': desk });
    const clock = new ManualClock(T0);
    const sink = new CapturingSink();
    const reported: string[] = [];
    const cache = new PolicyCache(s, clock, new StructuredLogger({ sink: sink.sink }), {
      refreshMs: 10_000,
      onInvalid: async (bad) => {
        reported.push(`${bad.policyId}@${String(bad.version)}`);
      },
    });
    expect((await cache.current())?.find((p) => p.policyId === 'desk-a')?.version).toBe(1);
    await s.set(C.policies, 'desk-a', {
      policy: { ...desk, version: 2, rules: 'none' },
      updatedBy: 'bob',
      updatedAt: T0,
    });
    // Not re-read before refreshMs.
    clock.advance(9_999);
    await cache.current();
    expect(reported).toEqual([]);
    clock.advance(1);
    expect((await cache.current())?.find((p) => p.policyId === 'desk-a')?.version).toBe(1);
    clock.advance(10_000);
    await cache.current();
    expect(reported).toEqual(['desk-a@2']);
    expect(sink.entries().filter((e) => e.severity === 'ERROR')).toHaveLength(1);
    // A valid version 3 replaces it within one refresh.
    await s.set(C.policies, 'desk-a', { policy: { ...desk, version: 3 }, updatedBy: 'bob', updatedAt: T0 });
    clock.advance(10_000);
    expect((await cache.current())?.find((p) => p.policyId === 'desk-a')?.version).toBe(3);
  });

  it('serves the last policies while the store is down, then nothing once they are too old', async () => {
    const s = await store({ 'desk-a': desk });
    const clock = new ManualClock(T0);
    const cache = new PolicyCache(s, clock, new StructuredLogger({ sink: () => undefined }), {
      refreshMs: 10_000,
      maxAgeMs: 60_000,
    });
    expect(await cache.current()).toHaveLength(2);
    s.query = () => Promise.reject(new Error('UNAVAILABLE'));
    clock.advance(60_000);
    expect(await cache.current()).toHaveLength(2);
    clock.advance(1);
    expect(await cache.current()).toBeNull();
  });
});

describe('stops and breakers in the store', () => {
  const at = new Date(T0);
  const global = { level: 'global' } as const;

  it('changes a stop with its audit entry, and re-arms the breaker when it is loosened', async () => {
    const s = await store();
    const halted = await changeStop(s, global, (r) =>
      engage(r, 'HALTED', { actor: 'alice', reason: 'crash', at }, 'manual'),
    );
    expect(halted?.auditId).toBe('global:1');
    expect(
      await changeStop(s, global, (r) => engage(r, 'HALTED', { actor: 'bob', reason: 'x', at }, 'manual')),
    ).toBeNull();
    await changeStop(s, global, (r) => requestRelease(r, 'ACTIVE', { actor: 'alice', reason: 'calm', at }));
    const later = new Date(at.getTime() + 60_000);
    const released = await changeStop(s, global, (r) =>
      approveRelease(r, { actor: 'bob', reason: 'ok', at: later }),
    );
    expect(released?.after.state).toBe('ACTIVE');
    expect((await readStops(s)).get('global')?.version).toBe(3);
    expect(await s.get(C.stopAudit, 'global:3')).toMatchObject({
      after: { state: 'ACTIVE', changedBy: 'bob' },
    });
    expect(await s.get(C.breakers, 'global')).toMatchObject({ resetAt: later.toISOString() });
  });

  it('halts a scope in the same transaction as the hard event that trips its breaker, counting redeliveries once', async () => {
    const s = await store();
    const config = { hardEvents: 3, windowSeconds: 60 };
    const ev = (id: string) => ({ id, at: T0, what: `violation ${id}` });
    expect(await recordBreakerEvent(s, global, ev('a'), config, at)).toMatchObject({
      counted: true,
      count: 1,
      halted: null,
    });
    expect(await recordBreakerEvent(s, global, ev('a'), config, at)).toMatchObject({
      counted: false,
      count: 1,
    });
    expect((await recordBreakerEvent(s, global, ev('b'), config, at)).halted).toBeNull();
    const trip = await recordBreakerEvent(s, global, ev('c'), config, at);
    expect(trip.halted?.after).toMatchObject({
      state: 'HALTED',
      trigger: 'breaker',
      changedBy: 'circuit-breaker',
    });
    expect(trip.halted?.after.reason).toBe('circuit breaker: 3 hard events within 60 s (last: violation c)');
    expect((await readStops(s)).get('global')?.state).toBe('HALTED');
  });
});
