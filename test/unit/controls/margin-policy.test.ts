import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RISK_POLICY } from '../../../shared/domain/controls/default-policy';
import { marginPolicyFor, type RiskPolicy } from '../../../shared/domain/controls/policy';
import { DEFAULT_HYSTERESIS } from '../../../shared/domain/margin/health-state-machine';
import { ManualClock } from '../../../shared/platform/clocks';
import { StructuredLogger } from '../../../shared/platform/logger';
import type { Warehouse } from '../../../shared/ports/warehouse';
import { CONTROLS_COLLECTIONS } from '../../../shared/use-cases/controls/controls-store';
import { PolicyCache } from '../../../shared/use-cases/controls/policy-cache';
import { detectMarginEventsBatch } from '../../../shared/use-cases/detect-margin-events';
import type { SchemaTypes } from '../../../shared/contracts/schema-types';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';

type PortfolioRisk = SchemaTypes['shared/portfolio-risk'];

const NOW = new Date('2024-08-05T12:00:00Z');
const tight: RiskPolicy = {
  policyId: 'desk-a',
  version: 1,
  scope: { level: 'desk', deskId: 'desk-a' },
  enabled: true,
  effectiveFrom: '2024-01-01T00:00:00Z',
  rules: [],
  margin: { warning: 60, marginCall: 40, liquidation: 20, recoveryBand: 5 },
};

describe('margin thresholds from the risk policies', () => {
  it('are the built-in 50/30/15 with a 2-point band under the default policy, or with no policy readable', () => {
    const p = { portfolioId: 'p', deskId: 'default' };
    expect(marginPolicyFor([DEFAULT_RISK_POLICY], p, NOW)).toEqual(DEFAULT_HYSTERESIS);
    expect(marginPolicyFor(null, p, NOW)).toEqual(DEFAULT_HYSTERESIS);
  });

  it("are a desk policy's for that desk's portfolios only", () => {
    const inForce = [DEFAULT_RISK_POLICY, tight];
    expect(marginPolicyFor(inForce, { portfolioId: 'p', deskId: 'desk-a' }, NOW)).toEqual({
      thresholds: { warning: 60, marginCall: 40, liquidation: 20 },
      recoveryBand: 5,
    });
    expect(marginPolicyFor(inForce, { portfolioId: 'p', deskId: 'desk-b' }, NOW)).toEqual(DEFAULT_HYSTERESIS);
  });

  it('decide the margin state detectMarginEvents reports, per desk, read from the store', async () => {
    const store = new MemoryDocumentStore();
    await store.set(CONTROLS_COLLECTIONS.policies, 'desk-a', {
      policy: tight,
      updatedBy: 'alice',
      updatedAt: NOW.toISOString(),
    });
    const bus = new MemoryEventBus();
    const rows: unknown[] = [];
    const warehouse: Warehouse = {
      insert: async (_t, r) => {
        rows.push(...r);
      },
      query: async () => [],
      close: async () => undefined,
    };
    const clock = new ManualClock(NOW);
    const logger = new StructuredLogger({ sink: () => undefined });
    const base = JSON.parse(
      readFileSync(join(__dirname, '../../fixtures/schemas/shared/portfolio-risk/good.json'), 'utf8'),
    ) as PortfolioRisk;
    // Health 35: MARGIN_CALL under the desk's 40, WARNING under the default 30/50.
    const risk = (portfolioId: string, deskId: string): PortfolioRisk => ({
      ...base,
      portfolioId,
      deskId,
      healthScore: 35,
    });
    await detectMarginEventsBatch(
      { store, bus, warehouse, clock, logger, policies: new PolicyCache(store, clock, logger) },
      {
        tickId: base.tickId,
        asOf: base.asOf,
        shard: null,
        portfolios: [risk('a-1', 'desk-a'), risk('b-1', 'desk-b')],
      },
    );
    const toState = Object.fromEntries(
      bus.messages
        .filter((m) => m.topic === 'alerts.margin.v1')
        .map((m) => m.data as { portfolioId: string; toState: string })
        .map((a) => [a.portfolioId, a.toState]),
    );
    expect(toState).toEqual({ 'a-1': 'MARGIN_CALL', 'b-1': 'WARNING' });
    expect(rows).toHaveLength(2);
  });
});
